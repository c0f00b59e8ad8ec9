#include "segments/logging.h"

Q_LOGGING_CATEGORY(lcSegments, "confab.segments", QtInfoMsg)

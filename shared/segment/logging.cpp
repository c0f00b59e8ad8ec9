#include "segment/logging.h"

Q_LOGGING_CATEGORY(lcSegment, "confab.segment", QtInfoMsg)

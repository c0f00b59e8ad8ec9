#include "retention/logging.h"

Q_LOGGING_CATEGORY(lcRetention, "confab.retention", QtInfoMsg)

#include "metrics/logging.h"

Q_LOGGING_CATEGORY(lcMetrics, "confab.metrics", QtInfoMsg)

#include "redis/logging.h"

Q_LOGGING_CATEGORY(lcRedis, "confab.redis", QtInfoMsg)

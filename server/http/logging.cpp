#include "http/logging.h"

Q_LOGGING_CATEGORY(lcHttp, "confab.http", QtInfoMsg)

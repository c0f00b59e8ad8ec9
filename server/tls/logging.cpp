#include "tls/logging.h"

Q_LOGGING_CATEGORY(lcTls, "confab.server.tls", QtInfoMsg)

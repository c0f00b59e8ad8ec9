#include "auth/logging.h"

Q_LOGGING_CATEGORY(lcAuth, "confab.auth", QtInfoMsg)

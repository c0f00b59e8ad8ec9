#include "eventloop/logging.h"

Q_LOGGING_CATEGORY(lcEventLoop, "confab.eventloop", QtInfoMsg)

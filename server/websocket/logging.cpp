#include "websocket/logging.h"

Q_LOGGING_CATEGORY(lcWebSocket, "confab.websocket", QtInfoMsg)

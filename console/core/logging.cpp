#include "core/logging.h"

Q_LOGGING_CATEGORY(lcConsole, "confab.console", QtInfoMsg)
Q_LOGGING_CATEGORY(lcConsoleClient, "confab.console.client", QtInfoMsg)

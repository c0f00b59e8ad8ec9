#include "cli/logging.h"

Q_LOGGING_CATEGORY(lcCli, "confab.cli", QtInfoMsg)

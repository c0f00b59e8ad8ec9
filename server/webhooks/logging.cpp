#include "webhooks/logging.h"

Q_LOGGING_CATEGORY(lcWebhooks, "confab.webhooks", QtInfoMsg)

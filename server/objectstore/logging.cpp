#include "objectstore/logging.h"

Q_LOGGING_CATEGORY(lcObjectStore, "confab.objectstore", QtInfoMsg)

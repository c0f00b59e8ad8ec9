#pragma once

#include <QLoggingCategory>

namespace confab {
// Installs the process-wide log format: one line per record, category and level first.
void installLogFormat();
} // namespace confab

Q_DECLARE_LOGGING_CATEGORY(lcShared)

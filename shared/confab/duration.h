#pragma once

#include "confab/expected.h"

#include <QStringView>

namespace confab {

// Parses a config duration such as "250ms", "5s", "10m", "2h" or "30d" into milliseconds.
// A unit is required; negative, fractional and overflowing values are refused.
[[nodiscard]] Expected<qint64> parseDuration(QStringView text);

// The inverse, for messages and docs: the largest unit that divides the value exactly.
[[nodiscard]] QString formatDuration(qint64 ms);

} // namespace confab

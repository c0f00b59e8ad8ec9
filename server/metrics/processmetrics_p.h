#pragma once

#include <prometheus/metric_family.h>

#include <vector>

namespace confab::metrics
{

// The process_* families every Prometheus client exports (client_golang's process collector
// names and meanings), read from /proc at the moment of the call. A value that cannot be read
// leaves its family out rather than exporting a wrong number.
[[nodiscard]] std::vector<prometheus::MetricFamily> collectProcessMetrics();

} // namespace confab::metrics

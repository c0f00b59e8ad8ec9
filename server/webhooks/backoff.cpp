#include "webhooks/backoff.h"

#include <algorithm>

namespace confab::webhooks {

qint64 backoffMs(int attempt, double jitter)
{
    const int doublings = std::clamp(attempt - 1, 0, 30);
    const qint64 step = std::min(kBackoffCapMs, kBackoffBaseMs << doublings);
    const double j = std::clamp(jitter, 0.0, 1.0);
    return step / 2 + qint64(double(step / 2) * j);
}

qint64 nextAttemptMs(int attempt, double jitter, qint64 nowMs, qint64 createdMs, qint64 retryWindowMs)
{
    const qint64 deadline = createdMs + retryWindowMs;
    if (nowMs >= deadline)
        return -1;
    return std::min(nowMs + backoffMs(attempt, jitter), deadline);
}

} // namespace confab::webhooks

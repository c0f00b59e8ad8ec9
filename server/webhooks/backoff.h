#pragma once

#include <QtGlobal>

namespace confab::webhooks {

// The wait before retry number `attempt` (1 after the first failure): exponential from
// kBackoffBaseMs, doubling, capped at kBackoffCapMs, with "equal jitter": half the step fixed,
// half drawn from jitter (0..1), so retries of many events spread out yet never come early.
inline constexpr qint64 kBackoffBaseMs = 1000;
inline constexpr qint64 kBackoffCapMs = 5 * 60 * 1000;
[[nodiscard]] qint64 backoffMs(int attempt, double jitter);

// When the next attempt is due after a failure at nowMs, or -1 when the event's retry window
// (counted from createdMs) is over and it becomes a dead letter. The last attempt is made at
// the window's end rather than skipped.
[[nodiscard]] qint64 nextAttemptMs(int attempt, double jitter, qint64 nowMs, qint64 createdMs,
                                   qint64 retryWindowMs);

} // namespace confab::webhooks

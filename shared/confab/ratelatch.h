#pragma once

// Whether something happens at least N times a second, decided from counts, for the batching
// that only pays off under load ([server] write_coalesce_above, [redis] write_hold_above): a
// window that holds work back costs latency, which a node that is not busy should not pay.

#include <QtGlobal>

namespace confab
{

class RateLatch
{
public:
    // The span over which a rate is measured before it is compared with the line.
    static constexpr qint64 kSpanMs = 100;

    // abovePerS <= 0: always on.
    explicit RateLatch(qint64 abovePerS)
        : m_abovePerS(abovePerS)
        , m_on(abovePerS <= 0)
    {
    }

    void count(qint64 n = 1) { m_count += n; }

    // On once the rate counted since the last decision reaches the line, off again once it
    // falls below three quarters of it (the gap keeps a rate near the line from switching at
    // every decision). Decided at most once per kSpanMs of nowMs (any monotonic clock in ms);
    // in between, the last decision stands.
    [[nodiscard]] bool on(qint64 nowMs)
    {
        if (m_abovePerS <= 0)
            return true;
        const qint64 span = nowMs - m_sinceMs;
        if (span >= kSpanMs) {
            const qint64 perS = m_count * 1000 / span;
            if (perS >= m_abovePerS)
                m_on = true;
            else if (perS < m_abovePerS - m_abovePerS / 4)
                m_on = false;
            m_count = 0;
            m_sinceMs = nowMs;
        }
        return m_on;
    }

    // The last decision, without making one.
    [[nodiscard]] bool isOn() const { return m_on; }

private:
    qint64 m_abovePerS;
    bool m_on;
    qint64 m_count = 0;
    qint64 m_sinceMs = 0;
};

} // namespace confab

#include "core/statshistory.h"

#include <algorithm>

namespace confab::console
{

StatsHistory::StatsHistory(qsizetype capacity)
    : m_capacity(std::max<qsizetype>(1, capacity))
{
    m_ring.resize(m_capacity);
}

StatsSample StatsSample::forApp(const QString &appId) const
{
    const AppSample a = apps.value(appId);
    return StatsSample { ts, a.streamDepth, a.ingestPerS, flushP50Ms, flushP95Ms, flushP99Ms, {} };
}

void StatsHistory::append(const Stats &stats)
{
    StatsSample sample { stats.ts, stats.streamDepth, stats.ingestPerS, stats.flush.p50Ms,
        stats.flush.p95Ms, stats.flush.p99Ms, {} };
    for (const AppStats &a : stats.apps)
        sample.apps.insert(a.appId, AppSample { 0, a.ingestPerS, a.connections });
    for (const StreamStats &st : stats.streams)
        sample.apps[st.appId].streamDepth += st.depth;
    append(sample);
}

void StatsHistory::append(const StatsSample &sample)
{
    if (m_size < m_capacity) {
        m_ring[(m_start + m_size) % m_capacity] = sample;
        ++m_size;
    } else {
        m_ring[m_start] = sample;
        m_start = (m_start + 1) % m_capacity;
    }
}

void StatsHistory::clear()
{
    m_start = 0;
    m_size = 0;
}

QList<StatsSample> StatsHistory::samples() const
{
    QList<StatsSample> out;
    out.reserve(m_size);
    for (qsizetype i = 0; i < m_size; ++i)
        out.append(m_ring.at((m_start + i) % m_capacity));
    return out;
}

QList<StatsSample> StatsHistory::samplesSince(qint64 sinceMs) const
{
    QList<StatsSample> out;
    for (qsizetype i = 0; i < m_size; ++i) {
        const StatsSample &s = m_ring.at((m_start + i) % m_capacity);
        if (s.ts >= sinceMs)
            out.append(s);
    }
    return out;
}

StatsSample StatsHistory::latest() const
{
    if (m_size == 0)
        return {};
    return m_ring.at((m_start + m_size - 1) % m_capacity);
}

} // namespace confab::console

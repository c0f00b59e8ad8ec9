#include "segments/blockcache.h"

namespace confab::segments
{

namespace
{

qint64 costOf(const QList<segment::Record> &records)
{
    // Payload bytes plus the per-record bookkeeping, so many tiny records still count.
    qint64 cost = 0;
    for (const segment::Record &r : records)
        cost += r.payload.size() + qint64(sizeof(segment::Record));
    return cost;
}

} // namespace

BlockCache::BlockCache(qint64 maxBytes)
    : m_maxBytes(qMax<qint64>(0, maxBytes))
{
}

BlockCache::Records BlockCache::find(const QString &segmentKey, qint64 offset)
{
    const auto it = m_index.constFind(Id { segmentKey, offset });
    if (it == m_index.constEnd())
        return {};
    m_entries.splice(m_entries.begin(), m_entries, *it);
    return (*it)->records;
}

void BlockCache::insert(const QString &segmentKey, qint64 offset, Records records)
{
    if (!records)
        return;
    const Id id { segmentKey, offset };
    if (const auto it = m_index.constFind(id); it != m_index.constEnd()) {
        m_bytes -= (*it)->cost;
        m_entries.erase(*it);
        m_index.remove(id);
    }
    const qint64 cost = costOf(*records);
    if (cost > m_maxBytes)
        return;
    evictTo(m_maxBytes - cost);
    m_entries.push_front(Entry { segmentKey, offset, cost, std::move(records) });
    m_index.insert(id, m_entries.begin());
    m_bytes += cost;
}

void BlockCache::evictTo(qint64 budget)
{
    while (m_bytes > budget && !m_entries.empty()) {
        const Entry &last = m_entries.back();
        m_bytes -= last.cost;
        m_index.remove(Id { last.key, last.offset });
        m_entries.pop_back();
    }
}

} // namespace confab::segments

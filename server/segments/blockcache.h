#pragma once

#include "segment/segment.h"

#include <QHash>
#include <QList>
#include <QString>

#include <list>
#include <memory>

namespace confab::segments
{

// Decoded blocks by (segment key, byte offset), least recently used out first, bounded by the
// bytes of their payloads. Blocks are immutable, so an entry never goes stale. One thread.
class BlockCache
{
public:
    using Records = std::shared_ptr<const QList<segment::Record>>;

    explicit BlockCache(qint64 maxBytes);

    [[nodiscard]] Records find(const QString &segmentKey, qint64 offset);
    // A block larger than the whole cache is not kept.
    void insert(const QString &segmentKey, qint64 offset, Records records);

    [[nodiscard]] qint64 bytes() const { return m_bytes; }
    [[nodiscard]] qint64 maxBytes() const { return m_maxBytes; }
    [[nodiscard]] int count() const { return int(m_entries.size()); }

private:
    struct Entry {
        QString key;
        qint64 offset = 0;
        qint64 cost = 0;
        Records records;
    };
    using Lru = std::list<Entry>;
    using Id = std::pair<QString, qint64>;

    void evictTo(qint64 budget);

    qint64 m_maxBytes;
    qint64 m_bytes = 0;
    Lru m_entries; // most recently used first
    QHash<Id, Lru::iterator> m_index;
};

} // namespace confab::segments

#pragma once

#include <QByteArray>
#include <QList>

namespace confab::segments
{

// One page of a conversation's history: envelopes (JSON bytes) in ascending seq_no, as
// HistoryStore reads them from the Redis tail and the segment blocks (docs/storage.md).
struct Page {
    QList<QByteArray> messages;
    qint64 firstSeq = 0; // of the page, 0 when empty
    qint64 lastSeq = 0;
    bool hasMore = false; // more in the direction read
};

} // namespace confab::segments

#pragma once

#include "confab/expected.h"
#include "retention/expiry.h"

#include <QFuture>
#include <QList>
#include <QString>
#include <QStringList>

namespace confab::store
{
class Database;
}

namespace confab::retention
{

// Where a keyset walk over the conversations table stopped; empty ids sort first.
struct ConversationCursor {
    QString appId;
    QString convoId;
};

// What retention reads and deletes in PostgreSQL: the segments and segment_blocks tables
// (migration 2) and, read only, the conversations table. flush_state is never touched.
class RetentionIndex
{
public:
    explicit RetentionIndex(store::Database *db);

    // Up to `limit` keys of segments whose newest record is older than cutoff (last_ts <
    // cutoff), walking each app's (app_id, last_ts) index.
    QFuture<Expected<QStringList>> expiredSegments(qint64 cutoff, int limit);

    // In one transaction, the rows of these segments (blocks, then the segment); answers how
    // many segment rows were deleted. Call only once their objects are gone.
    QFuture<Expected<qint64>> deleteSegments(QStringList keys);

    // Up to `limit` conversations after the cursor, in (app_id, id) order, each with the
    // last_seq and last_ts of its newest indexed block.
    QFuture<Expected<QList<TailTarget>>> conversations(ConversationCursor after, int limit);

private:
    store::Database *m_db;
};

} // namespace confab::retention

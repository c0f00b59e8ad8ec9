#pragma once

#include "confab/expected.h"
#include "segment/segment.h"

#include <QFuture>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace confab::store
{
class Database;
}

namespace confab::segments
{

// Where one block of one conversation lives: enough for a Range GET and to decode it.
struct BlockRef {
    QString segmentKey;
    qint64 offset = 0;
    qint64 length = 0;
    qint64 firstSeq = 0;
    qint64 lastSeq = 0;
    qint64 firstTs = 0;
    qint64 lastTs = 0;
};

// A conversation's flushed watermark: every seq_no up to it is in an indexed segment.
struct Watermark {
    QString appId;
    QString convoId;
    qint64 flushedSeq = 0;
};

// The segments, segment_blocks and flush_state tables (migration 2, docs/storage.md).
class SegmentIndex
{
public:
    explicit SegmentIndex(store::Database *db);

    // In one transaction: the segment row, one row per block, and each block's conversation
    // watermark raised to the last_seq of the block indexed at that (app, convo, first_seq).
    // A block indexed before (a retry after a crash) keeps its first row, so history is never
    // duplicated and the watermark never passes what is indexed. Answers every conversation's
    // watermark after the commit.
    QFuture<Expected<QHash<QString, qint64>>> commit(
        QString segmentKey, qint64 bytes, QList<segment::BlockInfo> blocks);

    // Watermarks of the given conversations of an app; 0 for those never flushed.
    QFuture<Expected<QHash<QString, qint64>>> flushedSeqs(QString appId, QStringList convoIds);

    // Blocks holding seq_no > afterSeq, by first_seq ascending; only blocks with a record at
    // or after minTs (0: any).
    QFuture<Expected<QList<BlockRef>>> blocksAfter(
        QString appId, QString convoId, qint64 afterSeq, qint64 minTs, int maxBlocks);
    // Blocks starting below beforeSeq, by last_seq descending.
    QFuture<Expected<QList<BlockRef>>> blocksBefore(
        QString appId, QString convoId, qint64 beforeSeq, qint64 minTs, int maxBlocks);

    // Every conversation that has a watermark or a row in the conversations table (0 when it
    // was never flushed): what recovery compares with the tail.
    QFuture<Expected<QList<Watermark>>> allConversations();

private:
    store::Database *m_db;
};

} // namespace confab::segments

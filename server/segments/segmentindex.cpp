#include "segments/segmentindex.h"

#include "store/database.h"
#include "store/sql.h"

#include "confab/jsonwriter.h"

namespace confab::segments
{

namespace sql = confab::store::sql;

namespace
{

const QString kInsertSegment
    = QStringLiteral("INSERT INTO segments (app_id, segment_key, bytes, blocks, first_ts, last_ts)"
                     " VALUES (:app, :key, :bytes, :blocks, :first_ts, :last_ts) ON CONFLICT "
                     "(segment_key) DO NOTHING");

// The blocks of one object go in as one JSON array (blocksJson), so indexing an object of a
// thousand conversations is three statements, not two per conversation.
const QString kBlockRecords = QStringLiteral(
    "jsonb_to_recordset(CAST(:blocks AS jsonb)) AS b(app_id text, convo_id text, first_seq bigint,"
    " last_seq bigint, first_ts bigint, last_ts bigint, byte_offset bigint, byte_length bigint)");

const QString kInsertBlocks = QStringLiteral(
    "INSERT INTO segment_blocks (app_id, convo_id, first_seq, last_seq, first_ts, last_ts,"
    " segment_key, byte_offset, byte_length)"
    " SELECT app_id, convo_id, first_seq, last_seq, first_ts, last_ts, :key, byte_offset,"
    " byte_length FROM ")
    + kBlockRecords + QStringLiteral(" ON CONFLICT (app_id, convo_id, first_seq) DO NOTHING");

// Each watermark is raised to whatever row sits at its block's first_seq, which is that block
// unless an earlier write of the same range got there first. The cutter gives a conversation
// one block per object; should one have two, the higher last_seq counts (blocks of one
// conversation in one object are back to back), since an upsert may touch a row only once.
const QString kRaiseWatermarks = QStringLiteral(
    "INSERT INTO flush_state (app_id, convo_id, flushed_seq)"
    " SELECT s.app_id, s.convo_id, max(s.last_seq) FROM ")
    + kBlockRecords
    + QStringLiteral(
        " JOIN segment_blocks s ON s.app_id = b.app_id AND s.convo_id = b.convo_id"
        " AND s.first_seq = b.first_seq GROUP BY s.app_id, s.convo_id"
        " ON CONFLICT (app_id, convo_id) DO UPDATE"
        " SET flushed_seq = GREATEST(flush_state.flushed_seq, EXCLUDED.flushed_seq), updated_at = now()"
        " RETURNING convo_id, flushed_seq");

QString blocksJson(const QList<segment::BlockInfo> &blocks)
{
    JsonWriter w(qsizetype(blocks.size()) * 160);
    w.beginArray();
    for (const segment::BlockInfo &b : blocks) {
        w.beginObject()
            .field("app_id", b.appId)
            .field("convo_id", b.convoId)
            .field("first_seq", b.firstSeq)
            .field("last_seq", b.lastSeq)
            .field("first_ts", b.firstTs)
            .field("last_ts", b.lastTs)
            .field("byte_offset", b.offset)
            .field("byte_length", b.length)
            .endObject();
    }
    w.endArray();
    return QString::fromUtf8(w.bytes());
}

const QString kSelectWatermarks
    = QStringLiteral("SELECT convo_id, flushed_seq FROM flush_state WHERE app_id = :app"
                     " AND convo_id IN (SELECT jsonb_array_elements_text(CAST(:ids AS jsonb)))");

const QString kBlockColumns
    = QStringLiteral("SELECT segment_key, byte_offset, byte_length, first_seq, last_seq, first_ts, "
                     "last_ts FROM segment_blocks ");

const QString kBlocksAfter = kBlockColumns
    + QStringLiteral(
        "WHERE app_id = :app AND convo_id = :convo AND last_seq > :seq AND last_ts >= :min_ts"
        " ORDER BY first_seq LIMIT :limit");

const QString kBlocksBefore = kBlockColumns
    + QStringLiteral(
        "WHERE app_id = :app AND convo_id = :convo AND first_seq < :seq AND last_ts >= :min_ts"
        " ORDER BY last_seq DESC LIMIT :limit");

const QString kAllConversations = QStringLiteral(
    "SELECT COALESCE(c.app_id, f.app_id), COALESCE(c.id, f.convo_id), COALESCE(f.flushed_seq, 0)"
    " FROM conversations c FULL OUTER JOIN flush_state f ON f.app_id = c.app_id AND f.convo_id = "
    "c.id");

Expected<QList<BlockRef>> selectBlocks(QSqlDatabase &db, const QString &stmt, const QString &app,
    const QString &convo, qint64 seq, qint64 minTs, int limit)
{
    const QString what = QStringLiteral("reading the segment index of %1/%2").arg(app, convo);
    auto q = sql::exec(db, stmt,
        { { "app", app }, { "convo", convo }, { "seq", seq }, { "min_ts", minTs },
            { "limit", qMax(1, limit) } },
        what);
    if (!q)
        return q.error();
    QList<BlockRef> out;
    while (q->next()) {
        out.append(BlockRef { q->value(0).toString(), q->value(1).toLongLong(),
            q->value(2).toLongLong(), q->value(3).toLongLong(), q->value(4).toLongLong(),
            q->value(5).toLongLong(), q->value(6).toLongLong() });
    }
    return out;
}

} // namespace

SegmentIndex::SegmentIndex(store::Database *db)
    : m_db(db)
{
}

QFuture<Expected<QHash<QString, qint64>>> SegmentIndex::commit(
    QString segmentKey, qint64 bytes, QList<segment::BlockInfo> blocks)
{
    return m_db->run<QHash<QString, qint64>>(
        [segmentKey, bytes, blocks](QSqlDatabase &db) -> Expected<QHash<QString, qint64>> {
            if (blocks.isEmpty())
                return Error::badRequest(
                    QStringLiteral("indexing segment %1: no blocks").arg(segmentKey));
            const QString app = blocks.first().appId;
            const QString what
                = QStringLiteral("indexing segment %1 of app %2").arg(segmentKey, app);
            qint64 firstTs = blocks.first().firstTs;
            qint64 lastTs = blocks.first().lastTs;
            for (const segment::BlockInfo &b : blocks) {
                firstTs = qMin(firstTs, b.firstTs);
                lastTs = qMax(lastTs, b.lastTs);
            }
            sql::Transaction tx(db);
            if (Status s = tx.begin(what); !s)
                return s.error();
            if (auto q = sql::exec(db, kInsertSegment,
                    { { "app", app }, { "key", segmentKey }, { "bytes", bytes },
                        { "blocks", int(blocks.size()) }, { "first_ts", firstTs },
                        { "last_ts", lastTs } },
                    what);
                !q)
                return q.error();
            const QString json = blocksJson(blocks);
            if (auto q = sql::exec(
                    db, kInsertBlocks, { { "key", segmentKey }, { "blocks", json } }, what);
                !q)
                return q.error();
            auto q = sql::exec(db, kRaiseWatermarks, { { "blocks", json } }, what);
            if (!q)
                return q.error();
            QHash<QString, qint64> watermarks;
            while (q->next())
                watermarks.insert(q->value(0).toString(), q->value(1).toLongLong());
            if (Status s = tx.commit(what); !s)
                return s.error();
            return watermarks;
        });
}

QFuture<Expected<QHash<QString, qint64>>> SegmentIndex::flushedSeqs(
    QString appId, QStringList convoIds)
{
    return m_db->run<QHash<QString, qint64>>(
        [appId, convoIds](QSqlDatabase &db) -> Expected<QHash<QString, qint64>> {
            QHash<QString, qint64> out;
            for (const QString &c : convoIds)
                out.insert(c, 0);
            auto q = sql::exec(db, kSelectWatermarks,
                { { "app", appId }, { "ids", sql::jsonList(convoIds) } },
                QStringLiteral("reading flushed watermarks of app %1").arg(appId));
            if (!q)
                return q.error();
            while (q->next())
                out.insert(q->value(0).toString(), q->value(1).toLongLong());
            return out;
        });
}

QFuture<Expected<QList<BlockRef>>> SegmentIndex::blocksAfter(
    QString appId, QString convoId, qint64 afterSeq, qint64 minTs, int maxBlocks)
{
    return m_db->run<QList<BlockRef>>([=](QSqlDatabase &db) {
        return selectBlocks(db, kBlocksAfter, appId, convoId, afterSeq, minTs, maxBlocks);
    });
}

QFuture<Expected<QList<BlockRef>>> SegmentIndex::blocksBefore(
    QString appId, QString convoId, qint64 beforeSeq, qint64 minTs, int maxBlocks)
{
    return m_db->run<QList<BlockRef>>([=](QSqlDatabase &db) {
        return selectBlocks(db, kBlocksBefore, appId, convoId, beforeSeq, minTs, maxBlocks);
    });
}

QFuture<Expected<QList<Watermark>>> SegmentIndex::allConversations()
{
    return m_db->run<QList<Watermark>>([](QSqlDatabase &db) -> Expected<QList<Watermark>> {
        auto q = sql::exec(
            db, kAllConversations, {}, QStringLiteral("listing conversations for recovery"));
        if (!q)
            return q.error();
        QList<Watermark> out;
        while (q->next())
            out.append(Watermark {
                q->value(0).toString(), q->value(1).toString(), q->value(2).toLongLong() });
        return out;
    });
}

} // namespace confab::segments

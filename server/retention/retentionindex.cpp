#include "retention/retentionindex.h"

#include "store/database.h"
#include "store/sql.h"

#include <QSqlQuery>

namespace confab::retention
{

namespace sql = confab::store::sql;

namespace
{

// A loose index scan lists the apps (one index probe each), then each app's oldest segments come
// from its (app_id, last_ts) index, so a pass never sorts or scans the whole table.
const QString kExpiredSegments = QStringLiteral(
    "WITH RECURSIVE apps AS ("
    " SELECT min(app_id) AS id FROM segments"
    " UNION ALL"
    " SELECT (SELECT min(s.app_id) FROM segments s WHERE s.app_id > apps.id) FROM apps"
    " WHERE apps.id IS NOT NULL)"
    " SELECT e.segment_key FROM apps CROSS JOIN LATERAL ("
    " SELECT segment_key FROM segments WHERE segments.app_id = apps.id AND last_ts < :cutoff"
    " ORDER BY last_ts LIMIT :limit) e"
    " WHERE apps.id IS NOT NULL LIMIT :total");

const QString kKeyList = QStringLiteral("(SELECT jsonb_array_elements_text(CAST(:keys AS jsonb)))");

const QString kDeleteBlocks
    = QStringLiteral("DELETE FROM segment_blocks WHERE segment_key IN ") + kKeyList;

const QString kDeleteSegments
    = QStringLiteral("DELETE FROM segments WHERE segment_key IN ") + kKeyList;

const QString kConversations
    = QStringLiteral("SELECT c.app_id, c.id, COALESCE(b.last_seq, 0), COALESCE(b.last_ts, 0)"
                     " FROM conversations c LEFT JOIN LATERAL ("
                     " SELECT last_seq, last_ts FROM segment_blocks"
                     " WHERE segment_blocks.app_id = c.app_id AND segment_blocks.convo_id = c.id"
                     " ORDER BY last_seq DESC LIMIT 1) b ON true"
                     " WHERE (c.app_id, c.id) > (:app, :convo)"
                     " ORDER BY c.app_id, c.id LIMIT :limit");

} // namespace

RetentionIndex::RetentionIndex(store::Database *db)
    : m_db(db)
{
}

QFuture<Expected<QStringList>> RetentionIndex::expiredSegments(qint64 cutoff, int limit)
{
    return m_db->run<QStringList>([cutoff, limit](QSqlDatabase &db) -> Expected<QStringList> {
        auto q = sql::exec(db, kExpiredSegments,
            { { "cutoff", cutoff }, { "limit", qMax(1, limit) }, { "total", qMax(1, limit) } },
            QStringLiteral("listing expired segments"));
        if (!q)
            return q.error();
        QStringList out;
        while (q->next())
            out.append(q->value(0).toString());
        return out;
    });
}

QFuture<Expected<qint64>> RetentionIndex::deleteSegments(QStringList keys)
{
    return m_db->run<qint64>([keys](QSqlDatabase &db) -> Expected<qint64> {
        const QString what
            = QStringLiteral("deleting the index rows of %1 expired segments").arg(keys.size());
        const QString list = sql::jsonList(keys);
        sql::Transaction tx(db);
        if (Status s = tx.begin(what); !s)
            return s.error();
        if (auto q = sql::exec(db, kDeleteBlocks, { { "keys", list } }, what); !q)
            return q.error();
        auto q = sql::exec(db, kDeleteSegments, { { "keys", list } }, what);
        if (!q)
            return q.error();
        const qint64 deleted = q->numRowsAffected();
        if (Status s = tx.commit(what); !s)
            return s.error();
        return deleted;
    });
}

QFuture<Expected<QList<TailTarget>>> RetentionIndex::conversations(
    ConversationCursor after, int limit)
{
    return m_db->run<QList<TailTarget>>(
        [after, limit](QSqlDatabase &db) -> Expected<QList<TailTarget>> {
            auto q = sql::exec(db, kConversations,
                { { "app", after.appId }, { "convo", after.convoId }, { "limit", qMax(1, limit) } },
                QStringLiteral("listing conversations for retention"));
            if (!q)
                return q.error();
            QList<TailTarget> out;
            while (q->next())
                out.append(TailTarget { q->value(0).toString(), q->value(1).toString(),
                    q->value(2).toLongLong(), q->value(3).toLongLong() });
            return out;
        });
}

} // namespace confab::retention

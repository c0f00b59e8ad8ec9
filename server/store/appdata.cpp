#include "store/appdata.h"

#include "store/database.h"
#include "store/sql.h"

namespace confab::store {

namespace {

const QString kCounts = QStringLiteral(
    "SELECT (SELECT count(*) FROM conversations WHERE app_id = :app),"
    " (SELECT count(*) FROM members WHERE app_id = :app),"
    " (SELECT count(*) FROM api_keys WHERE app_id = :app AND revoked_at IS NULL"
    "   AND (expires_at IS NULL OR expires_at > now())),"
    " (SELECT coalesce(sum(last_seq - first_seq + 1), 0) FROM segment_blocks WHERE app_id = :app),"
    " (SELECT count(*) FROM segments WHERE app_id = :app),"
    " (SELECT count(*) FROM dead_letters WHERE app_id = :app AND resolved_at IS NULL)"
    " FROM apps WHERE id = :app");

Expected<AppDataCounts> readCounts(QSqlDatabase &db, const QString &appId, const QString &what)
{
    auto q = sql::exec(db, kCounts, {{"app", appId}}, what);
    if (!q)
        return q.error();
    if (!q->next())
        return Error::notFound(QStringLiteral("no app '%1'").arg(appId));
    AppDataCounts c;
    c.conversations = q->value(0).toLongLong();
    c.members = q->value(1).toLongLong();
    c.keys = q->value(2).toLongLong();
    c.messages = q->value(3).toLongLong();
    c.segments = q->value(4).toLongLong();
    c.deadLetters = q->value(5).toLongLong();
    return c;
}

Expected<QStringList> column(QSqlDatabase &db, const QString &stmt, const QString &appId, const QString &what)
{
    auto q = sql::exec(db, stmt, {{"app", appId}}, what);
    if (!q)
        return q.error();
    QStringList values;
    while (q->next())
        values.append(q->value(0).toString());
    return values;
}

Expected<RemovedApp> removeApp(QSqlDatabase &db, const QString &appId)
{
    const QString what = QStringLiteral("deleting app '%1'").arg(appId);
    sql::Transaction tx(db);
    if (Status s = tx.begin(what); !s)
        return s.error();
    // Locks the app row first, so a concurrent key or conversation insert waits or fails.
    auto lock = sql::exec(db, QStringLiteral("SELECT 1 FROM apps WHERE id = :app FOR UPDATE"), {{"app", appId}}, what);
    if (!lock)
        return lock.error();
    if (!lock->next())
        return Error::notFound(QStringLiteral("no app '%1'").arg(appId));
    RemovedApp r;
    auto counts = readCounts(db, appId, what);
    if (!counts)
        return counts.error();
    r.counts = *counts;
    auto keys = column(db, QStringLiteral("SELECT id FROM api_keys WHERE app_id = :app"), appId, what);
    auto segments = column(db, QStringLiteral("SELECT segment_key FROM segments WHERE app_id = :app"), appId, what);
    auto convos = column(db, QStringLiteral("SELECT id FROM conversations WHERE app_id = :app"), appId, what);
    if (!keys || !segments || !convos)
        return !keys ? keys.error() : !segments ? segments.error() : convos.error();
    r.keyIds = *keys;
    r.segmentKeys = *segments;
    r.conversationIds = *convos;
    // members and segment_blocks go with their conversations / segments (ON DELETE CASCADE),
    // api_keys with the app.
    for (const char *table : {"conversations", "segment_blocks", "segments", "flush_state", "dead_letters"}) {
        const QString stmt = QStringLiteral("DELETE FROM %1 WHERE app_id = :app").arg(QLatin1String(table));
        if (auto q = sql::exec(db, stmt, {{"app", appId}}, what); !q)
            return q.error();
    }
    if (auto q = sql::exec(db, QStringLiteral("DELETE FROM apps WHERE id = :app"), {{"app", appId}}, what); !q)
        return q.error();
    if (Status s = tx.commit(what); !s)
        return s.error();
    return r;
}

} // namespace

AppDataRepository::AppDataRepository(Database *db) : m_db(db) { }

QFuture<Expected<AppDataCounts>> AppDataRepository::counts(QString appId)
{
    return m_db->run<AppDataCounts>([appId = std::move(appId)](QSqlDatabase &db) {
        return readCounts(db, appId, QStringLiteral("counting the data of app '%1'").arg(appId));
    });
}

QFuture<Expected<RemovedApp>> AppDataRepository::remove(QString appId)
{
    return m_db->run<RemovedApp>([appId = std::move(appId)](QSqlDatabase &db) { return removeApp(db, appId); });
}

QFuture<Expected<QList<AppSummary>>> AppDataRepository::summaries()
{
    return m_db->run<QList<AppSummary>>([](QSqlDatabase &db) -> Expected<QList<AppSummary>> {
        static const QString stmt = QStringLiteral(
            "SELECT a.id, a.name, (SELECT count(*) FROM dead_letters d WHERE d.app_id = a.id AND d.resolved_at IS NULL)"
            " FROM apps a ORDER BY a.created_at, a.id LIMIT %1").arg(kMaxSummaries);
        auto q = sql::exec(db, stmt, {}, QStringLiteral("summarising apps"));
        if (!q)
            return q.error();
        QList<AppSummary> apps;
        while (q->next())
            apps.append(AppSummary{q->value(0).toString(), q->value(1).toString(), q->value(2).toLongLong()});
        return apps;
    });
}

} // namespace confab::store

#include "webhooks/deliveries.h"

#include "confab/ids.h"
#include "store/database.h"
#include "store/sql.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>

namespace confab::webhooks {

namespace sql = confab::store::sql;

namespace {

QString newEventId()
{
    return QStringLiteral("evt_") + QString::fromLatin1(newUlid()).toLower();
}

Status okOr(const Expected<QSqlQuery> &q)
{
    if (!q)
        return q.error();
    return Ok{};
}

} // namespace

const QStringList &eventTypes()
{
    static const QStringList types{kMessageOffline, kConversationCreated, kMemberAdded, kMemberRemoved};
    return types;
}

DeliveryRepository::DeliveryRepository(store::Database *db) : m_db(db) { }

QFuture<Status> DeliveryRepository::enqueue(QString appId, QString type, QString userId, QString convoId,
                                            QByteArray data)
{
    return m_db->run<Ok>([=](QSqlDatabase &db) -> Status {
        return okOr(sql::exec(db,
                              QStringLiteral("INSERT INTO webhook_deliveries (id, app_id, type, user_id, convo_id, data)"
                                             " VALUES (:id, :app, :type, :user, :convo, CAST(:data AS jsonb))"),
                              {{"id", newEventId()},
                               {"app", appId},
                               {"type", type},
                               {"user", userId},
                               {"convo", convoId},
                               {"data", QString::fromUtf8(data)}},
                              QStringLiteral("queueing a %1 webhook for app %2").arg(type, appId)));
    });
}

QFuture<Status> DeliveryRepository::enqueueOffline(QString appId, QString convoId, QStringList users,
                                                   QByteArray envelope, qint64 coalesceMs)
{
    QJsonArray items;
    for (const QString &u : users)
        items.append(QJsonObject{{QStringLiteral("u"), u}, {QStringLiteral("id"), newEventId()}});
    const QString itemsJson = QString::fromUtf8(QJsonDocument(items).toJson(QJsonDocument::Compact));
    return m_db->run<Ok>([=](QSqlDatabase &db) -> Status {
        // The kept envelopes are the 3 highest seq_no, oldest first, not the last 3 to arrive:
        // the upserts of consecutive messages run on different pool threads and may commit in
        // either order.
        static const QString stmt = QStringLiteral(
            "INSERT INTO webhook_deliveries (id, app_id, type, user_id, convo_id, data, coalescing, due_at)"
            " SELECT i->>'id', :app, 'message.offline', i->>'u', :convo,"
            "  jsonb_build_object('user_id', i->>'u', 'convo_id', CAST(:convo2 AS text), 'count', 1,"
            "                     'messages', jsonb_build_array(CAST(:env AS jsonb))),"
            "  true, now() + CAST(:coalesce AS bigint) * interval '1 millisecond'"
            " FROM json_array_elements(CAST(:items AS json)) AS i"
            " ON CONFLICT (app_id, user_id, convo_id) WHERE coalescing DO UPDATE SET data ="
            "  jsonb_set(jsonb_set(webhook_deliveries.data, '{count}',"
            "    to_jsonb(CAST(webhook_deliveries.data->>'count' AS bigint) + 1)),"
            "   '{messages}', (SELECT jsonb_agg(m ORDER BY CAST(m->>'seq_no' AS bigint)) FROM"
            "    (SELECT m FROM jsonb_array_elements((webhook_deliveries.data->'messages') || (EXCLUDED.data->'messages')) AS m"
            "     ORDER BY CAST(m->>'seq_no' AS bigint) DESC LIMIT 3) AS kept))");
        return okOr(sql::exec(db, stmt,
                              {{"app", appId},
                               {"convo", convoId},
                               {"convo2", convoId},
                               {"env", QString::fromUtf8(envelope)},
                               {"coalesce", coalesceMs},
                               {"items", itemsJson}},
                              QStringLiteral("queueing message.offline webhooks for %1/%2").arg(appId, convoId)));
    });
}

QFuture<Expected<QList<Delivery>>> DeliveryRepository::claim(QString node, int limit, int perApp,
                                                             QHash<QString, int> freeSlots, qint64 leaseMs)
{
    QJsonObject free;
    for (auto it = freeSlots.cbegin(); it != freeSlots.cend(); ++it)
        free.insert(it.key(), it.value());
    const QString freeJson = QString::fromUtf8(QJsonDocument(free).toJson(QJsonDocument::Compact));
    return m_db->run<QList<Delivery>>([=](QSqlDatabase &db) -> Expected<QList<Delivery>> {
        // ranked: the head of each (app, user, conversation), numbered per app; cand locks the
        // ones within each app's free slots, skipping rows another node is claiming right now.
        static const QString stmt = QStringLiteral(
            "WITH ranked AS ("
            "  SELECT d.seq, d.app_id, d.due_at,"
            "   row_number() OVER (PARTITION BY d.app_id ORDER BY d.due_at, d.seq) AS rn"
            "  FROM webhook_deliveries d"
            "  WHERE NOT d.dead AND d.due_at <= now() AND (d.lease_until IS NULL OR d.lease_until < now())"
            "   AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.app_id = d.app_id"
            "    AND e.user_id = d.user_id AND e.convo_id = d.convo_id AND e.seq < d.seq AND NOT e.dead)),"
            " picked AS ("
            "  SELECT seq FROM ranked"
            "  WHERE rn <= COALESCE(CAST(CAST(:free AS jsonb)->>app_id AS integer), CAST(:per_app AS integer))"
            "  ORDER BY due_at, seq LIMIT :limit),"
            " cand AS ("
            "  SELECT w.seq FROM webhook_deliveries w WHERE w.seq IN (SELECT seq FROM picked)"
            "   AND NOT w.dead AND (w.lease_until IS NULL OR w.lease_until < now())"
            "  FOR UPDATE SKIP LOCKED)"
            " UPDATE webhook_deliveries w SET lease_until = now() + CAST(:lease AS bigint) * interval '1 millisecond',"
            "  leased_by = :node, coalescing = false"
            " FROM cand WHERE w.seq = cand.seq"
            " RETURNING w.seq, w.id, w.app_id, w.type, w.user_id, w.convo_id, CAST(w.data AS text), ")
            + sql::msOf("w.created_at") + QStringLiteral(", ") + sql::msOf("w.retry_from")
            + QStringLiteral(", w.attempts");
        auto q = sql::exec(db, stmt,
                           {{"free", freeJson}, {"per_app", perApp}, {"limit", limit}, {"lease", leaseMs}, {"node", node}},
                           QStringLiteral("claiming due webhooks"));
        if (!q)
            return q.error();
        QList<Delivery> out;
        while (q->next()) {
            out.append(Delivery{q->value(0).toLongLong(), q->value(1).toString(), q->value(2).toString(),
                                q->value(3).toString(), q->value(4).toString(), q->value(5).toString(),
                                q->value(6).toString().toUtf8(), q->value(7).toLongLong(), q->value(8).toLongLong(),
                                q->value(9).toInt()});
        }
        std::sort(out.begin(), out.end(), [](const Delivery &a, const Delivery &b) { return a.seq < b.seq; });
        return out;
    });
}

QFuture<Status> DeliveryRepository::delivered(qint64 seq)
{
    return m_db->run<Ok>([seq](QSqlDatabase &db) -> Status {
        return okOr(sql::exec(db, QStringLiteral("DELETE FROM webhook_deliveries WHERE seq = :seq"), {{"seq", seq}},
                              QStringLiteral("removing a delivered webhook")));
    });
}

QFuture<Status> DeliveryRepository::failed(qint64 seq, int attempts, qint64 dueMs, QString error)
{
    return m_db->run<Ok>([=](QSqlDatabase &db) -> Status {
        static const QString stmt
            = QStringLiteral("UPDATE webhook_deliveries SET attempts = :attempts, last_error = :error,"
                             " lease_until = NULL, leased_by = NULL, dead = CAST(:dead AS boolean),"
                             " due_at = CASE WHEN CAST(:due AS bigint) >= 0 THEN %1 ELSE due_at END WHERE seq = :seq")
                  .arg(sql::tsOf("due2"));
        return okOr(sql::exec(db, stmt,
                              {{"attempts", attempts},
                               {"error", error.left(500)},
                               {"dead", dueMs < 0},
                               {"due", dueMs},
                               {"due2", std::max<qint64>(dueMs, 0)},
                               {"seq", seq}},
                              QStringLiteral("rescheduling a failed webhook")));
    });
}

QFuture<Expected<int>> DeliveryRepository::requeueDead(QString appId, QString convoId)
{
    return m_db->run<int>([=](QSqlDatabase &db) -> Expected<int> {
        auto q = sql::exec(db,
                           QStringLiteral("UPDATE webhook_deliveries SET dead = false, attempts = 0, last_error = '',"
                                          " retry_from = now(), due_at = now()"
                                          " WHERE dead AND app_id = :app AND convo_id = :convo"),
                           {{"app", appId}, {"convo", convoId}},
                           QStringLiteral("retrying the dead webhooks of %1/%2").arg(appId, convoId));
        if (!q)
            return q.error();
        return q->numRowsAffected();
    });
}

QFuture<Expected<int>> DeliveryRepository::discardDead(QString appId, QString convoId)
{
    return m_db->run<int>([=](QSqlDatabase &db) -> Expected<int> {
        auto q = sql::exec(db,
                           QStringLiteral("DELETE FROM webhook_deliveries WHERE dead AND app_id = :app AND convo_id = :convo"),
                           {{"app", appId}, {"convo", convoId}},
                           QStringLiteral("discarding the dead webhooks of %1/%2").arg(appId, convoId));
        if (!q)
            return q.error();
        return q->numRowsAffected();
    });
}

QFuture<Expected<qint64>> DeliveryRepository::pending()
{
    return m_db->run<qint64>([](QSqlDatabase &db) -> Expected<qint64> {
        auto q = sql::exec(db, QStringLiteral("SELECT count(*) FROM webhook_deliveries WHERE NOT dead"), {},
                           QStringLiteral("counting pending webhooks"));
        if (!q)
            return q.error();
        return q->next() ? q->value(0).toLongLong() : 0;
    });
}

} // namespace confab::webhooks

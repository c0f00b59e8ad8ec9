#include "store/apikeys.h"

#include "confab/ids.h"
#include "store/database.h"
#include "store/sql.h"

namespace confab::store {

namespace {

// The table's columns and statements, in one place.
const QString kColumns = QStringLiteral("id, app_id, label, secret_hash, ") + sql::msOf("created_at")
    + QStringLiteral(", ") + sql::msOf("expires_at") + QStringLiteral(", ") + sql::msOf("revoked_at");

const QString kInsert = QStringLiteral("INSERT INTO api_keys (id, app_id, label, secret_hash)"
                                       " VALUES (:id, :app, :label, :hash) RETURNING ")
    + kColumns;
const QString kSelect = QStringLiteral("SELECT %1 FROM api_keys WHERE id = :id").arg(kColumns);
// LEAST ignores NULL, so a key without an expiry simply gets now + grace.
const QString kExpireForRotation = QStringLiteral(
    "UPDATE api_keys SET expires_at = LEAST(expires_at, now() + CAST(:grace AS bigint) * interval '1 millisecond')"
    " WHERE id = :id AND app_id = :app AND revoked_at IS NULL"
    " AND (expires_at IS NULL OR expires_at > now()) RETURNING label"); // an expired key is gone
const QString kRevoke = QStringLiteral("UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())"
                                       " WHERE id = :id AND app_id = :app");

ApiKey fromRow(const QSqlQuery &q)
{
    ApiKey k;
    k.id = q.value(0).toString();
    k.appId = q.value(1).toString();
    k.label = q.value(2).toString();
    k.secretHash = q.value(3).toString().toLatin1();
    k.createdMs = q.value(4).toLongLong();
    k.expiresMs = q.value(5).isNull() ? 0 : q.value(5).toLongLong();
    k.revokedMs = q.value(6).isNull() ? 0 : q.value(6).toLongLong();
    return k;
}

Expected<ApiKey> insertKey(QSqlDatabase &db, ApiKey key)
{
    if (key.id.isEmpty())
        key.id = QStringLiteral("k_") + QString::fromLatin1(newUlid()).toLower();
    const QString what = QStringLiteral("creating API key '%1' of app '%2'").arg(key.id, key.appId);
    QSqlError error;
    auto q = sql::exec(db, kInsert,
                       {{"id", key.id},
                        {"app", key.appId},
                        {"label", key.label},
                        {"hash", QString::fromLatin1(key.secretHash)}},
                       what, &error);
    if (!q && sql::isForeignKeyViolation(error))
        return Error::notFound(QStringLiteral("no app '%1'").arg(key.appId));
    if (!q && sql::isUniqueViolation(error))
        return Error::conflict(QStringLiteral("an API key '%1' already exists").arg(key.id));
    if (!q)
        return q.error();
    if (!q->next())
        return Error::internal(what + QStringLiteral(": the insert returned no row"));
    return fromRow(*q);
}

Expected<ApiKey> rotateKey(QSqlDatabase &db, const QString &appId, const QString &oldKeyId,
                           ApiKey newKey, qint64 graceMs)
{
    const QString what = QStringLiteral("rotating API key '%1' of app '%2'").arg(oldKeyId, appId);
    sql::Transaction tx(db);
    if (Status s = tx.begin(what); !s)
        return s.error();
    auto old = sql::exec(db, kExpireForRotation,
                         {{"grace", std::max<qint64>(0, graceMs)}, {"id", oldKeyId}, {"app", appId}}, what);
    if (!old)
        return old.error();
    if (!old->next())
        return Error::notFound(QStringLiteral("no usable API key '%1' in app '%2'").arg(oldKeyId, appId));
    newKey.appId = appId;
    if (newKey.label.isEmpty())
        newKey.label = old->value(0).toString();
    Expected<ApiKey> inserted = insertKey(db, std::move(newKey));
    if (!inserted)
        return inserted;
    if (Status s = tx.commit(what); !s)
        return s.error();
    return inserted;
}

} // namespace

ApiKeyRepository::ApiKeyRepository(Database *db) : m_db(db) { }

QFuture<Expected<ApiKey>> ApiKeyRepository::create(ApiKey key)
{
    return m_db->run<ApiKey>([key = std::move(key)](QSqlDatabase &db) { return insertKey(db, key); });
}

QFuture<Expected<ApiKey>> ApiKeyRepository::get(QString keyId)
{
    return m_db->run<ApiKey>([keyId = std::move(keyId)](QSqlDatabase &db) -> Expected<ApiKey> {
        auto q = sql::exec(db, kSelect, {{"id", keyId}}, QStringLiteral("reading API key '%1'").arg(keyId));
        if (!q)
            return q.error();
        if (!q->next())
            return Error::notFound(QStringLiteral("no API key '%1'").arg(keyId));
        return fromRow(*q);
    });
}

QFuture<Expected<ApiKey>> ApiKeyRepository::rotate(QString appId, QString oldKeyId, ApiKey newKey,
                                                   qint64 graceMs)
{
    return m_db->run<ApiKey>(
        [appId = std::move(appId), oldKeyId = std::move(oldKeyId), newKey = std::move(newKey),
         graceMs](QSqlDatabase &db) { return rotateKey(db, appId, oldKeyId, newKey, graceMs); });
}

QFuture<Status> ApiKeyRepository::revoke(QString appId, QString keyId)
{
    return m_db->run<Ok>([appId = std::move(appId), keyId = std::move(keyId)](QSqlDatabase &db) -> Status {
        auto q = sql::exec(db, kRevoke, {{"id", keyId}, {"app", appId}},
                           QStringLiteral("revoking API key '%1' of app '%2'").arg(keyId, appId));
        if (!q)
            return q.error();
        if (q->numRowsAffected() == 0)
            return Error::notFound(QStringLiteral("no API key '%1' in app '%2'").arg(keyId, appId));
        return Ok{};
    });
}

QFuture<Expected<QList<ApiKey>>> ApiKeyRepository::listForApp(QString appId)
{
    return m_db->run<QList<ApiKey>>([appId = std::move(appId)](QSqlDatabase &db) -> Expected<QList<ApiKey>> {
        const QString what = QStringLiteral("listing the API keys of app '%1'").arg(appId);
        auto app = sql::exec(db, QStringLiteral("SELECT 1 FROM apps WHERE id = :app"), {{"app", appId}}, what);
        if (!app)
            return app.error();
        if (!app->next())
            return Error::notFound(QStringLiteral("no app '%1'").arg(appId));
        static const QString stmt = QStringLiteral(
            "SELECT %1 FROM api_keys WHERE app_id = :app AND revoked_at IS NULL"
            " AND (expires_at IS NULL OR expires_at > now()) ORDER BY created_at, id LIMIT 1000").arg(kColumns);
        auto q = sql::exec(db, stmt, {{"app", appId}}, what);
        if (!q)
            return q.error();
        QList<ApiKey> keys;
        while (q->next())
            keys.append(fromRow(*q));
        return keys;
    });
}

} // namespace confab::store

#pragma once

#include "confab/expected.h"

#include <QByteArray>
#include <QFuture>
#include <QList>
#include <QString>

namespace confab::store {

class Database;

// The server stores only a hash of the secret part of a key.
struct ApiKey
{
    QString id;            // key id (public part), generated ("k_" + lowercase ULID) when empty
    QString appId;
    QString label;
    QByteArray secretHash; // hex SHA-256 computed by the caller
    qint64 createdMs = 0;
    qint64 expiresMs = 0;  // 0: never (set by rotate: now + grace)
    qint64 revokedMs = 0;  // 0: not revoked
};

// The api_keys table. Times come from the database clock, which every node shares.
class ApiKeyRepository
{
public:
    explicit ApiKeyRepository(Database *db);

    // NotFound if the app does not exist; Conflict if the key id does.
    QFuture<Expected<ApiKey>> create(ApiKey key);
    QFuture<Expected<ApiKey>> get(QString keyId); // NotFound
    // In one transaction: insert newKey (for appId; an empty label takes the old key's), and
    // set the old key's expiry to now + graceMs, never later than an expiry it already has.
    // NotFound if the old key is missing, revoked or of another app.
    QFuture<Expected<ApiKey>> rotate(QString appId, QString oldKeyId, ApiKey newKey, qint64 graceMs);
    // Revoking a revoked key succeeds and keeps the first revocation time. NotFound if the key
    // is missing or of another app.
    QFuture<Status> revoke(QString appId, QString keyId);
    // The keys of an app that still work (not revoked, not past a rotation's expiry), oldest
    // first, at most 1000. NotFound if the app does not exist.
    QFuture<Expected<QList<ApiKey>>> listForApp(QString appId);

private:
    Database *m_db;
};

} // namespace confab::store

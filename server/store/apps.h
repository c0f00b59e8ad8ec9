#pragma once

#include "confab/expected.h"

#include <QByteArray>
#include <QFuture>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace confab::store {

class Database;

struct App
{
    QString id;             // generated ("app_" + lowercase ULID) when empty on create
    QString name;
    QString oidcIssuer;     // empty: no OIDC
    QString oidcAudience;
    QJsonObject limits;     // per-app overrides keyed as in [limits], e.g. {"user_msgs_per_min":120}
    QJsonObject policy;     // what its users may do, e.g. {"users_create_groups":false} (access::Policy)
    QByteArray tokenSecret; // 32 random bytes generated on create; signs Confab-minted user tokens
    qint64 createdMs = 0;
};

struct AppPatch
{
    std::optional<QString> name, oidcIssuer, oidcAudience;
    std::optional<QJsonObject> limits;
    std::optional<QJsonObject> policy;
};

// The apps table.
class AppRepository
{
public:
    explicit AppRepository(Database *db);

    // An explicit id that exists answers Conflict. A tokenSecret given by the caller is kept.
    QFuture<Expected<App>> create(App app);
    QFuture<Expected<App>> update(QString appId, AppPatch patch); // NotFound
    QFuture<Expected<App>> get(QString appId);                    // NotFound
    QFuture<Expected<QList<App>>> list();                         // oldest first
    QFuture<Expected<QList<App>>> findByIssuer(QString issuer);

private:
    Database *m_db;
};

} // namespace confab::store

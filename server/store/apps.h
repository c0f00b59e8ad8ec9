#pragma once

#include "confab/expected.h"

#include <QByteArray>
#include <QFuture>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace confab::store {

class Database;

// An app's webhook (PROTOCOL.md section 9, docs/webhooks.md). The secrets are HMAC keys, so
// they are stored as they are (docs/security.md); never logged, never in an answer but the one
// that creates them.
struct Webhook
{
    QString url;             // empty: no webhook
    QStringList events;      // empty: every event type
    QString secret;          // signs every call
    QString oldSecret;       // signs too while oldSecretUntilMs is in the future
    qint64 oldSecretUntilMs = 0;
};

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
    Webhook webhook;
};

// "webhook": {"url", "events"} sets the endpoint; "webhook": null removes it (the secret stays,
// so setting one again signs with the secret already handed out).
struct WebhookPatch
{
    bool remove = false;
    QString url;
    QStringList events;
};

struct AppPatch
{
    std::optional<QString> name, oidcIssuer, oidcAudience;
    std::optional<QJsonObject> limits;
    std::optional<QJsonObject> policy;
    std::optional<WebhookPatch> webhook;
    // Used as the webhook secret when the app has none yet (the first webhook set); the
    // answer's app then holds the same string, which is how a caller knows to show it once.
    QString newWebhookSecret;
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
    // Makes newSecret the webhook secret; the previous one keeps signing for graceMs (none
    // when 0). NotFound.
    QFuture<Expected<App>> rotateWebhookSecret(QString appId, QString newSecret, qint64 graceMs);

private:
    Database *m_db;
};

} // namespace confab::store

#include "api/adminapi.h"

#include "access/appdirectory.h"
#include "access/policy.h"
#include "auth/apikey.h"
#include "auth/crypto.h"
#include "confab/jsonwriter.h"
#include "http/router.h"
#include "redis/client.h"
#include "schema/keys.h"
#include "store/apikeys.h"
#include "store/apps.h"
#include "webhooks/deliveries.h"
#include "webhooks/signature.h"
#include "webhooks/urlpolicy.h"

#include <QCoro/QCoroFuture>
#include <QDateTime>
#include <QLoggingCategory>
#include <QJsonArray>
#include <QHostAddress>
#include <QHostInfo>
#include <QUrl>

Q_LOGGING_CATEGORY(lcApi, "confab.api", QtInfoMsg)

namespace confab::api {

namespace {

const char *const kLimitKeys[] = {"user_msgs_per_min", "app_msgs_per_s", "conns_per_user_per_10s",
                                  "client_buffer_soft", "client_buffer_hard", "max_inflight_per_conn",
                                  "max_sessions_per_key", "user_convos_per_min", "app_convos_per_s"};

// The app's webhook without its secrets (they are shown once, when made), or null.
QJsonValue webhookJson(const store::Webhook &w)
{
    if (w.url.isEmpty())
        return QJsonValue::Null;
    return QJsonObject{{QStringLiteral("url"), w.url},
                       {QStringLiteral("events"), QJsonArray::fromStringList(w.events.isEmpty() ? webhooks::eventTypes() : w.events)}};
}

// "webhook": {"url","events"?} or null (PROTOCOL.md section 3 and 9); the URL's shape and
// literal address are checked here, a host name's addresses by the caller.
Status readWebhookField(const QJsonObject &o, bool allowPrivate, store::AppPatch &patch)
{
    const QJsonValue v = o.value(QLatin1String("webhook"));
    if (v.isUndefined())
        return Ok{};
    store::WebhookPatch hook;
    if (v.isNull()) {
        hook.remove = true;
        patch.webhook = hook;
        return Ok{};
    }
    if (!v.isObject())
        return Error::badRequest(QStringLiteral("'webhook' must be an object or null"));
    const QJsonObject w = v.toObject();
    for (auto it = w.begin(); it != w.end(); ++it) {
        if (it.key() != QLatin1String("url") && it.key() != QLatin1String("events"))
            return Error::badRequest(QStringLiteral("unknown webhook field '%1'").arg(it.key()));
    }
    const QJsonValue url = w.value(QLatin1String("url"));
    if (!url.isString())
        return Error::badRequest(QStringLiteral("'webhook.url' must be a string"));
    hook.url = url.toString();
    if (auto s = webhooks::checkUrl(QUrl(hook.url, QUrl::StrictMode), allowPrivate); !s)
        return s;
    const QJsonValue events = w.value(QLatin1String("events"));
    if (!events.isUndefined() && !events.isNull()) {
        if (!events.isArray() || events.toArray().isEmpty())
            return Error::badRequest(QStringLiteral("'webhook.events' must be a non-empty array of event types"));
        for (const QJsonValue &e : events.toArray()) {
            if (!e.isString() || !webhooks::eventTypes().contains(e.toString()))
                return Error::badRequest(QStringLiteral("'webhook.events' holds an unknown event type; known: %1")
                                             .arg(webhooks::eventTypes().join(QStringLiteral(", "))));
            if (!hook.events.contains(e.toString()))
                hook.events.append(e.toString());
        }
        if (hook.events.size() == webhooks::eventTypes().size())
            hook.events.clear(); // all of them, including types added later
    }
    patch.webhook = hook;
    return Ok{};
}

} // namespace

QJsonObject appJson(const store::App &a)
{
    return QJsonObject{{QStringLiteral("app_id"), a.id},
                       {QStringLiteral("name"), a.name},
                       {QStringLiteral("oidc_issuer"), a.oidcIssuer},
                       {QStringLiteral("oidc_audience"), a.oidcAudience},
                       {QStringLiteral("limits"), a.limits},
                       {QStringLiteral("policy"), access::Policy::fromJson(a.policy).toJson()},
                       {QStringLiteral("created_ms"), double(a.createdMs)},
                       {QStringLiteral("webhook"), webhookJson(a.webhook)}};
}

namespace {

// Reads the optional app fields of a POST or PATCH body into patch; error on a bad one.
Status readAppFields(const QJsonObject &o, store::AppPatch &patch)
{
    auto text = [&o](const char *key, std::optional<QString> &to, int maxLen) -> Status {
        const QJsonValue v = o.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return Ok{};
        if (!v.isString() || v.toString().size() > maxLen)
            return Error::badRequest(QStringLiteral("'%1' must be a string of at most %2 characters").arg(QLatin1String(key)).arg(maxLen));
        to = v.toString();
        return Ok{};
    };
    if (auto s = text("name", patch.name, 200); !s)
        return s;
    if (auto s = text("oidc_issuer", patch.oidcIssuer, 2000); !s)
        return s;
    if (auto s = text("oidc_audience", patch.oidcAudience, 500); !s)
        return s;
    if (patch.oidcIssuer && !patch.oidcIssuer->isEmpty()) {
        const QUrl u(*patch.oidcIssuer);
        if (!u.isValid() || (u.scheme() != QLatin1String("https") && u.scheme() != QLatin1String("http")) || u.host().isEmpty())
            return Error::badRequest(QStringLiteral("'oidc_issuer' must be an http(s) URL"));
    }
    const QJsonValue limits = o.value(QLatin1String("limits"));
    if (!limits.isUndefined() && !limits.isNull()) {
        if (!limits.isObject())
            return Error::badRequest(QStringLiteral("'limits' must be an object"));
        const QJsonObject l = limits.toObject();
        for (auto it = l.begin(); it != l.end(); ++it) {
            bool known = false;
            for (const char *k : kLimitKeys)
                known = known || it.key() == QLatin1String(k);
            if (!known)
                return Error::badRequest(QStringLiteral("unknown limit '%1'").arg(it.key()));
            if (!isWholeNumber(it.value(), 0, qint64(1) << 53))
                return Error::badRequest(QStringLiteral("limit '%1' must be a non-negative integer").arg(it.key()));
        }
        patch.limits = l;
    }
    const QJsonValue policy = o.value(QLatin1String("policy"));
    if (!policy.isUndefined() && !policy.isNull()) {
        if (!policy.isObject())
            return Error::badRequest(QStringLiteral("'policy' must be an object"));
        if (auto s = access::Policy::validate(policy.toObject()); !s)
            return s;
        patch.policy = policy.toObject();
    }
    return Ok{};
}

} // namespace

AdminApi::AdminApi(ApiDeps deps, QObject *parent) : QObject(parent), m_deps(deps) { }

bool AdminApi::authorized(const http::Request &req)
{
    const QByteArray expected = m_deps.config->admin.token.toUtf8();
    const QByteArray presented = req.bearerToken();
    if (!expected.isEmpty() && auth::constantTimeEquals(presented, expected))
        return true;
    Q_EMIT authFailed(presented.isEmpty() ? QByteArrayLiteral("missing") : QByteArrayLiteral("bad_admin_token"));
    return false;
}

void AdminApi::registerRoutes(http::Router &router)
{
    router.add("POST", "/admin/apps", [this](http::Request r) { return createApp(std::move(r)); });
    router.add("GET", "/admin/apps", [this](http::Request r) { return listApps(std::move(r)); });
    router.add("PATCH", "/admin/apps/{app_id}", [this](http::Request r) { return patchApp(std::move(r)); });
    router.add("POST", "/admin/apps/{app_id}/webhook/secret", [this](http::Request r) { return rotateWebhookSecret(std::move(r)); });
    router.add("GET", "/admin/apps/{app_id}", [this](http::Request r) { return getApp(std::move(r)); });
    router.add("DELETE", "/admin/apps/{app_id}", [this](http::Request r) { return deleteApp(std::move(r)); });
    router.add("GET", "/admin/apps/{app_id}/keys", [this](http::Request r) { return listKeys(std::move(r)); });
    router.add("POST", "/admin/apps/{app_id}/keys", [this](http::Request r) { return createKey(std::move(r)); });
    router.add("POST", "/admin/apps/{app_id}/keys/{key_id}/rotate", [this](http::Request r) { return rotateKey(std::move(r)); });
    router.add("DELETE", "/admin/apps/{app_id}/keys/{key_id}", [this](http::Request r) { return revokeKey(std::move(r)); });
    router.add("GET", "/admin/stats", [this](http::Request r) { return stats(std::move(r)); });
    router.add("POST", "/admin/flush", [this](http::Request r) { return flush(std::move(r)); });
    router.add("POST", "/admin/retention/run", [this](http::Request r) { return runRetention(std::move(r)); });
    router.add("GET", "/admin/dead-letters", [this](http::Request r) { return listDeadLetters(std::move(r)); });
    router.add("POST", "/admin/dead-letters/{id}/retry", [this](http::Request r) { return retryDeadLetter(std::move(r)); });
    router.add("POST", "/admin/dead-letters/{id}/discard", [this](http::Request r) { return discardDeadLetter(std::move(r)); });
}

QCoro::Task<http::Response> AdminApi::createApp(http::Request req)
{
    if (!authorized(req))
        co_return http::Response::error(Error::unauthorized(QStringLiteral("admin token required")));
    const auto body = jsonBody(req);
    if (!body)
        co_return http::Response::error(body.error());
    store::AppPatch patch;
    if (auto s = readAppFields(*body, patch); !s)
        co_return http::Response::error(s.error());
    if (!patch.name || patch.name->trimmed().isEmpty())
        co_return http::Response::error(Error::badRequest(QStringLiteral("'name' is required")));
    store::App app;
    app.name = *patch.name;
    app.oidcIssuer = patch.oidcIssuer.value_or(QString());
    app.oidcAudience = patch.oidcAudience.value_or(QString());
    app.limits = patch.limits.value_or(QJsonObject());
    app.policy = patch.policy.value_or(QJsonObject());
    if (!app.oidcIssuer.isEmpty() && app.oidcAudience.isEmpty())
        co_return http::Response::error(Error::badRequest(QStringLiteral("'oidc_audience' is required with 'oidc_issuer'")));
    auto pending1 = m_deps.apps->create(app);
    const Expected<store::App> created = co_await pending1;
    if (!created)
        co_return http::Response::error(created.error());
    co_return jsonResponse(201, appJson(*created));
}

QCoro::Task<http::Response> AdminApi::patchApp(http::Request req)
{
    if (!authorized(req))
        co_return http::Response::error(Error::unauthorized(QStringLiteral("admin token required")));
    const auto body = jsonBody(req);
    if (!body)
        co_return http::Response::error(body.error());
    store::AppPatch patch;
    if (auto s = readAppFields(*body, patch); !s)
        co_return http::Response::error(s.error());
    const bool allowPrivate = m_deps.config->webhooks.allowPrivate;
    if (auto s = readWebhookField(*body, allowPrivate, patch); !s)
        co_return http::Response::error(s.error());
    if (patch.webhook && !patch.webhook->remove && !allowPrivate) {
        // Also checked before every call (a name may resolve elsewhere later); this catches
        // the plain mistakes at once.
        const QString host = QUrl(patch.webhook->url).host();
        if (QHostAddress(host).isNull()) {
            auto resolving = webhooks::lookup(host);
            const QHostInfo info = co_await resolving;
            if (info.error() == QHostInfo::HostNotFound)
                co_return http::Response::error(Error::badRequest(QStringLiteral("the webhook host %1 does not resolve").arg(host)));
            if (info.error() == QHostInfo::NoError) {
                if (auto s = webhooks::checkResolved(host, info.addresses(), false); !s)
                    co_return http::Response::error(s.error());
            }
        }
    }
    if (patch.webhook && !patch.webhook->remove)
        patch.newWebhookSecret = QString::fromLatin1(webhooks::newSecret());
    const QString appId = req.param("app_id");
    auto pending2 = m_deps.apps->update(appId, patch);
    const Expected<store::App> updated = co_await pending2;
    if (!updated)
        co_return http::Response::error(updated.error());
    m_deps.appDirectory->invalidate(appId);
    QJsonObject answer = appJson(*updated);
    if (!patch.newWebhookSecret.isEmpty() && updated->webhook.secret == patch.newWebhookSecret)
        answer.insert(QStringLiteral("webhook_secret"), patch.newWebhookSecret); // the first webhook: shown once
    co_return jsonResponse(200, answer);
}

QCoro::Task<http::Response> AdminApi::rotateWebhookSecret(http::Request req)
{
    if (!authorized(req))
        co_return http::Response::error(Error::unauthorized(QStringLiteral("admin token required")));
    const auto body = jsonBody(req, true);
    if (!body)
        co_return http::Response::error(body.error());
    const QJsonValue grace = body->value(QLatin1String("grace_s"));
    qint64 graceS = 86400;
    if (!grace.isUndefined()) {
        if (!isWholeNumber(grace, 0, 30 * 86400))
            co_return http::Response::error(Error::badRequest(QStringLiteral("'grace_s' must be an integer 0..2592000")));
        graceS = qint64(grace.toDouble());
    }
    const QString secret = QString::fromLatin1(webhooks::newSecret());
    auto rotating = m_deps.apps->rotateWebhookSecret(req.param("app_id"), secret, graceS * 1000);
    const Expected<store::App> rotated = co_await rotating;
    if (!rotated)
        co_return http::Response::error(rotated.error());
    m_deps.appDirectory->invalidate(req.param("app_id"));
    co_return jsonResponse(201, QJsonObject{{QStringLiteral("webhook_secret"), secret}});
}

QCoro::Task<http::Response> AdminApi::listApps(http::Request req)
{
    if (!authorized(req))
        co_return http::Response::error(Error::unauthorized(QStringLiteral("admin token required")));
    auto pending3 = m_deps.apps->list();
    const Expected<QList<store::App>> apps = co_await pending3;
    if (!apps)
        co_return http::Response::error(apps.error());
    QJsonArray arr;
    for (const store::App &a : *apps)
        arr.append(appJson(a));
    co_return jsonResponse(200, QJsonObject{{QStringLiteral("apps"), arr}});
}

QCoro::Task<http::Response> AdminApi::createKey(http::Request req)
{
    if (!authorized(req))
        co_return http::Response::error(Error::unauthorized(QStringLiteral("admin token required")));
    const auto body = jsonBody(req, true);
    if (!body)
        co_return http::Response::error(body.error());
    const QJsonValue label = body->value(QLatin1String("label"));
    if (!label.isUndefined() && (!label.isString() || label.toString().size() > 200))
        co_return http::Response::error(Error::badRequest(QStringLiteral("'label' must be a string")));
    const QString appId = req.param("app_id");
    auto pending4 = m_deps.apps->get(appId);
    const Expected<store::App> app = co_await pending4;
    if (!app)
        co_return http::Response::error(app.error());
    const auth::ApiKeyParts parts = auth::generateApiKey();
    store::ApiKey key;
    key.id = QString::fromUtf8(parts.keyId);
    key.appId = appId;
    key.label = label.toString();
    key.secretHash = auth::hashApiKeySecret(parts.secret);
    auto pending5 = m_deps.keys->create(key);
    const Expected<store::ApiKey> created = co_await pending5;
    if (!created)
        co_return http::Response::error(created.error());
    co_return jsonResponse(201, QJsonObject{{QStringLiteral("key_id"), created->id},
                                            {QStringLiteral("api_key"), QString::fromUtf8(auth::formatApiKey(parts))}});
}

QCoro::Task<http::Response> AdminApi::rotateKey(http::Request req)
{
    if (!authorized(req))
        co_return http::Response::error(Error::unauthorized(QStringLiteral("admin token required")));
    const auto body = jsonBody(req, true);
    if (!body)
        co_return http::Response::error(body.error());
    const QJsonValue grace = body->value(QLatin1String("grace_s"));
    qint64 graceS = 86400;
    if (!grace.isUndefined()) {
        if (!grace.isDouble() || grace.toDouble() < 0 || grace.toDouble() > 30 * 86400.0
            || grace.toDouble() != double(qint64(grace.toDouble())))
            co_return http::Response::error(Error::badRequest(QStringLiteral("'grace_s' must be an integer 0..2592000")));
        graceS = qint64(grace.toDouble());
    }
    const auth::ApiKeyParts parts = auth::generateApiKey();
    store::ApiKey key;
    key.id = QString::fromUtf8(parts.keyId);
    key.appId = req.param("app_id");
    key.secretHash = auth::hashApiKeySecret(parts.secret);
    auto pending6 = m_deps.keys->rotate(req.param("app_id"), req.param("key_id"), key, graceS * 1000);
    const Expected<store::ApiKey> created = co_await pending6;
    if (!created)
        co_return http::Response::error(created.error());
    auto publishing = announceKeyEnd(req.param("key_id"), QDateTime::currentMSecsSinceEpoch() + std::max<qint64>(1, graceS * 1000));
    co_await publishing;
    co_return jsonResponse(201, QJsonObject{{QStringLiteral("key_id"), created->id},
                                            {QStringLiteral("api_key"), QString::fromUtf8(auth::formatApiKey(parts))}});
}

QCoro::Task<> AdminApi::announceKeyEnd(QString keyId, qint64 endsMs)
{
    // Sessions on every node end with the key (docs/protocol.md). Best effort: if Redis is
    // down, no node can accept a send either, and a node that missed it still refuses the key on
    // the next connection.
    auto pending = m_deps.redis->exec(
        {QByteArrayLiteral("PUBLISH"), schema::keys::keyEventsChannel(), "e " + keyId.toUtf8() + '\n' + QByteArray::number(endsMs)});
    const redis::Reply r = co_await pending;
    if (!r)
        qCWarning(lcApi) << "could not announce the end of API key" << keyId << ":" << r.error().message;
}

QCoro::Task<http::Response> AdminApi::revokeKey(http::Request req)
{
    if (!authorized(req))
        co_return http::Response::error(Error::unauthorized(QStringLiteral("admin token required")));
    auto pending7 = m_deps.keys->revoke(req.param("app_id"), req.param("key_id"));
    const Status s = co_await pending7;
    if (!s)
        co_return http::Response::error(s.error());
    auto publishing = announceKeyEnd(req.param("key_id"), 0);
    co_await publishing;
    co_return http::Response::noContent();
}

namespace {
http::Response countResponse(const Expected<qint64> &n, QByteArrayView field)
{
    if (!n)
        return http::Response::error(n.error());
    JsonWriter w;
    w.beginObject().field(field, *n).endObject();
    return http::Response::json(200, w.take());
}

http::Response okResponse(const Status &s)
{
    return s ? http::Response::json(200, R"({"ok":true})") : http::Response::error(s.error());
}
} // namespace

QCoro::Task<http::Response> AdminApi::stats(http::Request req)
{
    if (!authorized(req))
        co_return http::Response::error(Error::unauthorized(QStringLiteral("admin token required")));
    auto building = m_ops.stats();
    const QByteArray frame = co_await building;
    co_return http::Response::json(200, frame);
}

QCoro::Task<http::Response> AdminApi::flush(http::Request req)
{
    if (!authorized(req))
        co_return http::Response::error(Error::unauthorized(QStringLiteral("admin token required")));
    auto flushing = m_ops.flushNow();
    const Expected<qint64> n = co_await flushing;
    co_return countResponse(n, "segments_written");
}

QCoro::Task<http::Response> AdminApi::runRetention(http::Request req)
{
    if (!authorized(req))
        co_return http::Response::error(Error::unauthorized(QStringLiteral("admin token required")));
    auto running = m_ops.runRetention();
    const Expected<qint64> n = co_await running;
    co_return countResponse(n, "segments_deleted");
}

QCoro::Task<http::Response> AdminApi::listDeadLetters(http::Request req)
{
    if (!authorized(req))
        co_return http::Response::error(Error::unauthorized(QStringLiteral("admin token required")));
    int limit = 100;
    if (const QString l = req.query.queryItemValue(QStringLiteral("limit")); !l.isEmpty()) {
        bool ok = false;
        limit = l.toInt(&ok);
        if (!ok || limit < 1)
            co_return http::Response::error(Error::badRequest(QStringLiteral("'limit' must be a positive integer")));
    }
    auto listing = m_ops.deadLetters(std::min(limit, 1000));
    const Expected<QByteArray> items = co_await listing;
    if (!items)
        co_return http::Response::error(items.error());
    JsonWriter w;
    w.beginObject().rawField("items", *items).endObject();
    co_return http::Response::json(200, w.take());
}

QCoro::Task<http::Response> AdminApi::retryDeadLetter(http::Request req)
{
    if (!authorized(req))
        co_return http::Response::error(Error::unauthorized(QStringLiteral("admin token required")));
    auto retrying = m_ops.retryDeadLetter(req.param("id"));
    const Status s = co_await retrying;
    co_return okResponse(s);
}

QCoro::Task<http::Response> AdminApi::discardDeadLetter(http::Request req)
{
    if (!authorized(req))
        co_return http::Response::error(Error::unauthorized(QStringLiteral("admin token required")));
    auto discarding = m_ops.discardDeadLetter(req.param("id"));
    const Status s = co_await discarding;
    co_return okResponse(s);
}

} // namespace confab::api

// AdminApi's app data endpoints (docs/protocol.md, "Admin additions for the console"): one app
// with what it holds, deleting an app with all its data, and listing an app's keys.
#include "api/adminapi.h"

#include "access/appdirectory.h"
#include "objectstore/objectstore.h"
#include "redis/client.h"
#include "schema/keys.h"
#include "store/apikeys.h"
#include "store/appdata.h"
#include "store/apps.h"

#include <QCoro/QCoroFuture>
#include <QJsonArray>
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcApi)

namespace confab::api {

namespace {

QJsonObject countsJson(const store::AppDataCounts &c)
{
    return QJsonObject{{QStringLiteral("conversations"), double(c.conversations)},
                       {QStringLiteral("members"), double(c.members)},
                       {QStringLiteral("keys"), double(c.keys)},
                       {QStringLiteral("messages"), double(c.messages)},
                       {QStringLiteral("segments"), double(c.segments)},
                       {QStringLiteral("dead_letters"), double(c.deadLetters)}};
}

} // namespace

QCoro::Task<http::Response> AdminApi::getApp(http::Request req)
{
    if (!authorized(req))
        co_return http::Response::error(Error::unauthorized(QStringLiteral("admin token required")));
    const QString appId = req.param("app_id");
    auto reading = m_deps.apps->get(appId);
    const Expected<store::App> app = co_await reading;
    if (!app)
        co_return http::Response::error(app.error());
    auto counting = m_deps.appData->counts(appId);
    const Expected<store::AppDataCounts> counts = co_await counting;
    if (!counts)
        co_return http::Response::error(counts.error());
    QJsonObject o = appJson(*app);
    o.insert(QStringLiteral("counts"), countsJson(*counts));
    co_return jsonResponse(200, o);
}

QCoro::Task<http::Response> AdminApi::deleteApp(http::Request req)
{
    if (!authorized(req))
        co_return http::Response::error(Error::unauthorized(QStringLiteral("admin token required")));
    const QString appId = req.param("app_id");
    auto removing = m_deps.appData->remove(appId);
    const Expected<store::RemovedApp> removed = co_await removing;
    if (!removed)
        co_return http::Response::error(removed.error());
    m_deps.appDirectory->invalidate(appId);
    qCInfo(lcApi).noquote() << "deleted app" << appId << "with" << removed->counts.conversations << "conversations,"
                            << removed->counts.keys << "keys," << removed->segmentKeys.size() << "segments";
    // Every session of the app (API key or user token) ends on every node, as on a revocation:
    // one "app:<id>" event on the key channel (older nodes find no key of that id and ignore it,
    // so the app's keys are announced one by one too).
    auto publishingApp = announceKeyEnd(QStringLiteral("app:") + appId, 0);
    co_await publishingApp;
    for (const QString &keyId : removed->keyIds) {
        auto publishing = announceKeyEnd(keyId, 0);
        co_await publishing;
    }
    if (!removed->keyIds.isEmpty()) {
        QList<QByteArray> args{QByteArrayLiteral("HDEL"), schema::keys::keyLastUsed()};
        for (const QString &k : removed->keyIds)
            args.append(k.toUtf8());
        auto forgetting = m_deps.redis->exec(args);
        co_await forgetting;
    }
    auto cleaning = removeOutsideDatabase(appId, removed->segmentKeys, removed->conversationIds);
    co_await cleaning;
    QJsonObject o{{QStringLiteral("app_id"), appId}, {QStringLiteral("removed"), countsJson(removed->counts)}};
    co_return jsonResponse(200, o);
}

QCoro::Task<> AdminApi::removeOutsideDatabase(QString appId, QStringList segmentKeys, QStringList conversationIds)
{
    // Best effort, after the commit: the metadata is gone, so an object or tail left over by a
    // failure here is unreachable (and logged); it never resurrects the app.
    if (m_deps.objects) {
        for (const QString &key : segmentKeys) {
            auto deleting = m_deps.objects->remove(key);
            const Status s = co_await deleting;
            if (!s)
                qCWarning(lcApi) << "deleting app" << appId << ": segment" << key << "stays in object storage:" << s.error().message;
        }
    }
    for (const QString &convo : conversationIds) {
        const QByteArray c = convo.toUtf8();
        // One conversation's keys share a hash tag, so one DEL works on Redis Cluster too.
        auto deleting = m_deps.redis->exec(schema::keys::cmd("DEL", schema::keys::seq(appId, c), schema::keys::log(appId, c),
                                                             schema::keys::dedup(appId, c), schema::keys::delivered(appId, c),
                                                             schema::keys::read(appId, c)));
        const redis::Reply r = co_await deleting;
        if (!r)
            qCWarning(lcApi) << "deleting app" << appId << ": the Redis tail of" << convo << "stays:" << r.error().message;
    }
}

QCoro::Task<http::Response> AdminApi::listKeys(http::Request req)
{
    if (!authorized(req))
        co_return http::Response::error(Error::unauthorized(QStringLiteral("admin token required")));
    auto listing = m_deps.keys->listForApp(req.param("app_id"));
    const Expected<QList<store::ApiKey>> keys = co_await listing;
    if (!keys)
        co_return http::Response::error(keys.error());
    // When each key last authenticated (access::KeyUsageRecorder; at most a minute late).
    // Best effort: without Redis the list comes without last_used_ms.
    QList<qint64> lastUsed(keys->size(), 0);
    if (!keys->isEmpty()) {
        QList<QByteArray> args{QByteArrayLiteral("HMGET"), schema::keys::keyLastUsed()};
        for (const store::ApiKey &k : *keys)
            args.append(k.id.toUtf8());
        auto reading = m_deps.redis->exec(args);
        const redis::Reply r = co_await reading;
        if (r)
            for (qsizetype i = 0; i < r->elements.size() && i < lastUsed.size(); ++i)
                lastUsed[i] = r->elements[i].str.toLongLong();
    }
    QJsonArray arr;
    for (qsizetype i = 0; i < keys->size(); ++i) {
        const store::ApiKey &k = keys->at(i);
        QJsonObject o{{QStringLiteral("key_id"), k.id},
                      {QStringLiteral("label"), k.label},
                      {QStringLiteral("created_ms"), double(k.createdMs)}};
        if (lastUsed[i] > 0)
            o.insert(QStringLiteral("last_used_ms"), double(lastUsed[i]));
        if (k.expiresMs > 0)
            o.insert(QStringLiteral("expires_ms"), double(k.expiresMs));
        arr.append(o);
    }
    co_return jsonResponse(200, QJsonObject{{QStringLiteral("keys"), arr}});
}

} // namespace confab::api

#include "access/appdirectory.h"

#include <QCoro/QCoroFuture>
#include <QDateTime>

namespace confab::access {

AppDirectory::AppDirectory(store::AppRepository *repo, Limits defaults, QObject *parent)
    : QObject(parent), m_repo(repo), m_defaults(defaults)
{
}

QCoro::Task<Expected<store::App>> AppDirectory::app(QString appId)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (auto it = m_cache.constFind(appId); it != m_cache.cend() && now - it->fetchedMs < kTtlMs)
        co_return it->app;
    Fetch fetch;
    if (const auto f = m_fetching.constFind(appId); f != m_fetching.cend()) {
        fetch = *f;
    } else {
        fetch = Fetch{m_repo->get(appId), ++m_fetchSerial};
        m_fetching.insert(appId, fetch);
    }
    auto pending1 = fetch.future;
    Expected<store::App> fetched = co_await pending1;
    // The first waiter to resume stores the answer, unless invalidate() came meanwhile.
    if (const auto f = m_fetching.find(appId); f != m_fetching.end() && f->serial == fetch.serial) {
        m_fetching.erase(f);
        if (fetched)
            m_cache.insert(appId, Entry{*fetched, QDateTime::currentMSecsSinceEpoch()});
    }
    co_return fetched;
}

const store::App *AppDirectory::cached(const QString &appId) const
{
    const auto it = m_cache.constFind(appId);
    if (it == m_cache.cend() || QDateTime::currentMSecsSinceEpoch() - it->fetchedMs >= kTtlMs)
        return nullptr;
    return &it->app;
}

Limits AppDirectory::limitsFor(const store::App &app) const
{
    Limits l = m_defaults;
    const QJsonObject &o = app.limits;
    auto apply = [&o](const char *key, qint64 &field) {
        const QJsonValue v = o.value(QLatin1String(key));
        if (v.isDouble() && v.toDouble() >= 0)
            field = qint64(v.toDouble());
    };
    apply("user_msgs_per_min", l.userMsgsPerMin);
    apply("app_msgs_per_s", l.appMsgsPerS);
    apply("conns_per_user_per_10s", l.connsPerUserPer10s);
    apply("client_buffer_soft", l.clientBufferSoft);
    apply("client_buffer_hard", l.clientBufferHard);
    apply("max_inflight_per_conn", l.maxInflightPerConn);
    apply("max_sessions_per_key", l.maxSessionsPerKey);
    apply("user_convos_per_min", l.userConvosPerMin);
    apply("app_convos_per_s", l.appConvosPerS);
    return l;
}

void AppDirectory::invalidate(const QString &appId)
{
    m_cache.remove(appId);
    m_fetching.remove(appId);
}

} // namespace confab::access

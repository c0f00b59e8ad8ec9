#include "api/health.h"

#include "confab/jsonwriter.h"
#include "confab/version.h"
#include "http/router.h"
#include "schema/keys.h"
#include "objectstore/objectstore.h"
#include "redis/client.h"
#include "store/database.h"

#include <QCoro/QCoroFuture>
#include <QPointer>

namespace confab::api {

namespace {
// The version and commit tell an operator which build answers (the same as the package's).
QCoro::Task<http::Response> alive(http::Request)
{
    JsonWriter w(96);
    w.beginObject()
        .field("status", "ok")
        .field("version", version())
        .field("commit", commit())
        .endObject();
    co_return http::Response::json(200, w.take());
}
} // namespace

Health::Health(ApiDeps deps, QObject *parent) : QObject(parent), m_deps(deps) { }

void Health::registerRoutes(http::Router &router)
{
    router.add("GET", "/healthz", &alive);
    router.add("GET", "/readyz", [this](http::Request r) { return ready(std::move(r)); });
}

QCoro::Task<Health::Checks> Health::check()
{
    // Both checks run at once; each has its own timeout (Redis command timeout, pool's connect timeout).
    QCoro::Task<redis::Reply> redisPing = m_deps.redis->exec(schema::keys::cmd("PING"));
    auto pending1 = m_deps.db->ping();
    const Status pg = co_await pending1;
    const redis::Reply rd = co_await redisPing;
    auto s3Ping = m_deps.objects->ping();
    const Status s3 = co_await s3Ping;
    const bool ok = pg.has_value() && rd.has_value() && s3.has_value();
    QJsonObject checks{{QStringLiteral("postgres"), pg ? QStringLiteral("ok") : QStringLiteral("down")},
                       {QStringLiteral("redis"), rd ? QStringLiteral("ok") : QStringLiteral("down")},
                       {QStringLiteral("s3"), s3 ? QStringLiteral("ok") : QStringLiteral("down")}};
    co_return Checks{ok, checks};
}

QCoro::Task<http::Response> Health::ready(http::Request)
{
    auto checking = check();
    const Checks c = co_await checking;
    co_return jsonResponse(c.ok ? 200 : 503, QJsonObject{{QStringLiteral("status"), c.ok ? QStringLiteral("ok") : QStringLiteral("degraded")},
                                                         {QStringLiteral("checks"), c.checks}});
}

void Health::probe()
{
    if (m_probing)
        return; // the last probe is still waiting on a timeout
    m_probing = true;
    runProbe();
}

QCoro::Task<> Health::runProbe()
{
    const QPointer<Health> self(this);
    auto checking = check();
    const Checks c = co_await checking;
    if (!self)
        co_return;
    m_probing = false;
    Q_EMIT readinessChecked(c.ok);
}

} // namespace confab::api

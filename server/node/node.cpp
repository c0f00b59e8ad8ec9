#include "node/node.h"

#include "access/appdirectory.h"
#include "access/authenticator.h"
#include "access/keyusage.h"
#include "admin/adminsocket.h"
#include "admin/operator.h"
#include "admin/statscollector.h"
#include "api/adminapi.h"
#include "api/adminopsapi.h"
#include "api/appapi.h"
#include "api/attachmentapi.h"
#include "api/health.h"
#include "auth/jwks.h"
#include "confab/jsonwriter.h"
#include "gateway/gateway.h"
#include "http/router.h"
#include "http/server.h"
#include "messaging/fanout.h"
#include "messaging/messageservice.h"
#include "metrics/metrics.h"
#include "objectstore/factory.h"
#include "objectstore/objectstore.h"
#include "redis/client.h"
#include "redis/subscriber.h"
#include "retention/retentionworker.h"
#include "segments/deadletters.h"
#include "segments/flushworker.h"
#include "segments/historystore.h"
#include "store/apikeys.h"
#include "store/appdata.h"
#include "store/apps.h"
#include "store/conversations.h"
#include "store/database.h"
#include "systemd/servicenotifier.h"
#include "tls/tlscontext.h"
#include "webhooks/deliveries.h"
#include "webhooks/dispatcher.h"
#include "webhooks/recorder.h"

#include <QCoro/QCoroFuture>
#include <QCoro/QCoroSignal>
#include <QCoro/QCoroTimer>
#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QHostInfo>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QTimer>

Q_LOGGING_CATEGORY(lcNode, "confab.node", QtInfoMsg)

namespace confab::node {

namespace {
constexpr qint64 kStartupRedisWaitMs = 5000;
constexpr int kStatsTickMs = 5000;
constexpr qint64 kDrainPollMs = 20;

// One envelope by seq_no, for a resend whose original already left the Redis tail.
QCoro::Task<Expected<QByteArray>> readEnvelope(segments::HistoryStore *history, QString appId,
                                               QByteArray convoId, qint64 seq)
{
    auto pending = history->after(std::move(appId), std::move(convoId), seq - 1, 1);
    const Expected<segments::Page> page = co_await pending;
    if (!page)
        co_return page.error();
    if (page->messages.isEmpty() || page->firstSeq != seq)
        co_return QByteArray(); // past retention: nothing to answer with
    co_return page->messages.constFirst();
}

QCoro::Task<http::Response> renderMetrics(metrics::Metrics *m)
{
    http::Response r = http::Response::json(200, m->render());
    r.contentType = metrics::Metrics::contentType();
    co_return r;
}

// "used_memory:123\r\n" and friends from INFO memory.
qint64 infoField(const QByteArray &info, QByteArrayView name)
{
    const QByteArray key = name.toByteArray() + ':';
    const qsizetype at = info.indexOf(key);
    if (at < 0)
        return -1;
    const qsizetype start = at + key.size();
    const qsizetype end = info.indexOf('\r', start);
    return info.mid(start, end - start).toLongLong();
}

QString defaultNodeId()
{
    return QHostInfo::localHostName() + QLatin1Char('-') + QString::number(QCoreApplication::applicationPid());
}

redis::Options redisOptions(const Config &c, const QString &name)
{
    auto o = redis::Options::fromConfig(c);
    redis::Options out = o ? *o : redis::Options{};
    out.name = name;
    return out;
}
} // namespace

class Node::Private
{
public:
    explicit Private(Config c)
        : config(std::move(c)),
          nodeId(config.server.nodeId.isEmpty() ? defaultNodeId() : config.server.nodeId),
          objects(makeObjects(config, &nam, &objectsError)),
          db(store::Database::Options{config.postgres.url, int(config.server.dbThreads)}),
          apps(&db), keys(&db), conversations(&db), appData(&db),
          redisClient(redisOptions(config, QStringLiteral("confab-") + nodeId)),
          subscriber(redisOptions(config, QStringLiteral("confab-sub-") + nodeId)),
          appDirectory(&apps, config.limits),
          jwks(&nam),
          authenticator(&appDirectory, &apps, &keys, &jwks),
          messages(&redisClient),
          flush(segments::FlushDeps{&redisClient, &db, objects.get(), &metrics},
                segments::FlushOptions::fromConfig(config.segments)),
          history(&redisClient, &db, objects.get(), &metrics, historyOptions(config)),
          retention(retention::RetentionDeps{&redisClient, &db, objects.get(), &metrics},
                    retention::RetentionOptions::fromConfig(config)),
          fanout(&subscriber),
          gateway(config,
                  gateway::GatewayDeps{&authenticator, &appDirectory, &messages, &fanout, &history, &conversations, &metrics},
                  nodeId),
          deps{&config, &db, &apps, &keys, &conversations, &appDirectory, &authenticator, &messages, &history, &redisClient, objects.get(), &appData},
          appApi(deps), attachmentApi(deps), adminApi(deps), health(deps),
          tlsConfig(loadTls(config, &tlsError)),
          publicServer(publicOptions(config, tlsConfig), &publicRouter),
          internalServer(internalOptions(config, tlsConfig), &internalRouter),
          stats(&redisClient, nodeId),
          adminSocket(config.admin.token.toUtf8(), admin::AdminHooks{}),
          webhookDeliveries(&db),
          webhookDispatcher(&webhookDeliveries, flush.deadLetters(), &metrics, appLookup(&appDirectory),
                            webhookOptions(config, nodeId)),
          webhookRecorder(&webhookDeliveries, &conversations, &redisClient, appLookup(&appDirectory),
                          [directory = &appDirectory](const QString &appId) { return directory->cached(appId); },
                          config.webhooks.coalesceMs),
          operatorActions(admin::OperatorDeps{&redisClient, &db, &conversations, &history, &appDirectory},
                          config.admin.token.toUtf8()),
          adminOpsApi(&adminApi, &operatorActions)
    {
    }

    static webhooks::AppLookup appLookup(access::AppDirectory *directory)
    {
        return [directory](QString appId) { return directory->app(std::move(appId)); };
    }

    static webhooks::DispatcherOptions webhookOptions(const Config &c, const QString &nodeId)
    {
        webhooks::DispatcherOptions o;
        o.nodeId = nodeId;
        o.timeoutMs = c.webhooks.timeoutMs;
        o.retryWindowMs = c.webhooks.retryWindowMs;
        o.allowPrivate = c.webhooks.allowPrivate;
        o.maxInFlightPerApp = int(c.webhooks.maxInFlightPerApp);
        return o;
    }

    static std::unique_ptr<objectstore::ObjectStore> makeObjects(const Config &c, QNetworkAccessManager *nam, QString *error)
    {
        auto store = objectstore::createObjectStore(c.s3, nam);
        if (!store) {
            *error = store.error().message;
            return nullptr;
        }
        return std::move(*store);
    }

    static segments::HistoryOptions historyOptions(const Config &c)
    {
        segments::HistoryOptions o;
        o.retentionMs = c.retention.maxAgeMs;
        return o;
    }

    // Empty when [tls] is off, or when the pair cannot be used (*error says why; start() fails).
    static std::optional<QSslConfiguration> loadTls(const Config &c, QString *error)
    {
        if (!c.tls.enabled())
            return std::nullopt;
        auto loaded = tls::loadServerConfiguration(c.tls.cert, c.tls.key);
        if (!loaded) {
            *error = loaded.error().message;
            return std::nullopt;
        }
        return *loaded;
    }

    static http::Server::Options internalOptions(const Config &c,
                                                 const std::optional<QSslConfiguration> &tls)
    {
        http::Server::Options o;
        if (c.tls.internal)
            o.tls = tls;
        o.webSocketPaths = {QStringLiteral("/admin/ws")};
        o.maxConnections = 256;
        o.maxWebSocketMessageBytes = admin::AdminSocketServer::kMaxMessageBytes;
        o.webSocketBufferLimit = admin::AdminSocketServer::kMaxBufferBytes;
        return o;
    }

    static http::Server::Options publicOptions(const Config &c,
                                               const std::optional<QSslConfiguration> &tls)
    {
        http::Server::Options o;
        o.tls = tls;
        o.webSocketPaths = {QStringLiteral("/v1/ws")};
        o.reusePort = c.server.reusePort;
        o.webSocketWriteCoalesceMs = c.server.writeCoalesceMs;
        o.webSocketWriteCoalesceAbovePerS = c.server.writeCoalesceAbovePerS;
        o.webSocketBatchedSends = c.server.batchedSends;
        o.cors = http::CorsPolicy(c.server.corsOrigins);
        o.maxConnections = int(std::min<qint64>(c.limits.maxConns + 1024, INT_MAX));
        o.maxWebSocketMessageBytes = std::max<qint64>(2 * c.server.maxMessageBytes, c.server.maxMessageBytes + 65536);
        o.webSocketBufferLimit = c.limits.clientBufferHard; // until a session has its app's limits
        o.maxBodyBytes = std::max<qint64>(1 << 20, 2 * c.server.maxMessageBytes + 4096);
        o.headerTimeoutMs = c.server.headerTimeoutMs;
        o.bodyTimeoutMs = c.server.bodyTimeoutMs;
        o.maxConnectionsPerAddress = int(std::min<qint64>(c.limits.maxConnsPerIp, INT_MAX));
        o.exemptSubnets = c.limits.perIpExempt;
        return o;
    }

    Config config;
    QString nodeId;
    metrics::Metrics metrics;
    QNetworkAccessManager nam;
    QString objectsError;
    std::unique_ptr<objectstore::ObjectStore> objects;
    store::Database db;
    store::AppRepository apps;
    store::ApiKeyRepository keys;
    store::ConversationRepository conversations;
    store::AppDataRepository appData;
    redis::Client redisClient;
    redis::Subscriber subscriber;
    access::AppDirectory appDirectory;
    auth::JwksCache jwks;
    access::Authenticator authenticator;
    access::KeyUsageRecorder keyUsage{&redisClient};
    messaging::MessageService messages;
    segments::FlushWorker flush;
    segments::HistoryStore history;
    retention::RetentionWorker retention;
    messaging::Fanout fanout;
    gateway::Gateway gateway;
    api::ApiDeps deps;
    api::AppApi appApi;
    api::AttachmentApi attachmentApi;
    api::AdminApi adminApi;
    api::Health health;
    http::Router publicRouter;
    http::Router internalRouter;
    QString tlsError; // why [tls] cert and key could not be loaded at start-up
    std::optional<QSslConfiguration> tlsConfig;
    http::Server publicServer;
    http::Server internalServer;
    QTimer statsTick;
    systemd::ServiceNotifier serviceManager; // READY/STOPPING/WATCHDOG for a Type=notify unit
    admin::StatsCollector stats;
    admin::AdminSocketServer adminSocket;
    webhooks::DeliveryRepository webhookDeliveries;
    webhooks::Dispatcher webhookDispatcher;
    webhooks::EventRecorder webhookRecorder;
    admin::Operator operatorActions; // users, conversations, notices (docs/protocol.md)
    api::AdminOpsApi adminOpsApi;
};

Node::Node(Config config, QObject *parent) : QObject(parent), d(std::make_unique<Private>(std::move(config)))
{
    d->appApi.registerRoutes(d->publicRouter);
    d->attachmentApi.registerRoutes(d->publicRouter);
    d->adminApi.registerRoutes(d->internalRouter);
    d->adminOpsApi.registerRoutes(d->internalRouter);
    d->adminSocket.setOperator(&d->operatorActions);
    d->health.registerRoutes(d->internalRouter);
    connect(&d->publicServer, &http::Server::newWebSocket, &d->gateway, &gateway::Gateway::accept);

    metrics::Metrics *m = &d->metrics;
    d->internalRouter.add("GET", "/metrics", [m](http::Request) { return renderMetrics(m); });
    auto countRequest = [m](const QByteArray &route, const QByteArray &method, int status, double seconds) {
        m->httpRequest(route, method, status, seconds);
    };
    connect(&d->publicServer, &http::Server::requestFinished, this, countRequest);
    connect(&d->internalServer, &http::Server::requestFinished, this, countRequest);
    connect(&d->authenticator, &access::Authenticator::authFailed, this, [m](const QByteArray &r) { m->authFailure(r); });
    connect(&d->authenticator, &access::Authenticator::apiKeyAuthenticated, &d->keyUsage, &access::KeyUsageRecorder::noteUse);
    connect(&d->adminApi, &api::AdminApi::authFailed, this, [m](const QByteArray &r) { m->authFailure(r); });
    admin::StatsCollector *stats = &d->stats;
    connect(&d->messages, &messaging::MessageService::messageAccepted, this, [m, stats](const QString &appId) {
        m->messageIngested();
        stats->messageIngested(appId);
    });
    stats->setConnectionsByApp([gateway = &d->gateway] { return gateway->connectionsByApp(); });
    connect(&d->internalServer, &http::Server::newWebSocket, &d->adminSocket, &admin::AdminSocketServer::accept);
    const admin::AdminHooks operations{
        [stats] { return stats->statsFrame(); },
        [this](int limit) { return listDeadLetters(limit); },
        [this](QString id) { return retryDeadLetter(std::move(id)); },
        [this](QString id) { return discardDeadLetter(std::move(id)); },
        [this] { return flushNow(); },
        [this] { return d->retention.runNow(); },
    };
    d->adminSocket.setHooks(operations);
    d->adminApi.setOperations(operations);
    stats->setPipeline([this] { return pipelineStats(); });
    connect(&d->adminSocket, &admin::AdminSocketServer::authFailed, this, [m](const QByteArray &r) { m->authFailure(r); });
    connect(&d->messages, &messaging::MessageService::recoveryNeeded, &d->flush, &segments::FlushWorker::requestRecovery);
    d->messages.setEnvelopeLookup([history = &d->history](QString appId, QByteArray convoId, qint64 seq) {
        return readEnvelope(history, std::move(appId), std::move(convoId), seq);
    });
    connect(&d->messages, &messaging::MessageService::messageDuplicate, this, [m] { m->messageDuplicate(); });
    connect(&d->messages, &messaging::MessageService::rateLimited, this, [m](const QByteArray &scope) { m->rateLimited(scope); });
    if (d->objects)
        connect(d->objects.get(), &objectstore::ObjectStore::requestFinished, this,
                [m](const QByteArray &op, const QByteArray &status) { m->s3Request(op, status); });
    connect(&d->gateway, &gateway::Gateway::connectionsChanged, this, [m, stats](int n) {
        m->setWsConnections(n);
        stats->setConnections(n);
    });
    webhooks::EventRecorder *hooks = &d->webhookRecorder;
    connect(&d->messages, &messaging::MessageService::messageStored, hooks, &webhooks::EventRecorder::messageStored);
    connect(&d->appApi, &api::AppApi::conversationCreated, hooks, &webhooks::EventRecorder::conversationCreated);
    connect(&d->appApi, &api::AppApi::memberChanged, hooks, &webhooks::EventRecorder::memberChanged);
    connect(hooks, &webhooks::EventRecorder::skipped, this, [m] { m->webhookSkipped(); });
    d->statsTick.setInterval(kStatsTickMs);
    connect(&d->statsTick, &QTimer::timeout, this, [this, m] {
        m->setWsWriteWindowsTotal(d->publicServer.webSocketWriteWindows());
        collectRedisStats();
        d->health.probe();
    });
    connect(&d->health, &api::Health::readinessChecked, this, [this](bool ready) { d->stats.setReady(ready); });
}

void Node::collectRedisStats()
{
    metrics::Metrics *m = &d->metrics;
    m->setRedisCommandsTotal(d->redisClient.commandsSent());
    m->setRedisReconnectsTotal(d->redisClient.reconnects());
    m->setRedisWritesHeldTotal(d->redisClient.writesHeld());
    m->setRedisPubSubReceived(d->subscriber.messagesReceived(), d->subscriber.bytesReceived());
    admin::StatsCollector *stats = &d->stats;
    d->redisClient.command({QByteArrayLiteral("INFO"), QByteArrayLiteral("memory")}, this, [m, stats](redis::Reply r) {
        if (!r)
            return;
        if (const qint64 used = infoField(r->str, "used_memory"); used >= 0) {
            m->setRedisMemory(used);
            stats->setRedisMemory(used);
        }
        if (const qint64 max = infoField(r->str, "maxmemory"); max >= 0)
            m->setRedisMaxMemory(max);
    });
}

Node::~Node() = default;

const QString &Node::nodeId() const
{
    return d->nodeId;
}

QList<http::Router::Entry> Node::publicRoutes() const
{
    return d->publicRouter.routes();
}

QList<http::Router::Entry> Node::internalRoutes() const
{
    return d->internalRouter.routes();
}

quint16 Node::publicPort() const
{
    return d->publicServer.port();
}

bool Node::clientWritesCoalescing() const
{
    return d->publicServer.webSocketWritesCoalescing();
}

quint16 Node::internalPort() const
{
    return d->internalServer.port();
}

void Node::reloadTls()
{
    if (!d->config.tls.enabled() || !d->publicServer.isTls())
        return;
    auto loaded = tls::loadServerConfiguration(d->config.tls.cert, d->config.tls.key);
    if (!loaded) {
        qCCritical(lcNode, "SIGHUP: TLS certificate not reloaded, keeping the current one (%s): %s",
                   qPrintable(tls::describeCertificate(*d->tlsConfig)), qPrintable(loaded.error().message));
        return;
    }
    d->tlsConfig = *loaded;
    d->publicServer.setTlsConfiguration(*loaded);
    d->internalServer.setTlsConfiguration(*loaded); // nothing on a plain internal listener
    qCInfo(lcNode, "SIGHUP: TLS certificate reloaded for new connections: %s",
           qPrintable(tls::describeCertificate(*loaded)));
}

QCoro::Task<Status> Node::start()
{
    if (d->config.tls.enabled() && !d->tlsConfig)
        co_return Error::badRequest(d->tlsError);
    if (!d->objects)
        co_return Error::badRequest(QStringLiteral("[s3]: %1").arg(d->objectsError));
    if (auto o = redis::Options::fromConfig(d->config); !o)
        co_return Error::badRequest(o.error().message);
    d->serviceManager.status(QStringLiteral("migrating the database schema"));
    auto pending1 = d->db.migrate();
    const Status migrated = co_await pending1;
    if (!migrated)
        co_return Error::unavailable(QStringLiteral("PostgreSQL: %1").arg(migrated.error().message));

    d->redisClient.start();
    d->subscriber.start();
    if (!d->redisClient.isConnected()) {
        auto pending2 = qCoro(&d->redisClient, &redis::Client::connected,
                                              std::chrono::milliseconds(kStartupRedisWaitMs));
        const auto connected = co_await pending2;
        if (!connected)
            co_return Error::unavailable(QStringLiteral("Redis at %1 cannot be reached")
                                             .arg(d->redisClient.options().endpoint()));
    }

    // Counters Redis may have lost are rebuilt from the segment index before any send, and what
    // a crash left unflushed is marked pending again (docs/storage.md, Recovery).
    d->serviceManager.status(QStringLiteral("recovering the Redis tail from the segment index"));
    auto recovering = d->flush.recover();
    const Status recovered = co_await recovering;
    if (!recovered)
        co_return Error::unavailable(recovered.error().message);
    d->flush.start();
    d->retention.start();
    d->webhookDispatcher.start();

    const HostPort pub = d->config.server.listen;
    const HostPort internal = d->config.server.internalListen;
    if (!d->publicServer.listen(QHostAddress(pub.host), pub.port))
        co_return Error::unavailable(QStringLiteral("cannot listen on %1:%2: %3").arg(pub.host).arg(pub.port).arg(d->publicServer.errorString()));
    if (!d->internalServer.listen(QHostAddress(internal.host), internal.port))
        co_return Error::unavailable(QStringLiteral("cannot listen on %1:%2: %3").arg(internal.host).arg(internal.port).arg(d->internalServer.errorString()));
    d->statsTick.start();
    collectRedisStats();
    d->stats.start();
    qCInfo(lcNode, "node %s serving on %s:%d (internal %s:%d)", qPrintable(d->nodeId), qPrintable(pub.host),
           int(d->publicServer.port()), qPrintable(internal.host), int(d->internalServer.port()));
    if (d->tlsConfig)
        qCInfo(lcNode, "TLS on the public%s listener: %s", d->internalServer.isTls() ? " and internal" : "",
               qPrintable(tls::describeCertificate(*d->tlsConfig)));
    // Only now, with the schema migrated, the tail recovered and both listeners open.
    d->serviceManager.ready(
        QStringLiteral("serving on %1:%2").arg(pub.host).arg(d->publicServer.port()));
    co_return Ok{};
}

QCoro::Task<Expected<QByteArray>> Node::listDeadLetters(int limit)
{
    auto listing = d->flush.deadLetters()->list(limit);
    const Expected<QList<segments::DeadLetter>> items = co_await listing;
    if (!items)
        co_return items.error();
    QByteArray json = "[";
    for (const segments::DeadLetter &dl : *items) {
        if (json.size() > 1)
            json += ',';
        json += segments::toJson(dl);
    }
    co_return json + ']';
}

QCoro::Task<Status> Node::retryDeadLetter(QString id)
{
    auto getting = d->flush.deadLetters()->get(id);
    const Expected<segments::DeadLetter> letter = co_await getting;
    if (!letter)
        co_return letter.error();
    if (letter->kind == webhooks::kWebhookDeadLetter) {
        auto retrying = d->webhookDispatcher.retryDeadLetter(*letter);
        co_return co_await retrying;
    }
    auto retrying = d->flush.retryDeadLetter(std::move(id));
    co_return co_await retrying;
}

QCoro::Task<Status> Node::discardDeadLetter(QString id)
{
    auto getting = d->flush.deadLetters()->get(id);
    const Expected<segments::DeadLetter> letter = co_await getting;
    if (!letter)
        co_return letter.error();
    if (letter->kind == webhooks::kWebhookDeadLetter) {
        auto discarding = d->webhookDispatcher.discardDeadLetter(*letter);
        co_return co_await discarding;
    }
    auto discarding = d->flush.discardDeadLetter(std::move(id));
    co_return co_await discarding;
}

QCoro::Task<Expected<qint64>> Node::flushNow()
{
    auto flushing = d->flush.flushNow();
    const Expected<int> n = co_await flushing;
    if (!n)
        co_return n.error();
    co_return qint64(*n);
}

QCoro::Task<admin::PipelineStats> Node::pipelineStats()
{
    const segments::PipelineSnapshot s = d->flush.snapshot();
    admin::PipelineStats p;
    p.streamDepth = s.streamDepth;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    JsonWriter w(256);
    w.beginArray();
    for (const segments::StreamState &st : s.streams)
        w.beginObject()
            .field("app_id", st.appId)
            .field("convo_id", st.convoId)
            .field("depth", st.depth)
            .field("oldest_unflushed_ms", std::max<qint64>(0, now - st.oldestUnflushedTs))
            .endObject();
    w.endArray();
    p.streamsJson = w.take();
    p.flushLastMs = s.lastFlushMs;
    p.flushP50Ms = s.p50Ms;
    p.flushP95Ms = s.p95Ms;
    p.flushP99Ms = s.p99Ms;
    p.segmentsTotal = s.segmentsWritten;
    p.bytesTotal = s.bytesWritten;
    auto counting = d->flush.deadLetters()->count();
    const Expected<qint64> dead = co_await counting;
    p.deadLetters = dead ? *dead : 0;
    auto summarising = d->appData.summaries();
    const Expected<QList<store::AppSummary>> apps = co_await summarising;
    if (apps)
        for (const store::AppSummary &a : *apps)
            p.apps.append(admin::PipelineStats::App{a.id, a.name, a.deadLetters});
    co_return p;
}

QCoro::Task<> Node::stop()
{
    const qint64 graceMs = d->config.server.shutdownGraceMs;
    qCInfo(lcNode, "shutting down: draining client connections for up to %lld ms",
           static_cast<long long>(graceMs));
    d->serviceManager.stopping(QStringLiteral("draining client connections"));
    d->flush.stop();
    d->retention.stop();
    d->webhookDispatcher.stop();
    d->publicServer.close(); // no new connections; REST requests under way are answered
    d->gateway.drain(graceMs);
    d->adminSocket.shutdown();
    // Looked at on a timer rather than awaited as a signal: the last session closes from inside
    // its own request's coroutine, which must finish before this one tears anything down.
    const QDeadlineTimer deadline(graceMs);
    while (!d->gateway.isDrained() && !deadline.hasExpired()) {
        auto tick = QCoro::sleepFor(
            std::chrono::milliseconds(std::min<qint64>(kDrainPollMs, deadline.remainingTime())));
        co_await tick;
    }
    if (!d->gateway.isDrained())
        qCWarning(lcNode, "shutdown_grace is over with %d client connections still waiting for "
                          "an answer: closing them; those sends have no known outcome",
                  d->gateway.sessionCount());
    d->gateway.shutdown();
    // Whatever still awaits Redis (a paused server, a request past the grace) is answered now,
    // while the sessions, workers and services it runs in exist: none resumes into a freed
    // object when the node is destroyed.
    d->redisClient.close(QStringLiteral("the node is shutting down"));
    d->statsTick.stop();
    d->serviceManager.status(QStringLiteral("closing"));
    // Give close frames a moment to leave the socket buffers.
    auto pending3 = QCoro::sleepFor(std::chrono::milliseconds(200));
    co_await pending3;
    d->internalServer.close();
    qCInfo(lcNode, "shut down");
}

void Node::hurry()
{
    qCWarning(lcNode, "second stop signal: closing every client connection now");
    d->gateway.shutdown();
}

QCoro::Task<Status> migrateOnly(Config config)
{
    store::Database db(store::Database::Options{config.postgres.url, 1});
    auto pending4 = db.migrate();
    const Status s = co_await pending4;
    co_return s;
}

} // namespace confab::node

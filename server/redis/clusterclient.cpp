#include "redis/clusterclient_p.h"

#include "redis/logging.h"

#include <QPointer>

namespace confab::redis::detail
{

using cluster::Redirect;
using cluster::Route;

namespace
{

// A command redirected more often than this is answered with its last error: a cluster whose
// slots keep moving that fast is not one to chase.
constexpr int kMaxRedirects = 5;
// TRYAGAIN (keys of a multi-key command split by a migration) and a MOVED/ASK target still
// connecting: retried after kRetryDelayMs * attempt, this many times.
constexpr int kMaxRetries = 10;
constexpr int kRetryDelayMs = 20;
constexpr int kRefreshIntervalMs = 10000;
constexpr int kRefreshSoonMs = 20;

} // namespace

struct ClusterRouter::Op {
    QList<QByteArray> args;
    ReplyFn fn;
    Route route;
    int redirects = 0;
    int retries = 0;
    std::optional<HostPort> askTo;
};

ClusterRouter::ClusterRouter(Options options, QString role, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_role(std::move(role))
{
    m_refreshTimer.setInterval(kRefreshIntervalMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &ClusterRouter::refresh);
}

ClusterRouter::~ClusterRouter()
{
    // Connections answer what is in flight as they go; with m_closed set, onReply() only
    // passes those answers on and touches nothing else of ours.
    m_closed = true;
    const auto nodes = std::exchange(m_nodes, {});
    for (Connection *conn : nodes)
        delete conn;
    for (auto &[fn, error] : std::exchange(m_failures, {}))
        fn(error);
    failRetrying(QStringLiteral("destroyed"));
}

void ClusterRouter::failRetrying(const QString &why)
{
    for (const OpPtr &op : std::exchange(m_retrying, {}))
        op->fn(Error::unavailable(QStringLiteral("redis %1 %2 with %3 waiting for a retry")
                                      .arg(m_role, why, QString::fromUtf8(op->args.value(0)))));
}

void ClusterRouter::start()
{
    if (!m_nodes.isEmpty() || m_closed)
        return;
    for (const HostPort &seed : std::as_const(m_options.clusterNodes))
        nodeFor(seed);
    m_refreshTimer.start();
}

void ClusterRouter::close(const QString &reason)
{
    if (m_closed)
        return;
    m_closed = true;
    m_refreshTimer.stop();
    for (Connection *conn : std::as_const(m_nodes))
        conn->close(reason);
    drainFailures();
    failRetrying(QStringLiteral("closed"));
}

quint64 ClusterRouter::total(quint64 (Connection::*count)() const, quint64 ofGone) const
{
    quint64 sum = ofGone;
    for (const Connection *conn : m_nodes)
        sum += (conn->*count)();
    return sum;
}

quint64 ClusterRouter::commandsSent() const
{
    return total(&Connection::commandsSent, m_sentByGone);
}

quint64 ClusterRouter::writesHeld() const
{
    return total(&Connection::writesHeld, m_heldByGone);
}

quint64 ClusterRouter::reconnects() const
{
    return total(&Connection::reconnects, m_reconnectsOfGone);
}

Connection *ClusterRouter::nodeFor(const HostPort &address)
{
    const QString name = cluster::nodeName(address);
    if (Connection *conn = m_nodes.value(name))
        return conn;
    Options o = m_options;
    o.clusterNodes.clear();
    o.host = address.host;
    o.port = address.port;
    o.db = 0; // a cluster has only database 0
    auto *conn = new Connection(std::move(o), m_role + QStringLiteral(" (cluster)"), this);
    m_nodes.insert(name, conn);
    connect(conn, &Connection::ready, this, [this] {
        refresh(); // the first map, or a node back after a loss: topology may have changed
        updateReady();
    });
    connect(conn, &Connection::lost, this, [this] {
        scheduleRefresh();
        updateReady();
    });
    conn->start();
    return conn;
}

void ClusterRouter::send(const QList<QByteArray> &args, ReplyFn fn)
{
    auto op = std::make_shared<Op>();
    op->args = args;
    op->fn = std::move(fn);
    op->route = cluster::routeOf(args);
    dispatch(op);
}

void ClusterRouter::dispatch(const OpPtr &op)
{
    const auto verb = [&op] { return QString::fromUtf8(op->args.value(0)); }; // errors only
    if (m_closed) {
        failLater(std::move(op->fn),
            Error::unavailable(QStringLiteral("sending %1: the redis %2 is closed (shutting down)")
                                   .arg(verb(), m_role)));
        return;
    }
    switch (op->route.kind) {
    case Route::Kind::CrossSlot:
        failLater(std::move(op->fn),
            Error::internal(QStringLiteral("redis: CROSSSLOT refused before sending %1: its keys "
                                           "are on different hash slots of the Redis Cluster")
                                .arg(verb())));
        return;
    case Route::Kind::All:
        sendToAll(op->args, std::move(op->fn));
        return;
    case Route::Kind::Any:
        for (Connection *conn : std::as_const(m_nodes)) {
            if (conn->isReady()) {
                sendTo(conn, op, -1);
                return;
            }
        }
        failLater(std::move(op->fn),
            Error::unavailable(
                QStringLiteral("sending %1: no Redis Cluster node is connected").arg(verb())));
        return;
    case Route::Kind::Slot:
        break;
    }
    const int slot = op->route.slot;
    if (op->askTo) {
        Connection *conn = nodeFor(*op->askTo);
        op->askTo.reset();
        if (!conn->isReady()) {
            retryLater(op, Error::unavailable(QStringLiteral("redis: ASK target not connected")));
            return;
        }
        // ASKING allows the next command only: the two go out together, nothing between them.
        conn->send({ QByteArrayLiteral("ASKING") }, [](const Reply &) {});
        sendTo(conn, op, -1);
        return;
    }
    const int owner = m_mapLoaded ? m_map.ownerOf(slot) : -1;
    if (owner < 0) {
        scheduleRefresh();
        failLater(std::move(op->fn),
            Error::unavailable(
                QStringLiteral("sending %1: no Redis Cluster master serves slot %2%3")
                    .arg(verb())
                    .arg(slot)
                    .arg(m_mapLoaded ? QString() : QStringLiteral(" (slot map not loaded yet)"))));
        return;
    }
    ++m_inFlight[size_t(slot)];
    sendTo(nodeFor(m_map.masters().at(owner)), op, slot);
}

void ClusterRouter::sendTo(Connection *conn, const OpPtr &op, int countedSlot)
{
    conn->send(
        op->args, [this, op, countedSlot](Reply r) { onReply(op, countedSlot, std::move(r)); });
}

void ClusterRouter::onReply(const OpPtr &op, int countedSlot, Reply reply)
{
    if (m_closed) {
        op->fn(std::move(reply));
        return;
    }
    if (countedSlot >= 0 && --m_inFlight[size_t(countedSlot)] == 0) {
        // The last command sent to the slot's old owner is back: from now on its new owner
        // gets them directly, after every one redirected so far.
        const auto moved = m_movedTo.find(countedSlot);
        if (moved != m_movedTo.end()) {
            m_map.setOwner(countedSlot, *moved);
            m_movedTo.erase(moved);
            scheduleRefresh(); // the old owner may have left the map's masters
        }
    }
    if (reply) {
        op->fn(std::move(reply));
        return;
    }
    const QString &message = reply.error().message;
    if (const auto redirect = Redirect::parse(message)) {
        if (++op->redirects > kMaxRedirects || op->route.kind != Route::Kind::Slot) {
            op->fn(std::move(reply));
            return;
        }
        if (redirect->kind == Redirect::Kind::Moved) {
            if (m_inFlight[size_t(redirect->slot)] == 0)
                m_map.setOwner(redirect->slot, redirect->node);
            else
                m_movedTo.insert(redirect->slot, redirect->node);
            scheduleRefresh();
            Connection *target = nodeFor(redirect->node);
            if (!target->isReady()) {
                retryLater(op, reply.error());
                return;
            }
            sendTo(target, op, -1);
            return;
        }
        op->askTo = redirect->node;
        dispatch(op);
        return;
    }
    if (cluster::isTryAgain(message)) {
        retryLater(op, reply.error());
        return;
    }
    if (cluster::isClusterDown(message)) {
        scheduleRefresh();
        op->fn(Error::unavailable(message));
        return;
    }
    if (reply.error().code == ErrorCode::Unavailable)
        scheduleRefresh(); // a lost node: its slots may have a new master by now
    op->fn(std::move(reply));
}

void ClusterRouter::retryLater(const OpPtr &op, const Error &why)
{
    if (++op->retries > kMaxRetries) {
        op->fn(why.code == ErrorCode::Unavailable ? why : Error::unavailable(why.message));
        return;
    }
    m_retrying.append(op);
    QTimer::singleShot(kRetryDelayMs * op->retries, this, [this, op] {
        if (m_retrying.removeOne(op))
            dispatch(op);
    });
}

void ClusterRouter::sendToAll(const QList<QByteArray> &args, ReplyFn fn)
{
    // Every master runs it; the caller gets the first error, or the last master's reply.
    struct Gather {
        ReplyFn fn;
        int waiting = 0;
        std::optional<Reply> answer;
    };
    auto gather = std::make_shared<Gather>();
    gather->fn = std::move(fn);
    const QList<HostPort> masters = m_map.masters();
    if (!m_mapLoaded || masters.isEmpty()) {
        failLater(std::move(gather->fn),
            Error::unavailable(QStringLiteral("sending %1: the Redis Cluster slot map is not "
                                              "loaded yet")
                                   .arg(QString::fromUtf8(args.constFirst()))));
        return;
    }
    gather->waiting = int(masters.size());
    for (const HostPort &master : masters) {
        nodeFor(master)->send(args, [gather](Reply r) {
            if (!gather->answer || (*gather->answer && !r))
                gather->answer.emplace(std::move(r));
            if (--gather->waiting == 0)
                gather->fn(std::move(*gather->answer));
        });
    }
}

void ClusterRouter::scheduleRefresh()
{
    if (m_refreshScheduled || m_closed)
        return;
    m_refreshScheduled = true;
    QTimer::singleShot(kRefreshSoonMs, this, [this] {
        m_refreshScheduled = false;
        refresh();
    });
}

void ClusterRouter::refresh()
{
    if (m_closed)
        return;
    if (m_refreshing) {
        m_refreshAgain = true;
        return;
    }
    // Ask a master of the current map first, a seed only when none of them answers.
    Connection *ask = nullptr;
    for (const HostPort &master : m_map.masters()) {
        Connection *conn = m_nodes.value(cluster::nodeName(master));
        if (conn && conn->isReady()) {
            ask = conn;
            break;
        }
    }
    for (auto it = m_nodes.cbegin(); !ask && it != m_nodes.cend(); ++it)
        if (it.value()->isReady())
            ask = it.value();
    if (!ask) {
        // Every connection is down: they reconnect on their own, and the first one back asks.
        // Seeds come back too, in case the map's masters are gone for good.
        for (const HostPort &seed : std::as_const(m_options.clusterNodes))
            nodeFor(seed);
        return;
    }
    m_refreshing = true;
    ask->send({ QByteArrayLiteral("CLUSTER"), QByteArrayLiteral("SLOTS") },
        [this, host = ask->options().host](Reply r) { onSlots(host, std::move(r)); });
}

void ClusterRouter::onSlots(const QString &seedHost, Reply reply)
{
    m_refreshing = false;
    if (m_closed)
        return;
    if (std::exchange(m_refreshAgain, false))
        scheduleRefresh();
    if (!reply) {
        qCWarning(lcRedis).noquote()
            << m_role << "loading the Redis Cluster slot map:" << reply.error().message;
        return;
    }
    auto map = cluster::SlotMap::fromClusterSlots(*reply, seedHost);
    if (!map) {
        qCWarning(lcRedis).noquote() << m_role << map.error().message;
        return;
    }
    if (!m_mapLoaded)
        qCInfo(lcRedis).noquote() << m_role
                                  << "Redis Cluster slot map loaded:" << map->masters().size()
                                  << "masters";
    // A slot with commands still in flight at its old owner keeps that owner until they are
    // answered (as after a MOVED), so the slot's commands stay in order.
    QHash<int, HostPort> deferred;
    for (int slot = 0; m_mapLoaded && slot < kSlotCount; ++slot) {
        const int oldOwner = m_map.ownerOf(slot);
        if (m_inFlight[size_t(slot)] == 0 || oldOwner < 0)
            continue;
        const HostPort old = m_map.masters().at(oldOwner);
        const int newOwner = map->ownerOf(slot);
        if (newOwner >= 0 && map->masters().at(newOwner).port == old.port
            && map->masters().at(newOwner).host == old.host)
            continue;
        if (newOwner >= 0)
            deferred.insert(slot, map->masters().at(newOwner));
        map->setOwner(slot, old);
    }
    m_map = std::move(*map);
    m_movedTo = std::move(deferred);
    m_mapLoaded = true;
    for (const HostPort &master : m_map.masters())
        nodeFor(master);
    dropNodesNotIn(m_map);
    Q_EMIT mapChanged();
    updateReady();
}

void ClusterRouter::dropNodesNotIn(const cluster::SlotMap &map)
{
    for (auto it = m_nodes.begin(); it != m_nodes.end();) {
        const QString name = it.key();
        const bool isMaster = std::any_of(map.masters().cbegin(), map.masters().cend(),
            [&name](const HostPort &m) { return cluster::nodeName(m) == name; });
        if (isMaster) {
            ++it;
            continue;
        }
        Connection *conn = it.value();
        m_sentByGone += conn->commandsSent();
        m_heldByGone += conn->writesHeld();
        m_reconnectsOfGone += conn->reconnects();
        it = m_nodes.erase(it);
        // Maybe inside one of its own callbacks: what it still has in flight is answered when
        // it goes (Unavailable), from the event loop.
        conn->disconnect(this);
        conn->deleteLater();
    }
}

void ClusterRouter::updateReady()
{
    bool ready = m_mapLoaded && !m_closed && m_map.coversAllSlots();
    for (const HostPort &master : m_map.masters()) {
        const Connection *conn = m_nodes.value(cluster::nodeName(master));
        ready = ready && conn && conn->isReady();
    }
    if (ready == m_ready)
        return;
    m_ready = ready;
    if (ready)
        Q_EMIT this->ready();
    else
        Q_EMIT lost();
}

void ClusterRouter::failLater(ReplyFn fn, Error error)
{
    m_failures.append({ std::move(fn), std::move(error) });
    if (!m_drainScheduled) {
        m_drainScheduled = true;
        QMetaObject::invokeMethod(this, &ClusterRouter::drainFailures, Qt::QueuedConnection);
    }
}

void ClusterRouter::drainFailures()
{
    m_drainScheduled = false;
    for (auto &[fn, error] : std::exchange(m_failures, {}))
        fn(error);
}

} // namespace confab::redis::detail

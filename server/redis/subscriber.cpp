#include "redis/subscriber.h"

#include "redis/clusterclient_p.h"
#include "redis/connection_p.h"
#include "redis/keyslot.h"
#include "redis/logging.h"

#include <QHash>
#include <QSet>

namespace confab::redis
{

using detail::ClusterRouter;
using detail::Connection;

namespace
{

// Channels with a hash tag (a conversation's, a user's) are sharded pub/sub: SSUBSCRIBE, on the
// master of their slot in a cluster. Deployment-wide ones keep SUBSCRIBE, at the master of their
// name's slot, where they are also published (so PUBLISH's count covers every node; routeOf()).
QByteArray verbFor(const QByteArray &channel, bool subscribe)
{
    if (hasHashTag(channel))
        return subscribe ? QByteArrayLiteral("SSUBSCRIBE") : QByteArrayLiteral("SUNSUBSCRIBE");
    return subscribe ? QByteArrayLiteral("SUBSCRIBE") : QByteArrayLiteral("UNSUBSCRIBE");
}

} // namespace

class Subscriber::Private
{
public:
    Private(Subscriber *q, Options options)
        : q(q)
        , options(std::move(options))
    {
    }

    Connection *connectionTo(const QString &node);
    [[nodiscard]] QString nodeFor(const QByteArray &channel) const;
    void place(const QByteArray &channel);
    void sendTo(Connection *conn, const QList<QByteArray> &channels, bool subscribe);
    void onReady(const QString &node);
    void onLost();
    void onPush(const QString &node, const Value &v);
    void onMapChanged();
    [[nodiscard]] bool allReady() const;
    void announceIfDone();

    Subscriber *q;
    Options options;
    std::unique_ptr<ClusterRouter> router; // cluster mode: the slot map
    // Pub/sub connections by node ("" for the single Redis), and where each channel is.
    QHash<QString, Connection *> conns;
    QHash<QByteArray, QString> placed;
    QSet<QByteArray> channels;
    QSet<QByteArray> awaiting; // sent after (re)connecting, not yet confirmed
    bool started = false;
    bool announced = false;
    quint64 messagesReceived = 0;
    quint64 bytesReceived = 0;
};

Connection *Subscriber::Private::connectionTo(const QString &node)
{
    if (Connection *conn = conns.value(node))
        return conn;
    Options o = options;
    if (router) {
        const qsizetype colon = node.lastIndexOf(QLatin1Char(':'));
        o.clusterNodes.clear();
        o.host = node.left(colon);
        o.port = quint16(node.mid(colon + 1).toUInt());
        o.db = 0;
    }
    auto *conn = new Connection(std::move(o), QStringLiteral("subscriber"), q);
    conns.insert(node, conn);
    conn->setPushHandler([this, node](const Value &v) { onPush(node, v); });
    QObject::connect(conn, &Connection::ready, q, [this, node] { onReady(node); });
    QObject::connect(conn, &Connection::lost, q, [this] { onLost(); });
    if (started)
        conn->start();
    return conn;
}

QString Subscriber::Private::nodeFor(const QByteArray &channel) const
{
    if (!router)
        return QString();
    const cluster::SlotMap &map = router->slotMap();
    if (map.masters().isEmpty())
        return QString(); // not loaded yet: placed when it is
    const int owner = map.ownerOf(keySlot(channel)); // untagged too: see routeOf()
    return owner < 0 ? QString() : cluster::nodeName(map.masters().at(owner));
}

void Subscriber::Private::place(const QByteArray &channel)
{
    const QString node = nodeFor(channel);
    if (router && node.isEmpty())
        return; // no owner known yet; onMapChanged() places it
    const auto at = placed.constFind(channel);
    if (at != placed.cend()) {
        if (*at == node)
            return;
        if (Connection *old = conns.value(*at))
            sendTo(old, { channel }, false);
    }
    placed.insert(channel, node);
    Connection *conn = connectionTo(node);
    if (conn->isReady()) {
        if (!announced) // connected() means every channel known then is confirmed
            awaiting.insert(channel);
        sendTo(conn, { channel }, true);
    }
    // Otherwise onReady() subscribes it with the others placed there.
}

void Subscriber::Private::sendTo(Connection *conn, const QList<QByteArray> &list, bool subscribe)
{
    QList<QByteArray> plain;
    for (const QByteArray &c : list) {
        // SSUBSCRIBE takes channels of one slot only: one command per shard channel.
        if (hasHashTag(c))
            conn->sendPubSub({ verbFor(c, subscribe), c });
        else
            plain.append(c);
    }
    if (!plain.isEmpty()) {
        plain.prepend(verbFor(plain.constFirst(), subscribe));
        conn->sendPubSub(plain);
    }
}

void Subscriber::Private::onReady(const QString &node)
{
    QList<QByteArray> here;
    for (auto it = placed.cbegin(); it != placed.cend(); ++it)
        if (it.value() == node)
            here.append(it.key());
    for (const QByteArray &c : std::as_const(here))
        awaiting.insert(c);
    Connection *conn = conns.value(node);
    if (conn && !here.isEmpty())
        sendTo(conn, here, true);
    announceIfDone();
}

void Subscriber::Private::onLost()
{
    const bool was = announced;
    announced = false;
    awaiting.clear();
    if (router)
        router->scheduleRefresh(); // the node's slots may have a new master
    if (was || !router)
        Q_EMIT q->disconnected();
}

bool Subscriber::Private::allReady() const
{
    if (router && !router->isReady())
        return false;
    for (const Connection *conn : conns)
        if (!conn->isReady())
            return false;
    return !conns.isEmpty();
}

void Subscriber::Private::announceIfDone()
{
    if (announced || !awaiting.isEmpty() || !allReady())
        return;
    announced = true;
    Q_EMIT q->connected();
}

void Subscriber::Private::onPush(const QString &node, const Value &v)
{
    if (v.type == Value::Type::Error) {
        // SSUBSCRIBE sent to a master that no longer owns the slot (our map was stale): follow
        // the MOVED for the channels of that slot placed there, and load the map again.
        const auto moved = cluster::Redirect::parse(QString::fromUtf8(v.str));
        if (!moved || moved->kind != cluster::Redirect::Kind::Moved || !router)
            return;
        router->scheduleRefresh();
        const QString target = cluster::nodeName(moved->node);
        QList<QByteArray> here;
        for (auto it = placed.cbegin(); it != placed.cend(); ++it)
            if (it.value() == node && hasHashTag(it.key()) && keySlot(it.key()) == moved->slot)
                here.append(it.key());
        for (const QByteArray &c : std::as_const(here))
            placed.insert(c, target);
        if (Connection *conn = connectionTo(target); conn->isReady() && !here.isEmpty())
            sendTo(conn, here, true);
        return;
    }
    if (v.type != Value::Type::Array || v.elements.size() < 3)
        return;
    const QByteArray kind = v.elements.at(0).str.toLower();
    const QByteArray &channel = v.elements.at(1).str;
    if (kind == "message" || kind == "smessage") {
        ++messagesReceived;
        bytesReceived += quint64(v.elements.at(2).str.size());
        // Messages already in flight when the caller unsubscribed are not theirs any more.
        if (channels.contains(channel))
            Q_EMIT q->message(channel, v.elements.at(2).str);
    } else if (kind == "subscribe" || kind == "ssubscribe") {
        awaiting.remove(channel);
        announceIfDone();
    } else if (kind == "sunsubscribe" && channels.contains(channel)
        && placed.value(channel) == node) {
        // Not ours: Redis unsubscribes a shard channel whose slot moved to another master (or
        // answers our own SUNSUBSCRIBE of a channel subscribed again since; subscribing it once
        // more is harmless). Subscribe it again where the refreshed map says it is now.
        placed.remove(channel);
        if (router) {
            router->scheduleRefresh();
            place(channel);
        } else {
            place(channel);
        }
    }
}

void Subscriber::Private::onMapChanged()
{
    const cluster::SlotMap &map = router->slotMap();
    for (const HostPort &master : map.masters())
        connectionTo(cluster::nodeName(master));
    for (const QByteArray &c : std::as_const(channels))
        place(c);
    announceIfDone();
}

Subscriber::Subscriber(Options options, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(this, std::move(options)))
{
    if (d->options.isCluster()) {
        d->router = std::make_unique<ClusterRouter>(d->options, QStringLiteral("subscriber map"));
        connect(d->router.get(), &ClusterRouter::mapChanged, this, [this] { d->onMapChanged(); });
        connect(d->router.get(), &ClusterRouter::ready, this, [this] { d->announceIfDone(); });
        connect(d->router.get(), &ClusterRouter::lost, this, [this] { d->onLost(); });
    } else {
        d->connectionTo(QString());
    }
}

Subscriber::~Subscriber()
{
    // The connections are children of this object; they go before d, whose handlers they call.
    qDeleteAll(std::exchange(d->conns, {}));
}

void Subscriber::start()
{
    if (d->started)
        return;
    d->started = true;
    if (d->router)
        d->router->start();
    for (Connection *conn : std::as_const(d->conns))
        conn->start();
}

bool Subscriber::isConnected() const
{
    return d->allReady();
}

void Subscriber::subscribe(const QByteArray &channel)
{
    if (d->channels.contains(channel))
        return;
    d->channels.insert(channel);
    d->place(channel);
}

void Subscriber::unsubscribe(const QByteArray &channel)
{
    if (!d->channels.remove(channel))
        return;
    const QString node = d->placed.take(channel);
    if (Connection *conn = d->conns.value(node); conn && conn->isReady())
        d->sendTo(conn, { channel }, false);
    if (d->awaiting.remove(channel))
        d->announceIfDone();
}

qsizetype Subscriber::channelCount() const
{
    return d->channels.size();
}

bool Subscriber::isSubscribed(const QByteArray &channel) const
{
    return d->channels.contains(channel);
}

quint64 Subscriber::messagesReceived() const
{
    return d->messagesReceived;
}

quint64 Subscriber::bytesReceived() const
{
    return d->bytesReceived;
}

} // namespace confab::redis

#include "redis/subscriber.h"

#include "redis/connection_p.h"
#include "redis/logging.h"

#include <QSet>

namespace confab::redis
{

using detail::Connection;

class Subscriber::Private
{
public:
    Private(Subscriber *q, Options options)
        : q(q)
        , conn(std::move(options), QStringLiteral("subscriber"))
    {
    }

    void onReady();
    void onLost();
    void onPush(const Value &v);
    void announceIfDone();

    Subscriber *q;
    Connection conn;
    QSet<QByteArray> channels;
    QSet<QByteArray> awaiting; // sent after (re)connecting, not yet confirmed
    bool announced = false;
    quint64 messagesReceived = 0;
    quint64 bytesReceived = 0;
};

void Subscriber::Private::onReady()
{
    announced = false;
    awaiting = channels;
    if (!channels.isEmpty()) {
        QList<QByteArray> args { QByteArrayLiteral("SUBSCRIBE") };
        for (const QByteArray &c : std::as_const(channels))
            args.append(c);
        conn.sendPubSub(args);
    }
    announceIfDone();
}

void Subscriber::Private::onLost()
{
    announced = false;
    awaiting.clear();
    Q_EMIT q->disconnected();
}

void Subscriber::Private::announceIfDone()
{
    if (announced || !awaiting.isEmpty())
        return;
    announced = true;
    Q_EMIT q->connected();
}

void Subscriber::Private::onPush(const Value &v)
{
    if (v.type != Value::Type::Array || v.elements.size() < 3)
        return;
    const QByteArray kind = v.elements.at(0).str.toLower();
    const QByteArray &channel = v.elements.at(1).str;
    if (kind == "message") {
        ++messagesReceived;
        bytesReceived += quint64(v.elements.at(2).str.size());
        // Messages already in flight when the caller unsubscribed are not theirs any more.
        if (channels.contains(channel))
            Q_EMIT q->message(channel, v.elements.at(2).str);
    } else if (kind == "subscribe") {
        awaiting.remove(channel);
        announceIfDone();
    }
    // "unsubscribe" confirmations need nothing: hiredis (0.14.1 tracks pending_subs) keeps a
    // channel's callback when a newer SUBSCRIBE for it is still in flight.
}

Subscriber::Subscriber(Options options, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(this, std::move(options)))
{
    d->conn.setPushHandler([this](const Value &v) { d->onPush(v); });
    connect(&d->conn, &Connection::ready, this, [this] { d->onReady(); });
    connect(&d->conn, &Connection::lost, this, [this] { d->onLost(); });
}

Subscriber::~Subscriber() = default;

void Subscriber::start()
{
    d->conn.start();
}

bool Subscriber::isConnected() const
{
    return d->conn.isReady();
}

void Subscriber::subscribe(const QByteArray &channel)
{
    if (d->channels.contains(channel))
        return;
    d->channels.insert(channel);
    // When not connected, the next onReady() subscribes it with the others.
    d->conn.sendPubSub({ QByteArrayLiteral("SUBSCRIBE"), channel });
}

void Subscriber::unsubscribe(const QByteArray &channel)
{
    if (!d->channels.remove(channel))
        return;
    d->conn.sendPubSub({ QByteArrayLiteral("UNSUBSCRIBE"), channel });
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

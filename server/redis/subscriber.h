#pragma once

#include "redis/options.h"

#include <QObject>

#include <memory>

namespace confab::redis
{

// Pub/sub on a connection of its own (a subscribed connection can run no other commands).
// Channels are remembered and subscribed again after every reconnect. Channels with a hash tag
// use sharded pub/sub (SSUBSCRIBE), the others SUBSCRIBE. With Options::clusterNodes: one
// connection per master, each shard channel on its slot's master (followed when the slot moves),
// the others on one master.
class Subscriber : public QObject
{
    Q_OBJECT
public:
    explicit Subscriber(Options options, QObject *parent = nullptr);
    ~Subscriber() override;

    void start(); // connect; on loss reconnect with backoff, forever
    [[nodiscard]] bool isConnected() const;
    void subscribe(const QByteArray &channel); // idempotent; also works before start()
    void unsubscribe(const QByteArray &channel);
    [[nodiscard]] qsizetype channelCount() const;
    [[nodiscard]] bool isSubscribed(const QByteArray &channel) const;
    // For metrics: messages (and their payload bytes) Redis pushed to this node, including any
    // that arrived just after an unsubscribe. Interest-based fan-out keeps them to channels of
    // conversations with a member on this node.
    [[nodiscard]] quint64 messagesReceived() const;
    [[nodiscard]] quint64 bytesReceived() const;

Q_SIGNALS:
    void message(const QByteArray &channel, const QByteArray &payload);
    void connected(); // (re)connected and every remembered channel confirmed by Redis
    void disconnected();

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace confab::redis

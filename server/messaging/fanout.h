#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>

namespace confab::redis {
class Subscriber;
}

namespace confab::messaging {

// One pub/sub payload, decoded once per node and shared by every local recipient.
// Payloads are "<kind> <arg>\n<frame>": kind m (message.create; arg = accept time ms; several
// joined by '\n', split()),
// e (event frame; arg = user whose sessions are skipped, may be empty), a / r (on a user
// channel: subscribe to / unsubscribe from conversation arg, then send frame if any).
struct Event {
    char kind = 0;
    QByteArray arg;
    QByteArray frame;     // UTF-8 JSON, may be empty
    QByteArray wire;      // the same as a finished WebSocket text frame, built once: every
                          // local recipient writes these very bytes (implicitly shared)
    qint64 acceptedMs = 0;
    bool ephemeral = false; // typing or a presence change: worthless once late
};

class Listener
{
public:
    virtual ~Listener() = default;
    // Answers true when it wrote a message (kind 'm') to a client: Fanout counts those once per
    // message for the delivery metrics (setDeliveredHook).
    virtual bool onEvent(const QByteArray &channel, const Event &event) = 0;
};

// Reference-counted channel subscriptions of this node: a channel is subscribed in Redis
// while at least one local listener wants it, so a node receives only the traffic of the
// conversations and users it serves (DESIGN.md "Fan-out").
class Fanout : public QObject
{
    Q_OBJECT
public:
    explicit Fanout(redis::Subscriber *subscriber, QObject *parent = nullptr);

    void add(const QByteArray &channel, Listener *listener);
    void remove(const QByteArray &channel, Listener *listener);
    [[nodiscard]] qsizetype channelCount() const { return m_listeners.size(); }
    // Called once per delivered message with how many local listeners wrote it (at least one),
    // so per-recipient bookkeeping (a clock read, a histogram's lock) is paid per message.
    using DeliveredHook = std::function<void(const Event &event, qsizetype recipients)>;
    void setDeliveredHook(DeliveredHook hook) { m_delivered = std::move(hook); }
    [[nodiscard]] static Event decode(const QByteArray &payload);
    // The accept script publishes the messages of one conversation accepted by one call as one
    // payload: "m <ts>\n<frame>" parts joined by '\n' (frames are compact JSON, without a
    // newline). Answers each part; any other payload (or a single message) as it is.
    [[nodiscard]] static QList<QByteArray> split(const QByteArray &payload);

private:
    void dispatch(const QByteArray &channel, const QByteArray &payload);
    void deliver(const QByteArray &channel, const Event &ev);

    redis::Subscriber *m_subscriber;
    QHash<QByteArray, QList<Listener *>> m_listeners;
    quint64 m_changes = 0; // add() and remove() calls that changed a list
    DeliveredHook m_delivered;
};

} // namespace confab::messaging

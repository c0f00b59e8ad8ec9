#pragma once

#include "confab/config.h"
#include "confab/expected.h"
#include "messaging/scripts.h"
#include "redis/sharedreply.h"

#include <QCoro/QCoroTask>
#include <QHash>
#include <QObject>

#include <functional>
#include <memory>

namespace confab {
class JsonWriter;
}
namespace confab::redis {
class Client;
}

namespace confab::messaging {

struct SendRequest {
    QString appId;
    QByteArray convoId;
    QByteArray senderId;
    QByteArray clientMsgId;
    QByteArray content;      // compact JSON
    QByteArray attachments;  // compact JSON array or empty
};

struct Ack {
    QByteArray serverMsgId;
    qint64 seq = 0;
    qint64 ts = 0;
    bool duplicate = false;
};

enum class Watermark { Delivered, Read };

// The live message path on Redis: accepting a message (rate limits, then the atomic accept
// script), receipts, typing and membership events. The ack a caller gets back means the
// script returned, so the message is in the AOF-persisted tail and was published; with
// [redis] min_replicas also that WAIT saw it on that many replicas (and it is published only
// then, docs/redis.md "Sentinel").
class MessageService : public QObject
{
    Q_OBJECT
public:
    explicit MessageService(redis::Client *redis, QObject *parent = nullptr);

    // Reads one envelope by seq_no from history (the tail and the segments): how a resend whose
    // original was already trimmed from the tail gets its original ack.
    using EnvelopeLookup = std::function<QCoro::Task<Expected<QByteArray>>(QString appId, QByteArray convoId, qint64 seq)>;
    void setEnvelopeLookup(EnvelopeLookup lookup) { m_history = std::move(lookup); }

    QCoro::Task<Expected<Ack>> send(SendRequest req, Limits limits);
    // Returns the new watermark, or 0 when the frame raised nothing.
    QCoro::Task<Expected<qint64>> raiseWatermark(Watermark kind, QString appId, QByteArray convoId,
                                                 QByteArray userId, qint64 seq);
    void publishTyping(const QString &appId, const QByteArray &convoId, const QByteArray &userId,
                       bool start);
    // A membership change: conversation.updated to the members (after the change) and to the
    // user concerned, and a note on the user's channel so their sessions (on any node)
    // subscribe or unsubscribe.
    QCoro::Task<Status> publishMemberChange(QString appId, QByteArray convoId, QByteArray userId,
                                            bool added);
    // Subscribes the members' sessions to a new conversation (no frame is sent).
    QCoro::Task<Status> publishCreated(QString appId, QByteArray convoId, QList<QByteArray> members);
    // last_seq per conversation (0 when empty), one pipelined round trip.
    QCoro::Task<Expected<QHash<QByteArray, qint64>>> lastSeqs(QString appId, QList<QByteArray> convoIds);
    QCoro::Task<Expected<QHash<QByteArray, qint64>>> readWatermarks(QString appId, QList<QByteArray> convoIds,
                                                                    QByteArray userId);
    // Counts a new connection of a user; true while within `perTenSeconds` (0: unlimited).
    QCoro::Task<Expected<bool>> admitConnection(QString appId, QByteArray userId, qint64 perTenSeconds);
    // Takes a token for one conversation created by a user: the user's bucket
    // (limits.userConvosPerMin) and the one of all the app's users (limits.appConvosPerS),
    // all nodes together. RateLimited with retry_after_ms when either is empty.
    QCoro::Task<Status> admitConversation(QString appId, QByteArray userId, Limits limits);

    // Redis Cluster key layout (docs/redis.md): every script on one slot, so a send takes its
    // rate-limit tokens in a call of its own on the {app} slot before the accept script, and
    // marks its slot dirty after it. Set from redis->options().isCluster(); tests turn it on
    // against one Redis, where it works the same.
    void setClusterLayout(bool on) { m_cluster = on; }
    [[nodiscard]] bool clusterLayout() const { return m_cluster; }

    [[nodiscard]] const Scripts &scripts() const { return m_scripts; }
    [[nodiscard]] redis::Client *redis() const { return m_redis; }

    static void writeAck(JsonWriter &w, const Ack &ack);

Q_SIGNALS:
    // The accept script found Redis without its recovered marker (docs/storage.md).
    void recoveryNeeded();
    void messageAccepted(const QString &appId);
    // The same accept, for webhooks (message.offline): the stored envelope is envelopeHead,
    // the decimal seq, then envelopeTail. In parts so a receiver that does not need it (an app
    // without a webhook) costs no allocation; emitted only while something is connected.
    void messageStored(const QString &appId, const QByteArray &convoId, const QByteArray &senderId, qint64 seq,
                       const QByteArray &envelopeHead, const QByteArray &envelopeTail);
    void messageDuplicate();
    void rateLimited(const QByteArray &scope);
    // An accepted message was not confirmed by [redis] min_replicas replicas in time.
    void replicationShort();

private:
    // WAIT for [redis] min_replicas replicas; Unavailable when fewer confirmed in time.
    QCoro::Task<Status> waitForReplicas(int minReplicas);

    // Sends to one conversation accepted by one script call: those that came while the
    // conversation's previous calls were in flight (group commit), at most kMaxAcceptBatch.
    struct AcceptBatch {
        QList<AcceptInput> inputs;
        std::shared_ptr<redis::SharedReply> reply = std::make_shared<redis::SharedReply>();
    };
    // Accept calls of one conversation out at once (they run in order on its slot's connection).
    static constexpr int kAcceptCallsInFlight = 2;
    struct AcceptQueue {
        AcceptBatch next; // goes out when a call may go (canCall())
        int inFlight = 0;
        [[nodiscard]] bool canCall() const { return inFlight < kAcceptCallsInFlight; }
    };
    // Adds a send to its conversation's next batch, sent at once when fewer than
    // kAcceptCallsInFlight calls of that conversation are in flight; answers the batch's reply
    // and the send's index in it.
    std::pair<std::shared_ptr<redis::SharedReply>, qsizetype> queueAccept(const AcceptInput &in);
    void runAccept(const QByteArray &convoKey);
    void acceptAnswered(const QByteArray &convoKey);

    redis::Client *m_redis;
    QHash<QByteArray, AcceptQueue> m_accepts; // by schema::pendingMember(app, convo), while busy
    std::shared_ptr<redis::SharedReply> m_wait; // the WAIT this iteration's accepts share
    EnvelopeLookup m_history;
    Scripts m_scripts;
    bool m_cluster = false;
};

} // namespace confab::messaging

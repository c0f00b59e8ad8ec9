#include "messaging/messageservice.h"

#include "schema/pending.h"

#include "confab/ids.h"
#include "confab/jsonwriter.h"
#include "messaging/logging.h"
#include "schema/keys.h"
#include "redis/client.h"

#include <QDateTime>
#include <QTimer>
#include <QMetaMethod>

#include <simdjson.h>

Q_LOGGING_CATEGORY(lcMessaging, "confab.messaging", QtInfoMsg)

namespace confab::messaging {

namespace keys = confab::schema::keys;

namespace {

// The ack of an envelope that carries clientMsgId (the original of a resend), else nullopt.
std::optional<Ack> ackOfEnvelope(const QByteArray &envelope, const QByteArray &clientMsgId)
{
    if (envelope.isEmpty())
        return std::nullopt;
    thread_local simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(envelope.constData(), size_t(envelope.size())).get(root) != simdjson::SUCCESS)
        return std::nullopt;
    std::string_view id, cmid;
    int64_t seq = 0, ts = 0;
    if (root["client_msg_id"].get_string().get(cmid) != simdjson::SUCCESS
        || QByteArrayView(cmid.data(), qsizetype(cmid.size())) != QByteArrayView(clientMsgId)
        || root["server_msg_id"].get_string().get(id) != simdjson::SUCCESS
        || root["seq_no"].get_int64().get(seq) != simdjson::SUCCESS || root["ts"].get_int64().get(ts) != simdjson::SUCCESS)
        return std::nullopt;
    return Ack{QByteArray(id.data(), qsizetype(id.size())), seq, ts, true};
}

QByteArray watermarkFrameHead(Watermark kind, QByteArrayView convo, QByteArrayView user)
{
    JsonWriter w;
    w.beginObject()
        .field("type", kind == Watermark::Read ? "message.read" : "message.delivery")
        .field("convo_id", convo)
        .field("user_id", user)
        .key("seq_no");
    return w.take(); // the script appends the number and the closing brace
}
// Attachments must name objects uploaded for this app and conversation (POST /v1/attachments
// makes keys att/<app>/<convo>/<ulid>/<name>), with a sane size and content type.
Status checkAttachments(const QByteArray &attachments, const QString &appId, const QByteArray &convoId)
{
    if (attachments.isEmpty())
        return Ok{};
    const QByteArray prefix = "att/" + appId.toUtf8() + '/' + convoId + '/';
    thread_local simdjson::dom::parser parser;
    simdjson::dom::array items;
    if (parser.parse(attachments.constData(), size_t(attachments.size())).get_array().get(items) != simdjson::SUCCESS)
        return Error::badRequest(QStringLiteral("'attachments' must be an array"));
    for (simdjson::dom::element item : items) {
        std::string_view key;
        if (item["key"].get_string().get(key) != simdjson::SUCCESS)
            return Error::badRequest(QStringLiteral("every attachment needs a string 'key'"));
        const QByteArrayView k(key.data(), qsizetype(key.size()));
        if (!k.startsWith(prefix) || k.contains("/../") || k.endsWith("/..") || k.contains('\0'))
            return Error::badRequest(QStringLiteral("an attachment's 'key' must name an upload of this conversation"));
        simdjson::dom::element size;
        if (item["size"].get(size) == simdjson::SUCCESS) {
            int64_t n = -1;
            if (size.get_int64().get(n) != simdjson::SUCCESS || n < 0)
                return Error::badRequest(QStringLiteral("an attachment's 'size' must be a non-negative integer"));
        }
        std::string_view type;
        if (item["content_type"].get_string().get(type) == simdjson::SUCCESS) {
            for (char c : type) {
                if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
                    return Error::badRequest(QStringLiteral("an attachment's 'content_type' has control characters"));
            }
        }
    }
    return Ok{};
}

} // namespace

MessageService::MessageService(redis::Client *redis, QObject *parent)
    : QObject(parent), m_redis(redis), m_cluster(redis && redis->options().isCluster())
{
}

void MessageService::writeAck(JsonWriter &w, const Ack &ack)
{
    w.field("status", "ok")
        .field("server_msg_id", QByteArrayView(ack.serverMsgId))
        .field("seq_no", ack.seq)
        .field("ts", ack.ts)
        .field("duplicate", ack.duplicate);
}

QCoro::Task<Expected<Ack>> MessageService::send(SendRequest req, Limits limits)
{
    if (const Status ok = checkAttachments(req.attachments, req.appId, req.convoId); !ok)
        co_return ok.error();
    const qint64 ts = QDateTime::currentMSecsSinceEpoch();
    const QByteArray serverMsgId = newUlid(ts);

    JsonWriter head(96);
    head.beginObject().field("server_msg_id", QByteArrayView(serverMsgId)).field("convo_id", QByteArrayView(req.convoId)).key("seq_no");
    JsonWriter tail(req.content.size() + req.attachments.size() + 128);
    // The tail continues the envelope after the number: start as a fresh writer and strip its '{'.
    tail.beginObject()
        .field("sender_id", QByteArrayView(req.senderId))
        .field("client_msg_id", QByteArrayView(req.clientMsgId))
        .field("ts", ts)
        .rawField("content", req.content);
    if (!req.attachments.isEmpty())
        tail.rawField("attachments", req.attachments);
    tail.endObject();
    QByteArray tailBytes = tail.take();
    tailBytes[0] = ',';

    AcceptInput in{req.appId, req.convoId, req.senderId, req.clientMsgId, head.take(), std::move(tailBytes), ts,
                   limits.dedupWindowMs, limits.userMsgsPerMin, limits.appMsgsPerS, false, m_cluster};
    const int minReplicas = m_redis->options().minReplicas;
    in.deferPublish = minReplicas > 0;
    if (m_cluster && (limits.userMsgsPerMin > 0 || limits.appMsgsPerS > 0)) {
        // The buckets ({app}) are on another slot than the conversation: a call of their own,
        // before the accept (so a resend of a stored message costs a token here, docs/redis.md).
        const ScriptCall buckets = sendBucketsCall(req.appId, req.senderId, limits.userMsgsPerMin, limits.appMsgsPerS);
        auto taking = m_redis->eval(m_scripts.tokenBuckets, buckets.keys, buckets.args);
        const redis::Reply taken = co_await taking;
        if (!taken)
            co_return Error::unavailable(QStringLiteral("counting sends: %1").arg(taken.error().message));
        if (const qint64 waitMs = taken->toInteger(); waitMs > 0) {
            Q_EMIT rateLimited(QByteArrayLiteral("send"));
            co_return Error::rateLimited(QStringLiteral("send rate limit reached"), waitMs);
        }
    }
    for (int attempt = 0; attempt < 2; ++attempt) {
        // With the other sends to this conversation that come while its last call is out.
        const auto [batch, index] = queueAccept(in);
        co_await redis::SharedReply::wait(batch);
        const redis::Reply &r = batch->reply();
        if (!r)
            co_return Error::unavailable(QStringLiteral("accepting a message: %1").arg(r.error().message));
        if (r->elements.size() <= index || r->elements[index].elements.size() < 2)
            co_return Error::internal(QStringLiteral("accept script answered an unexpected shape"));
        const QList<redis::Value> &answer = r->elements[index].elements;
        const qint64 status = answer[0].toInteger();
        // On a cluster the dirty-slot set is on another slot: marked here, not awaited (a node
        // dying before it is covered by the flush worker's sweep, docs/storage.md).
        if (m_cluster && status == 0 && acceptMadePending(answer))
            m_redis->command(keys::cmd("SADD", schema::dirtySlotsKey(),
                                       QByteArray::number(schema::convoSlot(req.appId, req.convoId))),
                             this, [](redis::Reply) {});
        if (status == 3) {
            Q_EMIT rateLimited(QByteArrayLiteral("send"));
            co_return Error::rateLimited(QStringLiteral("send rate limit reached"), answer[1].toInteger());
        }
        if (status == 2) {
            Q_EMIT recoveryNeeded();
            co_return Error::unavailable(QStringLiteral("Redis lost its data: counters are being rebuilt from the segment index"));
        }
        if (status == 0) {
            const qint64 seq = answer[1].toInteger();
            if (minReplicas > 0) {
                auto replicating = waitForReplicas(minReplicas);
                const Status replicated = co_await replicating;
                if (!replicated)
                    co_return replicated.error();
                // Live only now, in seq order: a message lost in a failover was never seen with
                // its seq_no.
                const ScriptCall release = releaseCall(req.appId, req.convoId, seq, ts);
                m_redis->evalScript(m_scripts.release, release.keys, release.args, nullptr, [](const redis::Reply &) {});
            }
            Q_EMIT messageAccepted(req.appId);
            if (isSignalConnected(QMetaMethod::fromSignal(&MessageService::messageStored)))
                Q_EMIT messageStored(req.appId, req.convoId, req.senderId, seq, in.envelopeHead, in.envelopeTail);
            co_return Ack{serverMsgId, seq, ts, false};
        }
        // A duplicate: the original envelope, from the tail or (trimmed) from history.
        const qint64 seq = answer[1].toInteger();
        QByteArray envelope = answer.size() > 2 ? answer[2].str : QByteArray();
        if (envelope.isEmpty() && m_history) {
            auto pending3 = m_history(req.appId, req.convoId, seq);
            const Expected<QByteArray> found = co_await pending3;
            if (!found)
                co_return found.error();
            envelope = *found;
        }
        const std::optional<Ack> original = ackOfEnvelope(envelope, req.clientMsgId);
        if (original) {
            Q_EMIT messageDuplicate();
            co_return *original;
        }
        if (envelope.isEmpty())
            co_return Error::unavailable(QStringLiteral("the original of a resent message could not be read"));
        // Another client_msg_id with the same 64-bit fingerprint: accept without the lookup.
        qCWarning(lcMessaging) << "dedup fingerprint collision in" << req.appId << req.convoId << "at seq" << seq;
        in.force = true;
    }
    co_return Error::internal(QStringLiteral("dedup lookup did not settle"));
}

std::pair<std::shared_ptr<redis::SharedReply>, qsizetype> MessageService::queueAccept(const AcceptInput &in)
{
    const QByteArray key = schema::pendingMember(in.appId, in.convoId);
    AcceptQueue &queue = m_accepts[key];
    if (queue.next.inputs.size() == kMaxAcceptBatch)
        runAccept(key); // full: goes out now, one more call in flight
    AcceptQueue &q = m_accepts[key];
    q.next.inputs.append(in);
    std::pair<std::shared_ptr<redis::SharedReply>, qsizetype> slot{q.next.reply, q.next.inputs.size() - 1};
    if (q.canCall())
        runAccept(key); // a free slot: no wait for company (a batch forms only while calls are out)
    return slot;
}

void MessageService::runAccept(const QByteArray &convoKey)
{
    AcceptQueue &q = m_accepts[convoKey];
    const AcceptBatch batch = std::exchange(q.next, AcceptBatch{});
    ++q.inFlight;
    const ScriptCall call = acceptCall(batch.inputs);
    // `q` is not used past here: an error may be answered from inside evalScript.
    m_redis->evalScript(m_scripts.accept, call.keys, call.args, this,
                        [this, convoKey, reply = batch.reply](redis::Reply r) {
                            reply->deliver(std::move(r));
                            acceptAnswered(convoKey);
                        });
}

void MessageService::acceptAnswered(const QByteArray &convoKey)
{
    const auto it = m_accepts.find(convoKey);
    if (it == m_accepts.end())
        return;
    --it->inFlight;
    if (!it->next.inputs.isEmpty()) {
        if (it->canCall())
            runAccept(convoKey);
    } else if (it->inFlight == 0) {
        m_accepts.erase(it);
    }
}

QCoro::Task<Status> MessageService::waitForReplicas(int minReplicas)
{
    // WAIT covers every write this connection made before it. A WAIT sent in this iteration
    // comes after every accept whose reply is already here, so their sends share it (WAIT
    // blocks the connection until the replicas answer: one per batch, not one per message).
    const qint64 timeoutMs = m_redis->options().replicaTimeoutMs;
    if (!m_wait) {
        auto batch = std::make_shared<redis::SharedReply>();
        m_wait = batch;
        QTimer::singleShot(0, this, [this, batch] {
            if (m_wait == batch)
                m_wait.reset();
        });
        m_redis->command({QByteArrayLiteral("WAIT"), QByteArray::number(minReplicas), QByteArray::number(timeoutMs)},
                         nullptr, [batch](redis::Reply r) { batch->deliver(std::move(r)); });
    }
    const std::shared_ptr<redis::SharedReply> batch = m_wait;
    co_await redis::SharedReply::wait(batch);
    const redis::Reply &r = batch->reply();
    if (!r)
        co_return Error::unavailable(QStringLiteral("waiting for replicas: %1").arg(r.error().message));
    if (r->toInteger() < minReplicas) {
        Q_EMIT replicationShort();
        co_return Error::unavailable(QStringLiteral("the message reached %1 of %2 Redis replicas within %3 ms")
                                         .arg(r->toInteger()).arg(minReplicas).arg(timeoutMs));
    }
    co_return Ok{};
}

QCoro::Task<Expected<qint64>> MessageService::raiseWatermark(Watermark kind, QString appId, QByteArray convoId,
                                                            QByteArray userId, qint64 seq)
{
    const ScriptCall call = watermarkCall(kind == Watermark::Read, appId, convoId, userId, seq,
                                          watermarkFrameHead(kind, convoId, userId));
    auto pending3 = m_redis->eval(m_scripts.watermark, call.keys, call.args);
    const redis::Reply r = co_await pending3;
    if (!r)
        co_return Error::unavailable(QStringLiteral("raising a watermark: %1").arg(r.error().message));
    co_return r->toInteger();
}

void MessageService::publishTyping(const QString &appId, const QByteArray &convoId, const QByteArray &userId,
                                   bool start)
{
    JsonWriter w;
    w.beginObject()
        .field("type", "typing")
        .field("convo_id", QByteArrayView(convoId))
        .field("user_id", QByteArrayView(userId))
        .field("state", start ? "start" : "stop")
        .endObject();
    m_redis->command(keys::cmd("PUBLISH", keys::convoChannel(appId, convoId), "e " + userId + '\n' + w.bytes()), this,
                     [](redis::Reply) {});
}

QCoro::Task<Status> MessageService::publishMemberChange(QString appId, QByteArray convoId, QByteArray userId,
                                                        bool added)
{
    JsonWriter w;
    w.beginObject()
        .field("type", "conversation.updated")
        .field("convo_id", QByteArrayView(convoId))
        .field("change", added ? "member_added" : "member_removed")
        .field("user_id", QByteArrayView(userId))
        .endObject();
    const QByteArray frame = w.take();
    // The conversation's channel first: a node handles it before the user's note, so a newly
    // added member is not yet subscribed and gets the frame once, from the user channel.
    const QByteArray exclude = userId;
    auto pending4 = m_redis->exec(keys::cmd("PUBLISH", keys::convoChannel(appId, convoId), "e " + exclude + '\n' + frame));
    const redis::Reply a = co_await pending4;
    auto pending5 = m_redis->exec(
        {"PUBLISH", keys::userChannel(appId, userId), (added ? "a " : "r ") + convoId + '\n' + frame});
    const redis::Reply b = co_await pending5;
    if (!a || !b)
        co_return Error::unavailable(QStringLiteral("publishing a membership change"));
    co_return Ok{};
}

QCoro::Task<Status> MessageService::publishCreated(QString appId, QByteArray convoId, QList<QByteArray> members)
{
    bool ok = true;
    for (const QByteArray &m : members) {
        auto pending6 = m_redis->exec(keys::cmd("PUBLISH", keys::userChannel(appId, m), "a " + convoId + '\n'));
        const redis::Reply r = co_await pending6;
        ok = ok && r.has_value();
    }
    if (!ok)
        co_return Error::unavailable(QStringLiteral("publishing a new conversation"));
    co_return Ok{};
}

QCoro::Task<Expected<QHash<QByteArray, qint64>>> MessageService::lastSeqs(QString appId, QList<QByteArray> convoIds)
{
    QHash<QByteArray, qint64> out;
    if (convoIds.isEmpty())
        co_return out;
    // One MGET would cross slots on a cluster; GETs issued together are pipelined anyway.
    std::vector<QCoro::Task<redis::Reply>> pending;
    pending.reserve(convoIds.size());
    for (const QByteArray &c : convoIds)
        pending.push_back(m_redis->exec(keys::cmd("GET", keys::seq(appId, c))));
    for (qsizetype i = 0; i < convoIds.size(); ++i) {
        QCoro::Task<redis::Reply> &pending7 = pending[size_t(i)];
        const redis::Reply r = co_await pending7;
        if (!r)
            co_return Error::unavailable(QStringLiteral("reading last_seq: %1").arg(r.error().message));
        out.insert(convoIds[i], r->toInteger(0));
    }
    co_return out;
}

QCoro::Task<Expected<QHash<QByteArray, qint64>>> MessageService::readWatermarks(QString appId, QList<QByteArray> convoIds,
                                                                                QByteArray userId)
{
    QHash<QByteArray, qint64> out;
    std::vector<QCoro::Task<redis::Reply>> pending;
    pending.reserve(convoIds.size());
    for (const QByteArray &c : convoIds)
        pending.push_back(m_redis->exec(keys::cmd("HGET", keys::read(appId, c), userId)));
    for (qsizetype i = 0; i < convoIds.size(); ++i) {
        QCoro::Task<redis::Reply> &pending8 = pending[size_t(i)];
        const redis::Reply r = co_await pending8;
        if (!r)
            co_return Error::unavailable(QStringLiteral("reading read watermarks: %1").arg(r.error().message));
        out.insert(convoIds[i], r->toInteger(0));
    }
    co_return out;
}

QCoro::Task<Expected<bool>> MessageService::admitConnection(QString appId, QByteArray userId, qint64 perTenSeconds)
{
    if (perTenSeconds <= 0)
        co_return true;
    const ScriptCall call = connectionRateCall(appId, userId, 10000);
    auto pending9 = m_redis->eval(m_scripts.connectionRate, call.keys, call.args);
    const redis::Reply r = co_await pending9;
    if (!r)
        co_return Error::unavailable(QStringLiteral("counting connections: %1").arg(r.error().message));
    co_return r->toInteger() <= perTenSeconds;
}

QCoro::Task<Status> MessageService::admitConversation(QString appId, QByteArray userId, Limits limits)
{
    if (limits.userConvosPerMin <= 0 && limits.appConvosPerS <= 0)
        co_return Ok{};
    const ScriptCall call = convoBucketsCall(appId, userId, limits.userConvosPerMin, limits.appConvosPerS);
    auto pending10 = m_redis->eval(m_scripts.tokenBuckets, call.keys, call.args);
    const redis::Reply r = co_await pending10;
    if (!r)
        co_return Error::unavailable(QStringLiteral("counting new conversations: %1").arg(r.error().message));
    if (const qint64 waitMs = r->toInteger(); waitMs > 0) {
        Q_EMIT rateLimited(QByteArrayLiteral("conversation"));
        co_return Error::rateLimited(QStringLiteral("conversation creation rate limit reached"), waitMs);
    }
    co_return Ok{};
}

} // namespace confab::messaging

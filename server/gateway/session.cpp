#include "gateway/session.h"

#include "access/appdirectory.h"
#include "confab/ids.h"
#include "confab/jsonwriter.h"
#include "gateway/gateway.h"
#include "gateway/logging.h"
#include "segments/historystore.h"
#include "messaging/history.h"
#include "schema/keys.h"
#include "messaging/messageservice.h"
#include "metrics/metrics.h"
#include "redis/client.h"
#include "store/conversations.h"
#include "websocket/frame.h"

#include <QCoro/QCoroFuture>
#include <QDateTime>

namespace confab::gateway {

namespace {

constexpr qint64 kAuthTimeoutMs = 10000;
constexpr qint64 kAuthCheckMs = 20000; // checking a credential, after the auth frame's 10 s
constexpr qint64 kTypingExpiryMs = 10000;
constexpr qint64 kPresenceTtlMs = 90000;

enum CloseCode : int {
    kShutdown = 1001,
    kProtocol = 4000,
    kUnauthorized = 4001,
    kTooSlow = 4008,
    kTooMany = 4029,
};

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QByteArray presenceHead(QByteArrayView user, bool online)
{
    JsonWriter w;
    w.beginObject()
        .field("type", "presence.update")
        .field("user_id", user)
        .field("status", online ? "online" : "offline")
        .key("last_seen_ms");
    return w.take();
}

// Ends a request coroutine: the session may be deleted once its last request finished.
struct BusyGuard {
    std::function<void()> done;
    ~BusyGuard() { done(); }
};

} // namespace

Session::Session(websocket::Connection *connection, Gateway *gateway)
    : QObject(gateway), m_ws(connection), m_gateway(gateway), m_sessionId(newUlid()),
      m_limits(gateway->deps().apps->defaults())
{
    m_openedMs = nowMs();
    m_ws->setBufferLimit(m_limits.clientBufferHard);
}

Session::~Session()
{
    if (m_ws)
        m_ws->abort(); // destroyed with the gateway while still open
}

void Session::start(const websocket::Upgrade &upgrade)
{
    // Credentials are checked after the upgrade: a browser cannot read a refused upgrade.
    QByteArray credential = upgrade.credential();
    if (!credential.isEmpty()) {
        m_state = State::Authenticating;
        ++m_busy;
        (void)authenticate(std::move(credential));
    }
    // Frames that came with the handshake are read now, after the credential.
    if (m_ws)
        m_ws->start(this);
}

void Session::closeWith(int code, const QString &reason)
{
    if (m_state == State::Closed)
        return;
    m_gateway->deps().metrics->wsClosed(code);
    if (websocket::Connection *ws = std::exchange(m_ws, nullptr))
        ws->close(code, reason.toUtf8());
    onDisconnected();
}

void Session::onClosed(int code, bool byServer)
{
    // The connection ended on its own (peer close, protocol error, buffer limit, TCP).
    m_ws = nullptr;
    if (m_state == State::Closed)
        return;
    if (byServer)
        m_gateway->deps().metrics->wsClosed(code);
    onDisconnected();
}

bool Session::push(const QByteArray &wire, Push kind, const QByteArray &channel)
{
    if (m_state == State::Closed || !m_ws)
        return false;
    const bool overSoft = m_ws->unsentOver(m_limits.clientBufferSoft);
    if (!m_ws)
        return false; // the connection broke (onClosed ran)
    if (kind == Push::Message && (overSoft || !m_skipped.isEmpty())) {
        // Slow consumer: skip pushes, remember where; sync.required once it drains.
        m_skipped.insert(convoOfChannel(channel));
        underPressure();
        return false;
    }
    if (kind == Push::Ephemeral && overSoft) {
        underPressure(); // stale by the time it would arrive
        return false;
    }
    if (!m_ws->send(wire))
        return false; // would pass client_buffer_hard: closed with 4008 (onClosed)
    if (m_ws->unsentOver(m_limits.clientBufferSoft))
        underPressure(); // over soft with answers alone: slow_client_timeout applies too
    return true;
}

void Session::underPressure()
{
    if (m_overSoftSinceMs == 0)
        m_overSoftSinceMs = nowMs();
    m_gateway->watchPressure(this);
}

void Session::send(const QByteArray &json)
{
    if (m_state == State::Closed || !m_ws)
        return;
    push(websocket::textFrame(json), Push::Reply);
}

void Session::sendError(const QByteArray &req, bool hasReq, const Error &error)
{
    JsonWriter w;
    w.beginObject().field("type", "error");
    if (hasReq)
        w.field("req", QByteArrayView(req));
    w.field("code", QByteArrayView(errorCodeName(error.code))).field("message", error.message);
    if (error.code == ErrorCode::RateLimited)
        w.field("retry_after_ms", error.retryAfterMs);
    w.endObject();
    send(w.bytes());
}

void Session::finishTask()
{
    --m_busy;
    if (m_state == State::Closed && m_busy == 0)
        deleteLater();
}

void Session::onBinary(QByteArrayView)
{
    closeWith(kProtocol, QStringLiteral("binary frames are not part of the protocol"));
}

void Session::onText(QByteArrayView utf8)
{
    if (m_state == State::Closed)
        return;
    ParsedFrame parsed = parseClientFrame(utf8, m_gateway->config().server.maxMessageBytes);
    if (parsed.error == FrameError::Protocol) {
        closeWith(kProtocol, parsed.message);
        return;
    }
    if (m_state != State::Ready) {
        // Only a first `auth` frame is allowed before the connection is acknowledged.
        if (m_state == State::AwaitingAuth && parsed.error == FrameError::None
            && parsed.frame.type == FrameType::Auth) {
            m_state = State::Authenticating;
            ++m_busy;
            (void)authenticate(parsed.frame.token);
            return;
        }
        closeWith(kUnauthorized, QStringLiteral("authenticate first"));
        return;
    }
    if (parsed.error == FrameError::BadRequest) {
        sendError(parsed.frame.req, parsed.frame.hasReq, Error::badRequest(parsed.message));
        return;
    }
    if (parsed.error == FrameError::TooLarge) {
        sendError(parsed.frame.req, parsed.frame.hasReq, Error::tooLarge(parsed.message));
        return;
    }
    const ClientFrame &f = parsed.frame;
    if (f.type == FrameType::Ping) {
        JsonWriter w;
        w.beginObject().field("type", "pong");
        if (f.hasReq)
            w.field("req", QByteArrayView(f.req));
        w.endObject();
        send(w.bytes());
        return;
    }
    if (f.type == FrameType::Auth) {
        sendError(f.req, f.hasReq, Error::badRequest(QStringLiteral("already authenticated")));
        return;
    }
    if (m_busy >= m_limits.maxInflightPerConn) {
        sendError(f.req, f.hasReq, Error::rateLimited(QStringLiteral("too many requests in flight"), 100));
        return;
    }
    ++m_busy;
    (void)handle(std::move(parsed.frame));
}

QCoro::Task<> Session::authenticate(QByteArray credential)
{
    BusyGuard guard{[this] { finishTask(); }};
    const GatewayDeps &deps = m_gateway->deps();
    auto pending1 = deps.authenticator->authenticate(std::move(credential));
    const Expected<access::Identity> id = co_await pending1;
    if (m_state == State::Closed)
        co_return;
    if (!id) {
        closeWith(id.error().code == ErrorCode::Unavailable ? 1011 : kUnauthorized, id.error().message);
        co_return;
    }
    m_identity = *id;
    m_userId = m_identity.userId.toUtf8();
    auto pending2 = deps.apps->app(m_identity.appId);
    const Expected<store::App> app = co_await pending2;
    if (m_state == State::Closed)
        co_return;
    if (!app) {
        closeWith(kUnauthorized, QStringLiteral("unknown app"));
        co_return;
    }
    m_limits = deps.apps->limitsFor(*app);
    if (m_ws)
        m_ws->setBufferLimit(m_limits.clientBufferHard);

    if (!m_identity.isApp) {
        auto pending3 = deps.messages->admitConnection(m_identity.appId, m_userId,
                                                                                m_limits.connsPerUserPer10s);
        const Expected<bool> admitted = co_await pending3;
        if (m_state == State::Closed)
            co_return;
        if (!admitted) {
            closeWith(1011, QStringLiteral("temporarily unavailable"));
            co_return;
        }
        if (!*admitted) {
            closeWith(kTooMany, QStringLiteral("too many new connections for this user"));
            co_return;
        }
        auto pending4 = deps.conversations->conversationIdsForUser(m_identity.appId, m_identity.userId);
        const Expected<QStringList> convos = co_await pending4;
        if (m_state == State::Closed)
            co_return;
        if (!convos) {
            closeWith(1011, QStringLiteral("temporarily unavailable"));
            co_return;
        }
        deps.fanout->add(schema::keys::userChannel(m_identity.appId, m_userId), this);
        for (const QString &c : *convos) {
            if (m_convos.size() >= m_limits.maxSubscriptionsPerConn) {
                qCWarning(lcGateway, "user has more conversations than max_subscriptions_per_conn; "
                                     "the rest are reachable by sync only");
                break;
            }
            subscribeConvo(c.toUtf8());
        }
        refreshPresence();
    }

    m_state = State::Ready;
    JsonWriter w;
    w.beginObject()
        .field("type", "connection.ack")
        .field("session_id", QByteArrayView(m_sessionId))
        .field("user_id", m_identity.userId)
        .field("app_id", m_identity.appId)
        .field("node_id", m_gateway->nodeId())
        .field("heartbeat_ms", m_gateway->config().server.heartbeatMs)
        .field("server_time", nowMs())
        .endObject();
    send(w.bytes());
}

QCoro::Task<> Session::handle(ClientFrame frame)
{
    BusyGuard guard{[this] { finishTask(); }};
    QCoro::Task<> work = [&]() {
        switch (frame.type) {
        case FrameType::MessageSend: return handleSend(std::move(frame));
        case FrameType::MessageDelivered:
        case FrameType::MessageRead: return handleWatermark(std::move(frame));
        case FrameType::TypingStart:
        case FrameType::TypingStop: return handleTyping(std::move(frame));
        case FrameType::PresenceSubscribe: return handlePresence(std::move(frame));
        case FrameType::Sync: return handleSync(std::move(frame));
        case FrameType::AuthRefresh: return handleRefresh(std::move(frame));
        case FrameType::Auth:
        case FrameType::Ping: break;
        }
        return handleNothing();
    }();
    co_await work;
}

void Session::credentialEndsAt(qint64 ms)
{
    if (ms <= 0) {
        closeWith(kUnauthorized, QStringLiteral("credential revoked"));
        return;
    }
    if (m_identity.expiresMs == 0 || ms < m_identity.expiresMs)
        m_identity.expiresMs = ms;
}

QCoro::Task<> Session::handleRefresh(ClientFrame f)
{
    // A new token for the same user of the same app extends the session (docs/protocol-notes.md).
    auto pending = m_gateway->deps().authenticator->authenticate(f.token);
    const Expected<access::Identity> id = co_await pending;
    if (m_state == State::Closed)
        co_return;
    if (!id) {
        sendError(f.req, f.hasReq, id.error());
        co_return;
    }
    if (id->isApp || m_identity.isApp || id->appId != m_identity.appId || id->userId != m_identity.userId) {
        sendError(f.req, f.hasReq, Error::forbidden(QStringLiteral("auth.refresh takes a token of the same user")));
        co_return;
    }
    m_identity.expiresMs = id->expiresMs;
    JsonWriter w;
    w.beginObject().field("type", "auth.refreshed");
    if (f.hasReq)
        w.field("req", QByteArrayView(f.req));
    w.field("expires_ms", m_identity.expiresMs).endObject();
    send(w.bytes());
}

QCoro::Task<bool> Session::ensureMember(QByteArray convoId, QByteArray userId)
{
    if (!m_identity.isApp && m_convos.contains(convoId))
        co_return true;
    // Not in this session's set: the membership may be newer than our subscriptions.
    auto pending5 = m_gateway->deps().conversations->isMember(
        m_identity.appId, QString::fromUtf8(convoId), QString::fromUtf8(userId));
    const Expected<bool> member = co_await pending5;
    if (!member || !*member)
        co_return false;
    if (!m_identity.isApp && m_state == State::Ready && m_convos.size() < m_limits.maxSubscriptionsPerConn)
        subscribeConvo(convoId);
    co_return true;
}

QCoro::Task<> Session::handleSend(ClientFrame f)
{
    QByteArray sender = m_userId;
    if (m_identity.isApp) {
        if (f.senderId.isEmpty() || !isValidUserId(f.senderId)) {
            sendError(f.req, f.hasReq, Error::badRequest(QStringLiteral("an API-key session must name sender_id")));
            co_return;
        }
        sender = f.senderId;
    }
    auto pending6 = ensureMember(f.convoId, sender);
    const bool member = co_await pending6;
    if (m_state == State::Closed)
        co_return;
    if (!member) {
        Error refusal = Error::notMember(QStringLiteral("not a member of this conversation"));
        if (m_identity.isApp) {
            // An API key sees every conversation of its app: a missing one answers as on REST.
            auto finding = m_gateway->deps().conversations->get(m_identity.appId, QString::fromUtf8(f.convoId));
            const Expected<store::Conversation> c = co_await finding;
            if (m_state == State::Closed)
                co_return;
            if (!c)
                refusal = c.error().code == ErrorCode::NotFound ? Error::notFound(QStringLiteral("no such conversation"))
                                                                : c.error();
        }
        sendError(f.req, f.hasReq, refusal);
        co_return;
    }
    auto pending7 = m_gateway->deps().messages->send(
        messaging::SendRequest{m_identity.appId, f.convoId, sender, f.clientMsgId, f.content, f.attachments},
        m_limits);
    const Expected<messaging::Ack> ack = co_await pending7;
    if (m_state == State::Closed)
        co_return;
    if (!ack) {
        sendError(f.req, f.hasReq, ack.error());
        co_return;
    }
    JsonWriter w;
    w.beginObject().field("type", "message.ack");
    if (f.hasReq)
        w.field("req", QByteArrayView(f.req));
    messaging::MessageService::writeAck(w, *ack);
    w.endObject();
    send(w.bytes());
}

QCoro::Task<> Session::handleWatermark(ClientFrame f)
{
    if (m_identity.isApp) {
        sendError(f.req, f.hasReq, Error::badRequest(QStringLiteral("receipts are sent by users")));
        co_return;
    }
    auto pending8 = ensureMember(f.convoId, m_userId);
    const bool member = co_await pending8;
    if (m_state == State::Closed)
        co_return;
    if (!member) {
        sendError(f.req, f.hasReq, Error::notMember(QStringLiteral("not a member of this conversation")));
        co_return;
    }
    const auto kind = f.type == FrameType::MessageRead ? messaging::Watermark::Read : messaging::Watermark::Delivered;
    auto raising = m_gateway->deps().messages->raiseWatermark(kind, m_identity.appId, f.convoId, m_userId, f.seqNo);
    const Expected<qint64> r = co_await raising;
    if (m_state == State::Closed)
        co_return;
    if (!r)
        sendError(f.req, f.hasReq, r.error());
}

QCoro::Task<> Session::handleTyping(ClientFrame f)
{
    if (m_identity.isApp) {
        sendError(f.req, f.hasReq, Error::badRequest(QStringLiteral("typing is sent by users")));
        co_return;
    }
    auto pending9 = ensureMember(f.convoId, m_userId);
    const bool member = co_await pending9;
    if (m_state == State::Closed)
        co_return;
    if (!member) {
        sendError(f.req, f.hasReq, Error::notMember(QStringLiteral("not a member of this conversation")));
        co_return;
    }
    const bool start = f.type == FrameType::TypingStart;
    const bool wasTyping = m_typing.contains(f.convoId);
    if (start)
        m_typing.insert(f.convoId, nowMs() + kTypingExpiryMs);
    else
        m_typing.remove(f.convoId);
    if (start || wasTyping)
        m_gateway->deps().messages->publishTyping(m_identity.appId, f.convoId, m_userId, start);
}

QCoro::Task<> Session::handlePresence(ClientFrame f)
{
    if (m_identity.isApp) {
        sendError(f.req, f.hasReq, Error::badRequest(QStringLiteral("presence is for users")));
        co_return;
    }
    QStringList candidates;
    for (const QByteArray &u : f.userIds) {
        if (!m_watched.contains(u))
            candidates.append(QString::fromUtf8(u));
    }
    const GatewayDeps &deps = m_gateway->deps();
    auto pending10 = deps.conversations->usersSharingConversation(m_identity.appId, m_identity.userId, candidates);
    const Expected<QStringList> allowed = co_await pending10;
    if (m_state == State::Closed)
        co_return;
    if (!allowed) {
        sendError(f.req, f.hasReq, allowed.error());
        co_return;
    }
    redis::Client *redis = deps.messages->redis();
    for (const QString &user : *allowed) {
        if (m_watched.size() >= m_limits.maxSubscriptionsPerConn)
            break;
        const QByteArray u = user.toUtf8();
        m_watched.insert(u);
        deps.fanout->add(schema::keys::presenceChannel(m_identity.appId, u), this);
        const qint64 now = nowMs();
        auto pending11 = redis->exec(
            schema::keys::cmd("ZCOUNT", schema::keys::presence(m_identity.appId, u), "(" + QByteArray::number(now), "+inf"));
        const redis::Reply count = co_await pending11;
        auto pending12 = redis->exec(schema::keys::cmd("GET", schema::keys::lastSeen(m_identity.appId, u)));
        const redis::Reply seen = co_await pending12;
        if (m_state == State::Closed)
            co_return;
        if (!count || !seen) {
            sendError(f.req, f.hasReq, Error::unavailable(QStringLiteral("reading presence")));
            co_return;
        }
        const bool online = count->toInteger() > 0;
        send(presenceHead(u, online) + QByteArray::number(online ? now : seen->toInteger(0)) + '}');
    }
}

QCoro::Task<> Session::handleSync(ClientFrame f)
{
    bool member = false;
    Error refusal = Error::notMember(QStringLiteral("not a member of this conversation"));
    if (m_identity.isApp) {
        // The app reads every conversation it owns; a missing one answers as on REST.
        auto pending13 = m_gateway->deps().conversations->get(m_identity.appId, QString::fromUtf8(f.convoId));
        const Expected<store::Conversation> c = co_await pending13;
        member = c.has_value();
        if (!c)
            refusal = c.error().code == ErrorCode::NotFound ? Error::notFound(QStringLiteral("no such conversation"))
                                                            : c.error();
    } else {
        auto pending14 = ensureMember(f.convoId, m_userId);
        member = co_await pending14;
    }
    if (m_state == State::Closed)
        co_return;
    if (!member) {
        sendError(f.req, f.hasReq, refusal);
        co_return;
    }
    const int limit = f.limit > 0 ? int(std::min<qint64>(f.limit, segments::HistoryStore::kMaxLimit)) : 100;
    auto pending15 = m_gateway->deps().history->after(m_identity.appId, f.convoId, f.afterSeq, limit);
    const Expected<messaging::Page> page = co_await pending15;
    auto pending16 = m_gateway->deps().messages->lastSeqs(m_identity.appId, {f.convoId});
    const Expected<QHash<QByteArray, qint64>> last = co_await pending16;
    if (m_state == State::Closed)
        co_return;
    if (!page || !last) {
        sendError(f.req, f.hasReq, !page ? page.error() : last.error());
        co_return;
    }
    JsonWriter w(1024);
    w.beginObject().field("type", "sync.result");
    if (f.hasReq)
        w.field("req", QByteArrayView(f.req));
    w.field("convo_id", QByteArrayView(f.convoId)).key("messages").beginArray();
    for (const QByteArray &m : page->messages)
        w.raw(m);
    w.endArray().field("has_more", page->hasMore).field("last_seq", last->value(f.convoId)).endObject();
    send(w.bytes());
}

void Session::subscribeConvo(const QByteArray &convoId)
{
    if (m_convos.contains(convoId))
        return;
    m_convos.insert(convoId);
    m_gateway->deps().fanout->add(schema::keys::convoChannel(m_identity.appId, convoId), this);
}

void Session::unsubscribeConvo(const QByteArray &convoId)
{
    if (!m_convos.remove(convoId))
        return;
    m_skipped.remove(convoId);
    m_typing.remove(convoId);
    m_gateway->deps().fanout->remove(schema::keys::convoChannel(m_identity.appId, convoId), this);
}

QByteArray Session::convoOfChannel(const QByteArray &channel) const
{
    // "ch:{app:convo}"
    const qsizetype start = 4 + m_identity.appId.size() + 1;
    return channel.mid(start, channel.size() - start - 1);
}

void Session::onEvent(const QByteArray &channel, const messaging::Event &ev)
{
    if (m_state == State::Closed)
        return;
    switch (ev.kind) {
    case 'm':
        if (push(ev.wire, Push::Message, channel)) {
            metrics::Metrics *m = m_gateway->deps().metrics;
            m->messageDelivered();
            m->observeDeliveryLatency(double(nowMs() - ev.acceptedMs) / 1000.0);
        }
        return;
    case 'e':
        if (!ev.arg.isEmpty() && ev.arg == m_userId)
            return;
        if (!ev.wire.isEmpty())
            push(ev.wire, ev.ephemeral ? Push::Ephemeral : Push::Reply);
        return;
    case 'a':
        if (m_convos.size() < m_limits.maxSubscriptionsPerConn)
            subscribeConvo(ev.arg);
        if (!ev.wire.isEmpty())
            push(ev.wire, Push::Reply);
        return;
    case 'r':
        unsubscribeConvo(ev.arg);
        if (!ev.wire.isEmpty())
            push(ev.wire, Push::Reply);
        return;
    default:
        if (!ev.wire.isEmpty())
            push(ev.wire, ev.ephemeral ? Push::Ephemeral : Push::Reply);
        return;
    }
}

bool Session::checkPressure(qint64 now)
{
    if (m_state == State::Closed || !m_ws || (m_skipped.isEmpty() && m_overSoftSinceMs == 0))
        return false;
    const qint64 queued = m_ws->unsentBytes();
    if (queued <= m_limits.clientBufferSoft / 2) {
        m_overSoftSinceMs = 0;
        if (m_skipped.isEmpty())
            return false;
        JsonWriter w;
        w.beginObject().field("type", "sync.required").key("convo_ids").beginArray();
        for (const QByteArray &c : std::as_const(m_skipped))
            w.value(QByteArrayView(c));
        w.endArray().field("reason", "slow_consumer").endObject();
        m_skipped.clear();
        send(w.bytes());
        m_gateway->deps().metrics->syncRequired();
        return false;
    }
    if (now - m_overSoftSinceMs > m_limits.slowClientTimeoutMs) {
        closeWith(kTooSlow, QStringLiteral("client too slow"));
        return false;
    }
    return true;
}

void Session::ping(qint64 now)
{
    if (m_state == State::Closed || !m_ws)
        return;
    const qint64 interval = m_gateway->config().server.heartbeatMs;
    if (now - m_ws->lastInputMs() > 2 * interval) {
        // Silent for two intervals: the peer is gone, no close handshake is possible.
        std::exchange(m_ws, nullptr)->abort();
        onDisconnected();
        return;
    }
    m_ws->ping(); // may close with 4008 (onClosed)
}

void Session::sweep(qint64 now)
{
    if (m_state == State::AwaitingAuth && now - m_openedMs > kAuthTimeoutMs) {
        closeWith(kUnauthorized, QStringLiteral("no auth frame within 10 s"));
        return;
    }
    // A credential being checked (a slow identity provider) has a deadline of its own.
    if (m_state == State::Authenticating && now - m_openedMs > kAuthTimeoutMs + kAuthCheckMs) {
        closeWith(kUnauthorized, QStringLiteral("authentication did not finish in time"));
        return;
    }
    // A session lives no longer than its credential (token exp, a rotated key's grace).
    if (m_state == State::Ready && m_identity.expiresMs > 0 && now >= m_identity.expiresMs) {
        closeWith(kUnauthorized, QStringLiteral("credential expired"));
        return;
    }
    if (m_typing.isEmpty())
        return; // begin() on a non-const QHash would detach it: ~15 % of an idle node's CPU
    for (auto it = m_typing.begin(); it != m_typing.end();) {
        if (it.value() <= now) {
            m_gateway->deps().messages->publishTyping(m_identity.appId, it.key(), m_userId, false);
            it = m_typing.erase(it);
        } else {
            ++it;
        }
    }
}

void Session::refreshPresence()
{
    if (m_identity.isApp || m_userId.isEmpty() || m_state == State::Closed)
        return;
    messaging::MessageService *ms = m_gateway->deps().messages;
    const QString &app = m_identity.appId;
    ms->redis()->evalScript(ms->scripts().presenceUp,
                            {schema::keys::presence(app, m_userId), schema::keys::lastSeen(app, m_userId)},
                            {m_sessionId, QByteArray::number(kPresenceTtlMs), QByteArray::number(kPresenceTtlMs),
                             schema::keys::presenceChannel(app, m_userId), presenceHead(m_userId, true)},
                            ms, [](redis::Reply) {});
    m_presenceUp = true;
}

void Session::stopAllTyping()
{
    for (auto it = m_typing.cbegin(); it != m_typing.cend(); ++it)
        m_gateway->deps().messages->publishTyping(m_identity.appId, it.key(), m_userId, false);
    m_typing.clear();
}

void Session::onDisconnected()
{
    if (m_state == State::Closed)
        return;
    const bool wasReady = m_state == State::Ready;
    m_state = State::Closed;
    const GatewayDeps &deps = m_gateway->deps();
    if (wasReady && !m_identity.isApp) {
        stopAllTyping();
        for (const QByteArray &c : std::as_const(m_convos))
            deps.fanout->remove(schema::keys::convoChannel(m_identity.appId, c), this);
        for (const QByteArray &u : std::as_const(m_watched))
            deps.fanout->remove(schema::keys::presenceChannel(m_identity.appId, u), this);
        deps.fanout->remove(schema::keys::userChannel(m_identity.appId, m_userId), this);
        m_convos.clear();
        m_watched.clear();
    }
    if (m_presenceUp) {
        messaging::MessageService *ms = deps.messages;
        const QString &app = m_identity.appId;
        ms->redis()->evalScript(ms->scripts().presenceDown,
                                {schema::keys::presence(app, m_userId), schema::keys::lastSeen(app, m_userId)},
                                {m_sessionId, schema::keys::presenceChannel(app, m_userId), presenceHead(m_userId, false)},
                                ms, [](redis::Reply) {});
    }
    m_gateway->sessionClosed(this);
    if (m_busy == 0)
        deleteLater();
}

} // namespace confab::gateway

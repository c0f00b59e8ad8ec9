#include "gateway/session.h"

#include "access/appdirectory.h"
#include "confab/ids.h"
#include "confab/jsonwriter.h"
#include "gateway/gateway.h"
#include "gateway/logging.h"
#include "gateway/session_p.h"
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

enum CloseCode : int {
    kShutdown = 1001,
    kProtocol = 4000,
    kUnauthorized = 4001,
    kTooSlow = 4008,
    kTooMany = 4029,
};

} // namespace

using detail::BusyGuard;
using detail::nowMs;

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
    m_gateway->scheduleSweep(this);
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

void Session::drain(const QByteArray &notice)
{
    if (m_state == State::Closed || m_draining)
        return;
    m_draining = true;
    if (m_state == State::Ready)
        send(notice);
    // A session still authenticating has nothing accepted to finish: it may reconnect elsewhere.
    if (m_state != State::Ready || m_busy == 0)
        closeWith(kShutdown, QStringLiteral("server shutting down"));
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
    using Flush = websocket::Connection::Flush;
    if (!m_ws->send(wire, kind == Push::Answer ? Flush::Pass : Flush::Window))
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
    push(websocket::textFrame(json), Push::Answer);
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
    if (m_busy > 0)
        return;
    if (m_draining && m_state != State::Closed) {
        // The last request accepted before the shutdown is answered: nothing keeps us open.
        closeWith(kShutdown, QStringLiteral("server shutting down")); // deleteLater()s us
        return;
    }
    if (m_state == State::Closed)
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
            m_gateway->scheduleSweep(this);
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
    if (m_draining) {
        // Accepted now, it might not be answered before the node exits (docs/operations.md).
        sendError(f.req, f.hasReq,
                  Error::unavailable(QStringLiteral("server shutting down: not accepted, send it "
                                                    "again after reconnecting")));
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
    if (m_identity.isApp) {
        if (!m_gateway->admitKeySession(m_identity.keyId, m_limits.maxSessionsPerKey)) {
            closeWith(kTooMany, QStringLiteral("too many sessions for this API key"));
            co_return;
        }
        m_keyCounted = true;
    }

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
    m_gateway->sessionAuthenticated(this);
    m_gateway->scheduleSweep(this);
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


void Session::credentialEndsAt(qint64 ms)
{
    if (ms <= 0) {
        closeWith(kUnauthorized, QStringLiteral("credential revoked"));
        return;
    }
    if (m_identity.expiresMs == 0 || ms < m_identity.expiresMs) {
        m_identity.expiresMs = ms;
        m_gateway->scheduleSweep(this);
    }
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

bool Session::onEvent(const QByteArray &channel, const messaging::Event &ev)
{
    if (m_state == State::Closed)
        return false;
    switch (ev.kind) {
    case 'm':
        return push(ev.wire, Push::Message, channel); // counted once per message (Gateway)
    case 'e':
        if (!ev.arg.isEmpty() && ev.arg == m_userId)
            return false;
        if (!ev.wire.isEmpty())
            push(ev.wire, ev.ephemeral ? Push::Ephemeral : Push::Reply);
        return false;
    case 'a':
        if (m_convos.size() < m_limits.maxSubscriptionsPerConn)
            subscribeConvo(ev.arg);
        if (!ev.wire.isEmpty())
            push(ev.wire, Push::Reply);
        return false;
    case 'r':
        unsubscribeConvo(ev.arg);
        if (!ev.wire.isEmpty())
            push(ev.wire, Push::Reply);
        return false;
    default:
        if (!ev.wire.isEmpty())
            push(ev.wire, ev.ephemeral ? Push::Ephemeral : Push::Reply);
        return false;
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

qint64 Session::sweepDueMs() const
{
    // The first ms at which each condition of sweep() holds.
    switch (m_state) {
    case State::AwaitingAuth:
        return m_openedMs + kAuthTimeoutMs + 1;
    case State::Authenticating:
        return m_openedMs + kAuthTimeoutMs + kAuthCheckMs + 1;
    case State::Ready:
        return m_identity.expiresMs > 0 ? m_identity.expiresMs : 0;
    case State::Closed:
        return 0;
    }
    return 0;
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
    presenceDown();
    if (m_keyCounted)
        m_gateway->releaseKeySession(m_identity.keyId);
    m_gateway->sessionClosed(this);
    if (m_busy == 0)
        deleteLater();
}

} // namespace confab::gateway

// Session's ephemeral state: typing indicators and presence (session.cpp has the lifecycle,
// sessionrequests.cpp the other requests).
#include "gateway/session.h"

#include "gateway/gateway.h"
#include "gateway/session_p.h"
#include "messaging/messageservice.h"
#include "redis/client.h"
#include "schema/keys.h"
#include "store/conversations.h"

#include <QCoro/QCoroFuture>

namespace confab::gateway {

namespace {
constexpr qint64 kPresenceTtlMs = 90000;
} // namespace

using detail::nowMs;
using detail::presenceHead;

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
    // The relay bounds what the members receive (one start per typing_interval); this session
    // remembers where it typed, to end it when the session closes.
    TypingRelay &relay = m_gateway->typing();
    if (f.type == FrameType::TypingStart) {
        m_typing.insert(f.convoId);
        relay.start(m_identity.appId, m_userId, f.convoId, nowMs());
    } else if (m_typing.remove(f.convoId)) {
        relay.stop(m_identity.appId, m_userId, f.convoId, nowMs());
    }
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

void Session::refreshPresence()
{
    if (m_identity.isApp || m_userId.isEmpty() || m_state == State::Closed)
        return;
    messaging::MessageService *ms = m_gateway->deps().messages;
    const QString &app = m_identity.appId;
    const messaging::ScriptCall call = messaging::presenceUpCall(
        app, m_userId, schema::keys::presenceMember(m_sessionId, m_openedMs, m_gateway->nodeId()), kPresenceTtlMs,
        presenceHead(m_userId, true));
    ms->redis()->evalScript(ms->scripts().presenceUp, call.keys, call.args, ms, [](redis::Reply) {});
    m_presenceUp = true;
}

void Session::stopAllTyping()
{
    TypingRelay &relay = m_gateway->typing();
    const qint64 now = nowMs();
    for (const QByteArray &convo : std::as_const(m_typing))
        relay.stop(m_identity.appId, m_userId, convo, now);
    m_typing.clear();
}

void Session::presenceDown()
{
    if (!m_presenceUp)
        return;
    messaging::MessageService *ms = m_gateway->deps().messages;
    const QString &app = m_identity.appId;
    const messaging::ScriptCall call = messaging::presenceDownCall(
        app, m_userId, schema::keys::presenceMember(m_sessionId, m_openedMs, m_gateway->nodeId()),
        presenceHead(m_userId, false));
    ms->redis()->evalScript(ms->scripts().presenceDown, call.keys, call.args, ms, [](redis::Reply) {});
}

void Session::notify(const QByteArray &wire)
{
    // An operator notice (gateway/control.cpp) is a reply-class frame: written up to the hard limit.
    if (m_state == State::Ready)
        push(wire, Push::Reply);
}

} // namespace confab::gateway

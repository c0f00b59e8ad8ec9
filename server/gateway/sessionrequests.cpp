// The client's requests of a Session (PROTOCOL.md section 5): one coroutine per request,
// counted in m_busy until it finished. Lifecycle, pushes and timers are in session.cpp.
#include "gateway/session.h"

#include "access/appdirectory.h"
#include "confab/ids.h"
#include "confab/jsonwriter.h"
#include "gateway/gateway.h"
#include "gateway/session_p.h"
#include "messaging/history.h"
#include "messaging/messageservice.h"
#include "redis/client.h"
#include "schema/keys.h"
#include "segments/historystore.h"
#include "store/conversations.h"

#include <QCoro/QCoroFuture>

namespace confab::gateway {

using detail::BusyGuard;
using detail::nowMs;

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
    m_gateway->scheduleSweep(this);
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

} // namespace confab::gateway

#include "api/appapi.h"
#include "api/pagetoken.h"

#include "access/appdirectory.h"
#include "access/policy.h"
#include "auth/crypto.h"
#include "auth/minted.h"
#include "confab/ids.h"
#include "confab/jsonwriter.h"
#include "gateway/frames.h"
#include "http/router.h"
#include "messaging/history.h"
#include "segments/historystore.h"
#include "messaging/messageservice.h"
#include "store/apps.h"
#include "store/conversations.h"

#include <QCoro/QCoroFuture>
#include <QDateTime>
#include <QJsonArray>

#include <limits>

namespace confab::api {

namespace {

constexpr int kMaxMembers = int(access::Policy::kMaxGroupMembers);
constexpr qint64 kMaxTokenTtlS = 30LL * 86400;

http::Response errorResponse(const Error &e)
{
    return http::Response::error(e);
}

void writeConversation(JsonWriter &w, const store::Conversation &c, qint64 lastSeq, qint64 unread)
{
    w.beginObject()
        .field("id", c.id)
        .field("kind", c.kind)
        .field("title", c.title)
        .field("owner_id", c.ownerId)
        .key("members")
        .beginArray();
    for (const QString &m : c.members)
        w.value(m);
    w.endArray().field("created_ms", c.createdMs).field("last_seq", lastSeq);
    if (unread >= 0)
        w.field("unread", unread);
    w.endObject();
}

Expected<qint64> seqParam(const http::Request &req, const char *name)
{
    const QString v = req.query.queryItemValue(QLatin1String(name));
    if (v.isEmpty())
        return qint64(-1);
    bool ok = false;
    const qint64 n = v.toLongLong(&ok);
    if (!ok || n < 0)
        return Error::badRequest(QStringLiteral("'%1' must be a non-negative integer").arg(QLatin1String(name)));
    return n;
}

// Conversation lists page in (created, id) order; the token is that position, opaque to clients.
constexpr int kDefaultListLimit = 100;
constexpr int kMaxListLimit = 1000;

} // namespace

AppApi::AppApi(ApiDeps deps, QObject *parent) : QObject(parent), m_deps(deps) { }

void AppApi::registerRoutes(http::Router &router)
{
    router.add("POST", "/v1/auth/token", [this](http::Request r) { return mintToken(std::move(r)); });
    router.add("POST", "/v1/conversations", [this](http::Request r) { return createConversation(std::move(r)); });
    router.add("GET", "/v1/conversations", [this](http::Request r) { return listConversations(std::move(r)); });
    router.add("GET", "/v1/conversations/{id}", [this](http::Request r) { return getConversation(std::move(r)); });
    router.add("POST", "/v1/conversations/{id}/members", [this](http::Request r) { return addMember(std::move(r)); });
    router.add("DELETE", "/v1/conversations/{id}/members/{user_id}",
               [this](http::Request r) { return removeMember(std::move(r)); });
    router.add("POST", "/v1/conversations/{id}/messages", [this](http::Request r) { return postMessage(std::move(r)); });
    router.add("GET", "/v1/conversations/{id}/messages", [this](http::Request r) { return listMessages(std::move(r)); });
}

QCoro::Task<Expected<access::Identity>> AppApi::identify(const http::Request &req)
{
    auto pending1 = m_deps.authenticator->authenticate(req.bearerToken());
    co_return co_await pending1;
}

QCoro::Task<Expected<store::Conversation>> AppApi::visibleConversation(access::Identity id, QString convoId)
{
    auto finding = api::visibleConversation(m_deps, std::move(id), std::move(convoId));
    co_return co_await finding;
}

QCoro::Task<http::Response> AppApi::mintToken(http::Request req)
{
    auto pending3 = identify(req);
    const auto id = co_await pending3;
    if (!id)
        co_return errorResponse(id.error());
    if (!id->isApp)
        co_return errorResponse(Error::forbidden(QStringLiteral("an API key is required")));
    const auto body = jsonBody(req);
    if (!body)
        co_return errorResponse(body.error());
    const QString userId = body->value(QLatin1String("user_id")).toString();
    if (!isValidUserId(userId))
        co_return errorResponse(Error::badRequest(QStringLiteral("'user_id' must be a valid user id")));
    qint64 ttl = 3600;
    const QJsonValue t = body->value(QLatin1String("ttl_s"));
    if (!t.isUndefined()) {
        if (!t.isDouble() || t.toDouble() < 1 || t.toDouble() > double(kMaxTokenTtlS) || t.toDouble() != double(qint64(t.toDouble())))
            co_return errorResponse(Error::badRequest(QStringLiteral("'ttl_s' must be an integer 1..2592000")));
        ttl = qint64(t.toDouble());
    }
    auto pending4 = m_deps.appDirectory->app(id->appId);
    const Expected<store::App> app = co_await pending4;
    if (!app)
        co_return errorResponse(app.error());
    const QByteArray token = auth::mintUserToken(app->id, userId, ttl, app->tokenSecret, QDateTime::currentMSecsSinceEpoch());
    JsonWriter w;
    w.beginObject().field("access_token", QByteArrayView(token)).field("token_type", "Bearer").field("expires_in", ttl).endObject();
    co_return http::Response::json(200, w.take());
}

QCoro::Task<http::Response> AppApi::createConversation(http::Request req)
{
    auto pending5 = identify(req);
    const auto id = co_await pending5;
    if (!id)
        co_return errorResponse(id.error());
    const auto body = jsonBody(req);
    if (!body)
        co_return errorResponse(body.error());

    store::Conversation c;
    c.appId = id->appId;
    const QJsonValue idv = body->value(QLatin1String("id"));
    if (!idv.isUndefined() && !idv.isNull()) {
        if (!idv.isString() || !isValidId(idv.toString().toUtf8()))
            co_return errorResponse(Error::badRequest(QStringLiteral("'id' must be 1..128 of [A-Za-z0-9_.@-]")));
        c.id = idv.toString();
    }
    c.kind = body->value(QLatin1String("kind")).toString();
    if (c.kind != QLatin1String("direct") && c.kind != QLatin1String("group"))
        co_return errorResponse(Error::badRequest(QStringLiteral("'kind' must be \"direct\" or \"group\"")));
    const QJsonValue titlev = body->value(QLatin1String("title"));
    if (!titlev.isUndefined() && !titlev.isNull()) {
        if (!titlev.isString() || titlev.toString().size() > 500)
            co_return errorResponse(Error::badRequest(QStringLiteral("'title' must be a string of at most 500 characters")));
        c.title = titlev.toString();
    }
    const QJsonValue membersv = body->value(QLatin1String("members"));
    if (!membersv.isArray())
        co_return errorResponse(Error::badRequest(QStringLiteral("'members' must be an array of user ids")));
    QStringList members;
    for (const QJsonValue &m : membersv.toArray()) {
        if (!m.isString() || !isValidUserId(m.toString()))
            co_return errorResponse(Error::badRequest(QStringLiteral("'members' must hold valid user ids")));
        if (!members.contains(m.toString()))
            members.append(m.toString());
    }
    if (!id->isApp && !members.contains(id->userId))
        members.prepend(id->userId);
    if (members.isEmpty() || members.size() > kMaxMembers)
        co_return errorResponse(Error::badRequest(QStringLiteral("a conversation has 1..%1 members").arg(kMaxMembers)));
    if (c.kind == QLatin1String("direct") && members.size() != 2)
        co_return errorResponse(Error::badRequest(QStringLiteral("a direct conversation has exactly two members")));
    if (id->isApp) {
        const QJsonValue owner = body->value(QLatin1String("owner_id"));
        c.ownerId = owner.isString() ? owner.toString() : members.first();
        if (!members.contains(c.ownerId))
            co_return errorResponse(Error::badRequest(QStringLiteral("'owner_id' must be a member")));
    } else {
        c.ownerId = id->userId;
    }
    c.members = members;
    if (!id->isApp) {
        auto checking = admitUserConversation(*id, c);
        if (const Status admitted = co_await checking; !admitted)
            co_return errorResponse(admitted.error());
    }

    auto pending6 = m_deps.conversations->create(c);
    const Expected<store::CreatedConversation> created = co_await pending6;
    // A user learns that an id is taken (unavoidable: ids are unique in the app), never by
    // what: the same answer whoever holds it (docs/security.md).
    if (!created && created.error().code == ErrorCode::Conflict && !id->isApp)
        co_return errorResponse(Error::conflict(QStringLiteral("the conversation id '%1' is not available").arg(c.id)));
    if (!created)
        co_return errorResponse(created.error());
    const store::Conversation &conv = created->conversation;
    qint64 lastSeq = 0;
    if (created->created) {
        QList<QByteArray> ms;
        for (const QString &m : conv.members)
            ms.append(m.toUtf8());
        // Best effort: a member's open session that misses this subscribes on its next send or sync.
        auto pending7 = m_deps.messages->publishCreated(conv.appId, conv.id.toUtf8(), ms);
        (void)co_await pending7;
        JsonWriter created;
        writeConversation(created, conv, 0, -1);
        Q_EMIT conversationCreated(conv.appId, conv.id.toUtf8(), created.take());
    } else {
        auto pending8 = m_deps.messages->lastSeqs(conv.appId, {conv.id.toUtf8()});
        const auto last = co_await pending8;
        if (last)
            lastSeq = last->value(conv.id.toUtf8());
    }
    JsonWriter w;
    writeConversation(w, conv, lastSeq, -1);
    co_return http::Response::json(created->created ? 201 : 200, w.take());
}

QCoro::Task<Status> AppApi::admitUserConversation(access::Identity id, store::Conversation c)
{
    auto loading = m_deps.appDirectory->app(id.appId);
    const Expected<store::App> app = co_await loading;
    if (!app)
        co_return app.error();
    const access::Policy policy = access::Policy::fromJson(app->policy);
    if (c.kind == QLatin1String("group")) {
        if (!policy.usersCreateGroups)
            co_return Error::forbidden(QStringLiteral("this app does not let users create groups"));
        if (c.members.size() > policy.maxUserGroupMembers)
            co_return Error::forbidden(
                QStringLiteral("users create groups of at most %1 members in this app").arg(policy.maxUserGroupMembers));
    }
    auto admitting = m_deps.messages->admitConversation(id.appId, id.userId.toUtf8(), m_deps.appDirectory->limitsFor(*app));
    co_return co_await admitting;
}

QCoro::Task<http::Response> AppApi::listConversations(http::Request req)
{
    auto pending9 = identify(req);
    const auto id = co_await pending9;
    if (!id)
        co_return errorResponse(id.error());
    int limit = kDefaultListLimit;
    if (req.query.hasQueryItem(QStringLiteral("limit"))) {
        bool ok = false;
        limit = req.query.queryItemValue(QStringLiteral("limit")).toInt(&ok);
        if (!ok || limit < 1)
            co_return errorResponse(Error::badRequest(QStringLiteral("'limit' must be a positive integer")));
        limit = std::min(limit, kMaxListLimit);
    }
    std::optional<store::ListCursor> after;
    if (const QString token = req.query.queryItemValue(QStringLiteral("page_token")); !token.isEmpty()) {
        after = decodeListToken(token.toLatin1());
        if (!after)
            co_return errorResponse(Error::badRequest(QStringLiteral("'page_token' is not one this server issued")));
    }
    auto listing = id->isApp ? m_deps.conversations->listForApp(id->appId, limit, after)
                             : m_deps.conversations->listForUser(id->appId, id->userId, limit, after);
    const Expected<store::ConversationPage> page = co_await listing;
    if (!page)
        co_return errorResponse(page.error());
    QList<QByteArray> ids;
    for (const store::Conversation &c : page->items)
        ids.append(c.id.toUtf8());
    auto pending10 = m_deps.messages->lastSeqs(id->appId, ids);
    const auto last = co_await pending10;
    if (!last)
        co_return errorResponse(last.error());
    QHash<QByteArray, qint64> read;
    if (!id->isApp) {
        auto pending11 = m_deps.messages->readWatermarks(id->appId, ids, id->userId.toUtf8());
        const auto r = co_await pending11;
        if (!r)
            co_return errorResponse(r.error());
        read = *r;
    }
    JsonWriter w(4096);
    w.beginObject().key("conversations").beginArray();
    for (const store::Conversation &c : page->items) {
        const QByteArray key = c.id.toUtf8();
        const qint64 lastSeq = last->value(key);
        writeConversation(w, c, lastSeq, id->isApp ? -1 : std::max<qint64>(0, lastSeq - read.value(key)));
    }
    w.endArray().key("next_page_token");
    if (page->next)
        w.value(QByteArrayView(encodeListToken(*page->next)));
    else
        w.null();
    w.endObject();
    co_return http::Response::json(200, w.take());
}

QCoro::Task<http::Response> AppApi::getConversation(http::Request req)
{
    auto pending12 = identify(req);
    const auto id = co_await pending12;
    if (!id)
        co_return errorResponse(id.error());
    auto pending13 = visibleConversation(*id, req.param("id"));
    const auto c = co_await pending13;
    if (!c)
        co_return errorResponse(c.error());
    auto pending14 = m_deps.messages->lastSeqs(id->appId, {c->id.toUtf8()});
    const auto last = co_await pending14;
    if (!last)
        co_return errorResponse(last.error());
    JsonWriter w;
    writeConversation(w, *c, last->value(c->id.toUtf8()), -1);
    co_return http::Response::json(200, w.take());
}

QCoro::Task<http::Response> AppApi::addMember(http::Request req)
{
    auto pending15 = identify(req);
    const auto id = co_await pending15;
    if (!id)
        co_return errorResponse(id.error());
    const auto body = jsonBody(req);
    if (!body)
        co_return errorResponse(body.error());
    const QString userId = body->value(QLatin1String("user_id")).toString();
    if (!isValidUserId(userId))
        co_return errorResponse(Error::badRequest(QStringLiteral("'user_id' must be a valid user id")));
    auto pending16 = visibleConversation(*id, req.param("id"));
    auto c = co_await pending16;
    if (!c)
        co_return errorResponse(c.error());
    if (!id->isApp && c->ownerId != id->userId)
        co_return errorResponse(Error::forbidden(QStringLiteral("only the owner adds members")));
    if (c->kind == QLatin1String("direct"))
        co_return errorResponse(Error::badRequest(QStringLiteral("a direct conversation's members cannot change")));
    if (c->members.size() >= kMaxMembers && !c->members.contains(userId))
        co_return errorResponse(Error::badRequest(QStringLiteral("a conversation has at most %1 members").arg(kMaxMembers)));
    if (!id->isApp) {
        auto loading = m_deps.appDirectory->app(id->appId);
        const Expected<store::App> app = co_await loading;
        if (!app)
            co_return errorResponse(app.error());
        const access::Policy policy = access::Policy::fromJson(app->policy);
        if (!policy.usersAddMembers)
            co_return errorResponse(Error::forbidden(QStringLiteral("this app does not let users add members")));
        if (c->members.size() >= policy.maxUserGroupMembers && !c->members.contains(userId))
            co_return errorResponse(Error::forbidden(
                QStringLiteral("users grow groups to at most %1 members in this app").arg(policy.maxUserGroupMembers)));
    }
    auto pending17 = m_deps.conversations->addMember(id->appId, c->id, userId);
    const Expected<bool> added = co_await pending17;
    if (!added)
        co_return errorResponse(added.error());
    if (*added) {
        auto pending18 = m_deps.messages->publishMemberChange(id->appId, c->id.toUtf8(), userId.toUtf8(), true);
        (void)co_await pending18;
        Q_EMIT memberChanged(id->appId, c->id.toUtf8(), userId.toUtf8(), true);
        c->members.append(userId);
        c->members.sort();
    }
    auto pending19 = m_deps.messages->lastSeqs(id->appId, {c->id.toUtf8()});
    const auto last = co_await pending19;
    JsonWriter w;
    writeConversation(w, *c, last ? last->value(c->id.toUtf8()) : 0, -1);
    co_return http::Response::json(200, w.take());
}

QCoro::Task<http::Response> AppApi::removeMember(http::Request req)
{
    auto pending20 = identify(req);
    const auto id = co_await pending20;
    if (!id)
        co_return errorResponse(id.error());
    const QString userId = req.param("user_id");
    auto pending21 = visibleConversation(*id, req.param("id"));
    const auto c = co_await pending21;
    if (!c)
        co_return errorResponse(c.error());
    if (!id->isApp && c->ownerId != id->userId && userId != id->userId)
        co_return errorResponse(Error::forbidden(QStringLiteral("only the owner or the member themself removes a member")));
    if (c->kind == QLatin1String("direct"))
        co_return errorResponse(Error::badRequest(QStringLiteral("a direct conversation's members cannot change")));
    auto pending22 = m_deps.conversations->removeMember(id->appId, c->id, userId);
    const Expected<bool> removed = co_await pending22;
    if (!removed)
        co_return errorResponse(removed.error());
    if (!*removed)
        co_return errorResponse(Error::notFound(QStringLiteral("not a member")));
    auto pending23 = m_deps.messages->publishMemberChange(id->appId, c->id.toUtf8(), userId.toUtf8(), false);
    (void)co_await pending23;
    Q_EMIT memberChanged(id->appId, c->id.toUtf8(), userId.toUtf8(), false);
    co_return http::Response::noContent();
}

QCoro::Task<http::Response> AppApi::postMessage(http::Request req)
{
    auto pending24 = identify(req);
    const auto id = co_await pending24;
    if (!id)
        co_return errorResponse(id.error());
    const gateway::ParsedFrame parsed = gateway::parseMessageBody(req.body, m_deps.config->server.maxMessageBytes);
    if (parsed.error == gateway::FrameError::TooLarge)
        co_return errorResponse(Error::tooLarge(parsed.message));
    if (parsed.error != gateway::FrameError::None)
        co_return errorResponse(Error::badRequest(parsed.message));
    QByteArray sender = id->userId.toUtf8();
    if (id->isApp) {
        if (parsed.frame.senderId.isEmpty() || !isValidUserId(parsed.frame.senderId))
            co_return errorResponse(Error::badRequest(QStringLiteral("'sender_id' is required with an API key")));
        sender = parsed.frame.senderId;
    }
    const QString convoId = req.param("id");
    if (!isValidId(convoId.toUtf8()))
        co_return errorResponse(Error::notFound(QStringLiteral("no such conversation")));
    auto pending25 = m_deps.conversations->isMember(id->appId, convoId, QString::fromUtf8(sender));
    const Expected<bool> member = co_await pending25;
    if (!member)
        co_return errorResponse(member.error());
    if (!*member) {
        // The app learns whether the conversation exists; a user learns only "not a member".
        if (id->isApp) {
            auto pending26 = visibleConversation(*id, convoId);
            const auto c = co_await pending26;
            if (!c)
                co_return errorResponse(c.error());
        }
        co_return errorResponse(Error::notMember(QStringLiteral("not a member of this conversation")));
    }
    auto pending27 = m_deps.appDirectory->app(id->appId);
    const Expected<store::App> app = co_await pending27;
    if (!app)
        co_return errorResponse(app.error());
    auto pending28 = m_deps.messages->send(
        messaging::SendRequest{id->appId, convoId.toUtf8(), sender, parsed.frame.clientMsgId, parsed.frame.content,
                               parsed.frame.attachments},
        m_deps.appDirectory->limitsFor(*app));
    const Expected<messaging::Ack> ack = co_await pending28;
    if (!ack)
        co_return errorResponse(ack.error());
    JsonWriter w;
    w.beginObject();
    messaging::MessageService::writeAck(w, *ack);
    w.endObject();
    co_return http::Response::json(ack->duplicate ? 200 : 201, w.take());
}

QCoro::Task<http::Response> AppApi::listMessages(http::Request req)
{
    auto pending29 = identify(req);
    const auto id = co_await pending29;
    if (!id)
        co_return errorResponse(id.error());
    auto pending30 = visibleConversation(*id, req.param("id"));
    const auto c = co_await pending30;
    if (!c)
        co_return errorResponse(c.error());
    auto pending31 = m_deps.appDirectory->app(id->appId);
    const Expected<store::App> app = co_await pending31;
    if (!app)
        co_return errorResponse(app.error());

    int limit = 50;
    const QString limitText = req.query.queryItemValue(QStringLiteral("limit"));
    if (!limitText.isEmpty()) {
        bool ok = false;
        limit = limitText.toInt(&ok);
        if (!ok || limit < 1)
            co_return errorResponse(Error::badRequest(QStringLiteral("'limit' must be a positive integer")));
        limit = std::min(limit, segments::HistoryStore::kMaxLimit);
    }
    const auto after = seqParam(req, "after_seq");
    const auto before = seqParam(req, "before_seq");
    if (!after)
        co_return errorResponse(after.error());
    if (!before)
        co_return errorResponse(before.error());
    const QByteArray convo = c->id.toUtf8();
    const QByteArray appId = id->appId.toUtf8();

    PageCursor cursor{'l', 0};
    const QString token = req.query.queryItemValue(QStringLiteral("page_token"));
    if (!token.isEmpty()) {
        const auto decoded = decodePageToken(token.toUtf8(), app->tokenSecret, appId, convo);
        if (!decoded)
            co_return errorResponse(decoded.error());
        cursor = *decoded;
    } else if (*after >= 0) {
        cursor = PageCursor{'a', *after};
    } else if (*before >= 0) {
        cursor = PageCursor{'b', *before};
    }

    auto reading = cursor.direction == 'a' ? m_deps.history->after(id->appId, convo, cursor.seq, limit)
        : cursor.direction == 'b'          ? m_deps.history->before(id->appId, convo, cursor.seq, limit)
                                           : m_deps.history->latest(id->appId, convo, limit);
    const Expected<messaging::Page> page = co_await reading;
    if (!page)
        co_return errorResponse(page.error());

    JsonWriter w(4096);
    w.beginObject().key("messages").beginArray();
    for (const QByteArray &m : page->messages)
        w.raw(m);
    w.endArray().key("next_page_token");
    if (page->hasMore && !page->messages.isEmpty()) {
        const PageCursor next = cursor.direction == 'a' ? PageCursor{'a', page->lastSeq} : PageCursor{'b', page->firstSeq};
        w.value(QByteArrayView(encodePageToken(next, app->tokenSecret, appId, convo)));
    } else {
        w.null();
    }
    w.endObject();
    co_return http::Response::json(200, w.take());
}

} // namespace confab::api

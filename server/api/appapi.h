#pragma once

#include "api/apicontext.h"
#include "api/pagetoken.h"

#include <QObject>

namespace confab::http {
class Router;
}
namespace confab::store {
struct Conversation;
}

namespace confab::api {

// App REST on the public listener (PROTOCOL.md section 4): tokens, conversations, members,
// messages and history (attachments: AttachmentApi). Authenticated by API key or user token on every request.
class AppApi : public QObject
{
    Q_OBJECT
public:
    AppApi(ApiDeps deps, QObject *parent = nullptr);
    void registerRoutes(http::Router &router);

Q_SIGNALS:
    // For webhooks: a conversation was created (its object as GET answers it), a member was
    // added or removed.
    void conversationCreated(const QString &appId, const QByteArray &convoId, const QByteArray &conversationJson);
    void memberChanged(const QString &appId, const QByteArray &convoId, const QByteArray &userId, bool added);

private:
    QCoro::Task<Expected<access::Identity>> identify(const http::Request &req);
    // The conversation, if the caller may see it (the app: any of its own; a user: as member).
    QCoro::Task<Expected<store::Conversation>> visibleConversation(access::Identity id, QString convoId);

    // A user-token caller's new conversation: the app's policy (forbidden) and the conversation
    // creation rate limits (rate_limited).
    QCoro::Task<Status> admitUserConversation(access::Identity id, store::Conversation c);

    QCoro::Task<http::Response> mintToken(http::Request req);
    QCoro::Task<http::Response> createConversation(http::Request req);
    QCoro::Task<http::Response> listConversations(http::Request req);
    QCoro::Task<http::Response> getConversation(http::Request req);
    QCoro::Task<http::Response> addMember(http::Request req);
    QCoro::Task<http::Response> removeMember(http::Request req);
    QCoro::Task<http::Response> postMessage(http::Request req);
    QCoro::Task<http::Response> listMessages(http::Request req);

    ApiDeps m_deps;
};

} // namespace confab::api

#pragma once

#include "admin/operator.h"

#include <QCoro/QCoroTask>

namespace confab::http {
class Request;
class Response;
class Router;
} // namespace confab::http

namespace confab::api {

class AdminApi;

// The operator routes of the admin REST (docs/protocol.md, "Operator actions"): users and their
// sessions, conversation inspection, messages (audited), notices. Same token check as AdminApi.
class AdminOpsApi
{
public:
    AdminOpsApi(AdminApi *auth, admin::Operator *op) : m_auth(auth), m_op(op) { }
    void registerRoutes(http::Router &router);

private:
    QCoro::Task<http::Response> lookupUser(http::Request req);
    QCoro::Task<http::Response> disconnectUser(http::Request req);
    QCoro::Task<http::Response> inspectConversation(http::Request req);
    QCoro::Task<http::Response> messages(http::Request req);
    QCoro::Task<http::Response> sendNotice(http::Request req);

    AdminApi *m_auth;
    admin::Operator *m_op;
};

} // namespace confab::api

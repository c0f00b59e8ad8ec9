#include "api/adminopsapi.h"

#include "api/adminapi.h"
#include "api/apicontext.h"
#include "http/router.h"

#include <QJsonObject>

namespace confab::api {

namespace {

http::Response answer(const Expected<QByteArray> &body)
{
    return body ? http::Response::json(200, *body) : http::Response::error(body.error());
}

http::Response unauthorized()
{
    return http::Response::error(Error::unauthorized(QStringLiteral("admin token required")));
}

// An optional string field of at most maxChars characters.
Status optionalString(const QJsonObject &o, const char *key, QString &to)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return Ok{};
    if (!v.isString())
        return Error::badRequest(QStringLiteral("'%1' must be a string").arg(QLatin1String(key)));
    to = v.toString();
    return Ok{};
}

} // namespace

void AdminOpsApi::registerRoutes(http::Router &router)
{
    router.add("GET", "/admin/apps/{app_id}/users/{user_id}", [this](http::Request r) { return lookupUser(std::move(r)); });
    router.add("POST", "/admin/apps/{app_id}/users/{user_id}/disconnect", [this](http::Request r) { return disconnectUser(std::move(r)); });
    router.add("GET", "/admin/apps/{app_id}/conversations/{convo_id}", [this](http::Request r) { return inspectConversation(std::move(r)); });
    router.add("GET", "/admin/apps/{app_id}/conversations/{convo_id}/messages", [this](http::Request r) { return messages(std::move(r)); });
    router.add("POST", "/admin/notices", [this](http::Request r) { return sendNotice(std::move(r)); });
}

QCoro::Task<http::Response> AdminOpsApi::lookupUser(http::Request req)
{
    if (!m_auth->authorized(req))
        co_return unauthorized();
    auto running = m_op->lookupUser(req.param("app_id"), req.param("user_id"));
    co_return answer(co_await running);
}

QCoro::Task<http::Response> AdminOpsApi::disconnectUser(http::Request req)
{
    if (!m_auth->authorized(req))
        co_return unauthorized();
    const auto body = jsonBody(req, true);
    if (!body)
        co_return http::Response::error(body.error());
    int code = admin::Operator::kDefaultCloseCode;
    const QJsonValue c = body->value(QLatin1String("close_code"));
    if (!c.isUndefined() && !c.isNull()) {
        if (!isWholeNumber(c, 1000, 4999))
            co_return http::Response::error(Error::badRequest(QStringLiteral("'close_code' must be 4009, 4001 or 4003")));
        code = int(c.toDouble());
    }
    QString reason;
    if (auto s = optionalString(*body, "reason", reason); !s)
        co_return http::Response::error(s.error());
    auto running = m_op->disconnectUser(req.param("app_id"), req.param("user_id"), code, reason);
    co_return answer(co_await running);
}

QCoro::Task<http::Response> AdminOpsApi::inspectConversation(http::Request req)
{
    if (!m_auth->authorized(req))
        co_return unauthorized();
    auto running = m_op->inspectConversation(req.param("app_id"), req.param("convo_id"));
    co_return answer(co_await running);
}

QCoro::Task<http::Response> AdminOpsApi::messages(http::Request req)
{
    if (!m_auth->authorized(req))
        co_return unauthorized();
    int limit = admin::Operator::kDefaultMessages;
    if (const QString l = req.query.queryItemValue(QStringLiteral("limit")); !l.isEmpty()) {
        bool ok = false;
        limit = l.toInt(&ok);
        if (!ok || limit < 1)
            co_return http::Response::error(Error::badRequest(QStringLiteral("'limit' must be a positive integer")));
    }
    qint64 before = 0;
    if (const QString b = req.query.queryItemValue(QStringLiteral("before_seq")); !b.isEmpty()) {
        bool ok = false;
        before = b.toLongLong(&ok);
        if (!ok || before < 1)
            co_return http::Response::error(Error::badRequest(QStringLiteral("'before_seq' must be a positive integer")));
    }
    // Who reads, for the audit log: the X-Confab-Operator header (free text) and the token.
    const admin::OperatorIdentity who{QString::fromUtf8(req.header("x-confab-operator")), m_op->tokenFingerprint()};
    auto running = m_op->messages(req.param("app_id"), req.param("convo_id"), before, limit, who);
    co_return answer(co_await running);
}

QCoro::Task<http::Response> AdminOpsApi::sendNotice(http::Request req)
{
    if (!m_auth->authorized(req))
        co_return unauthorized();
    const auto body = jsonBody(req);
    if (!body)
        co_return http::Response::error(body.error());
    QString appId;
    QString code;
    QString message;
    Status s = optionalString(*body, "app_id", appId);
    if (s)
        s = optionalString(*body, "code", code);
    if (s)
        s = optionalString(*body, "message", message);
    if (!s)
        co_return http::Response::error(s.error());
    auto running = m_op->sendNotice(appId, code, message);
    co_return answer(co_await running);
}

} // namespace confab::api

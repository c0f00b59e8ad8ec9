#include "api/apicontext.h"

#include "confab/ids.h"
#include "confab/text.h"
#include "store/conversations.h"

#include <QCoro/QCoroFuture>
#include "json/strictjson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>

namespace confab::api {

namespace {

// Text that cannot be stored as it arrived: an unpaired surrogate anywhere (its UTF-8 would be
// '?', so "bob\udc00" would become the existing user "bob?"), or NUL outside a message's
// `content` (PostgreSQL text cannot hold it; inside `content` it round-trips as JSON).
bool isCleanJson(const QJsonValue &v, bool allowNul)
{
    const auto ok = [allowNul](const QString &s) {
        return allowNul ? s.isValidUtf16() : isStorableText(QStringView(s));
    };
    if (v.isString())
        return ok(v.toString());
    if (v.isArray()) {
        for (const QJsonValue &item : v.toArray()) {
            if (!isCleanJson(item, allowNul))
                return false;
        }
    } else if (v.isObject()) {
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (!ok(it.key()) || !isCleanJson(it.value(), allowNul))
                return false;
        }
    }
    return true;
}

} // namespace

Expected<QJsonObject> jsonBody(const http::Request &req, bool allowEmpty)
{
    if (req.body.trimmed().isEmpty()) {
        if (allowEmpty)
            return QJsonObject{};
        return Error::badRequest(QStringLiteral("a JSON object body is required"));
    }
    // Duplicate keys and numbers no reader can hold are refused as on the WebSockets
    // (json/strictjson.h); QJsonDocument words the syntax errors.
    if (const auto problem = json::check(req.body); problem && problem->kind != json::Problem::Kind::NotJson)
        return Error::badRequest(problem->message);
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(req.body, &err);
    if (err.error != QJsonParseError::NoError)
        return Error::badRequest(QStringLiteral("body is not JSON: %1").arg(err.errorString()));
    if (!doc.isObject())
        return Error::badRequest(QStringLiteral("body must be a JSON object"));
    QJsonObject o = doc.object();
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!isStorableText(QStringView(it.key()))
            || !isCleanJson(it.value(), it.key() == QLatin1String("content"))) {
            return Error::badRequest(QStringLiteral(
                "body holds text that is not valid Unicode (an unpaired surrogate) or a NUL"));
        }
    }
    return o;
}

bool isWholeNumber(const QJsonValue &v, qint64 min, qint64 max)
{
    if (!v.isDouble())
        return false;
    const double d = v.toDouble();
    return d >= double(min) && d <= double(max) && std::trunc(d) == d;
}

http::Response jsonResponse(int status, const QJsonObject &o)
{
    return http::Response::json(status, QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QCoro::Task<Expected<store::Conversation>> visibleConversation(
    ApiDeps deps, access::Identity id, QString convoId)
{
    if (!isValidId(convoId.toUtf8()))
        co_return Error::notFound(QStringLiteral("no such conversation"));
    auto loading = deps.conversations->get(id.appId, convoId);
    Expected<store::Conversation> c = co_await loading;
    if (!c && c.error().code == ErrorCode::NotFound)
        co_return Error::notFound(QStringLiteral("no such conversation"));
    if (!c)
        co_return c;
    if (!id.isApp && !c->members.contains(id.userId))
        co_return Error::notFound(QStringLiteral("no such conversation"));
    co_return c;
}

} // namespace confab::api

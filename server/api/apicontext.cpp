#include "api/apicontext.h"

#include <QJsonDocument>
#include <QJsonParseError>

namespace confab::api {

Expected<QJsonObject> jsonBody(const http::Request &req, bool allowEmpty)
{
    if (req.body.trimmed().isEmpty()) {
        if (allowEmpty)
            return QJsonObject{};
        return Error::badRequest(QStringLiteral("a JSON object body is required"));
    }
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(req.body, &err);
    if (err.error != QJsonParseError::NoError)
        return Error::badRequest(QStringLiteral("body is not JSON: %1").arg(err.errorString()));
    if (!doc.isObject())
        return Error::badRequest(QStringLiteral("body must be a JSON object"));
    return doc.object();
}

http::Response jsonResponse(int status, const QJsonObject &o)
{
    return http::Response::json(status, QJsonDocument(o).toJson(QJsonDocument::Compact));
}

} // namespace confab::api

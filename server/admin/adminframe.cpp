#include "admin/adminframe.h"

#include "json/strictjson.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <limits>

namespace confab::admin {

namespace {

struct Reader {
    const QJsonObject &obj;
    ParsedAdminFrame &out;

    bool fail(const QString &message)
    {
        out.error = AdminFrameError::BadRequest;
        out.message = message;
        return false;
    }

    bool string(QLatin1String name, QString &to)
    {
        const QJsonValue v = obj.value(name);
        if (v.isUndefined())
            return true;
        if (!v.isString())
            return fail(QStringLiteral("field '%1' must be a string").arg(name));
        to = v.toString();
        return true;
    }

    // A whole number, clamped to 0..INT_MAX (the session clamps further).
    bool integer(QLatin1String name, int &to)
    {
        const QJsonValue v = obj.value(name);
        if (v.isUndefined())
            return true;
        const double d = v.toDouble();
        if (!v.isDouble() || std::trunc(d) != d)
            return fail(QStringLiteral("field '%1' must be an integer").arg(name));
        to = d < 0 ? 0 : d > double(std::numeric_limits<int>::max()) ? std::numeric_limits<int>::max() : int(d);
        return true;
    }

    bool integer64(QLatin1String name, qint64 &to)
    {
        const QJsonValue v = obj.value(name);
        if (v.isUndefined())
            return true;
        const double d = v.toDouble();
        if (!v.isDouble() || std::trunc(d) != d || d < 0 || d > 9007199254740992.0)
            return fail(QStringLiteral("field '%1' must be a non-negative integer").arg(name));
        to = qint64(d);
        return true;
    }
};

} // namespace

ParsedAdminFrame parseAdminFrame(QByteArrayView utf8)
{
    ParsedAdminFrame out;
    if (const auto problem = json::check(utf8)) {
        if (problem->kind == json::Problem::Kind::NotJson) {
            out.error = AdminFrameError::Protocol;
            out.message = QStringLiteral("frame is not a JSON object with a string type");
        } else {
            out.error = AdminFrameError::BadRequest;
            out.message = problem->message;
            if (problem->req) {
                out.frame.req = QString::fromUtf8(*problem->req);
                out.frame.hasReq = true;
            }
        }
        return out;
    }
    const QJsonDocument doc = QJsonDocument::fromJson(utf8.toByteArray());
    const QJsonObject o = doc.object();
    if (!doc.isObject() || !o.value(QLatin1String("type")).isString()) {
        out.error = AdminFrameError::Protocol;
        out.message = QStringLiteral("frame is not a JSON object with a string type");
        return out;
    }
    AdminFrame &f = out.frame;
    f.type = o.value(QLatin1String("type")).toString();
    Reader r{o, out};
    if (!r.string(QLatin1String("req"), f.req))
        return out;
    f.hasReq = o.value(QLatin1String("req")).isString();
    QString token;
    if (!r.string(QLatin1String("token"), token) || !r.integer(QLatin1String("interval_ms"), f.intervalMs)
        || !r.integer(QLatin1String("limit"), f.limit) || !r.string(QLatin1String("id"), f.id))
        return out;
    f.token = token.toUtf8();
    if (!r.string(QLatin1String("app_id"), f.appId) || !r.string(QLatin1String("user_id"), f.userId)
        || !r.string(QLatin1String("convo_id"), f.convoId) || !r.integer(QLatin1String("close_code"), f.closeCode)
        || !r.string(QLatin1String("reason"), f.reason) || !r.string(QLatin1String("code"), f.code)
        || !r.string(QLatin1String("message"), f.message) || !r.integer64(QLatin1String("before_seq"), f.beforeSeq)
        || !r.string(QLatin1String("operator"), f.operatorName))
        return out;
    return out;
}

} // namespace confab::admin

#include "http/cors.h"

#include "confab/error.h"

namespace confab::http
{

namespace
{
// What a browser page may send beyond the CORS-safelisted headers: the bearer credential and
// a JSON Content-Type (which is not safelisted, hence the preflight).
const QByteArray kAllowHeaders = QByteArrayLiteral("Authorization, Content-Type");
// What a page may read beyond the safelisted response headers: ETag for the parts of a
// multipart upload to a local-directory store (docs/objectstore.md).
const QByteArray kExposeHeaders = QByteArrayLiteral("Retry-After, ETag");
} // namespace

CorsPolicy::CorsPolicy(const QStringList &origins)
{
    for (const QString &o : origins) {
        if (o == QLatin1String("*"))
            m_any = true;
        else
            m_origins.append(o.toUtf8());
    }
}

bool CorsPolicy::allows(const QByteArray &origin) const
{
    if (origin.isEmpty())
        return false;
    return m_any || m_origins.contains(origin);
}

QByteArray CorsPolicy::allowOriginValue(const QByteArray &origin) const
{
    return m_any ? QByteArrayLiteral("*") : origin;
}

std::optional<Response> CorsPolicy::preflight(const QByteArray &method, const QByteArray &origin,
    const QByteArray &requestMethod, const QList<QByteArray> &routeMethods) const
{
    if (!isSet() || method != "OPTIONS" || origin.isEmpty() || requestMethod.isEmpty())
        return std::nullopt;
    if (!allows(origin)) {
        // Without Access-Control-Allow-Origin the browser refuses the actual request; the body
        // says why to whoever reads the network log.
        Response r = Response::error(Error { ErrorCode::Forbidden,
            QStringLiteral("origin %1 is not in [server] cors_origins")
                .arg(QString::fromUtf8(origin)) });
        r.headers.append({ QByteArrayLiteral("Vary"), QByteArrayLiteral("Origin") });
        return r;
    }
    Response r = Response::noContent();
    r.headers = {
        { QByteArrayLiteral("Access-Control-Allow-Origin"), allowOriginValue(origin) },
        { QByteArrayLiteral("Access-Control-Allow-Methods"), routeMethods.join(", ") },
        { QByteArrayLiteral("Access-Control-Allow-Headers"), kAllowHeaders },
        { QByteArrayLiteral("Access-Control-Max-Age"), QByteArray::number(kMaxAgeSeconds) },
        { QByteArrayLiteral("Vary"),
            QByteArrayLiteral(
                "Origin, Access-Control-Request-Method, Access-Control-Request-Headers") },
    };
    return r;
}

QList<QPair<QByteArray, QByteArray>> CorsPolicy::responseHeaders(const QByteArray &origin) const
{
    if (!isSet())
        return {};
    // Vary on every answer, allowed or not, so a shared cache never hands one origin's answer
    // to another.
    QList<QPair<QByteArray, QByteArray>> h { { QByteArrayLiteral("Vary"),
        QByteArrayLiteral("Origin") } };
    if (allows(origin)) {
        h.append({ QByteArrayLiteral("Access-Control-Allow-Origin"), allowOriginValue(origin) });
        h.append({ QByteArrayLiteral("Access-Control-Expose-Headers"), kExposeHeaders });
    }
    return h;
}

bool CorsPolicy::allowsWebSocket(const QByteArray &origin) const
{
    return !isSet() || origin.isEmpty() || allows(origin);
}

} // namespace confab::http

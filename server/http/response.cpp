#include "http/response.h"

#include "confab/error.h"
#include "confab/ids.h"
#include "confab/jsonwriter.h"
#include "http/logging.h"

namespace confab::http {

QByteArrayView reasonPhrase(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 426: return "Upgrade Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}

Response Response::json(int status, QByteArray body)
{
    Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

Response Response::noContent()
{
    Response r;
    r.status = 204;
    r.contentType.clear();
    return r;
}

Response Response::error(const confab::Error &e)
{
    const bool rateLimited = e.code == ErrorCode::RateLimited && e.retryAfterMs >= 0;
    JsonWriter w;
    w.beginObject().key("error").beginObject();
    w.field("code", QByteArrayView(errorCodeName(e.code)));
    if (e.code == ErrorCode::Internal || e.code == ErrorCode::Unavailable) {
        // The cause (database text, hosts, what was being done) goes to the log, not to the
        // caller; the request_id ties the two together (PROTOCOL.md section 7).
        const QByteArray requestId = "req_" + newUlid();
        qCWarning(lcHttp).noquote() << "request" << requestId << "answered" << errorCodeName(e.code) << "-"
                                    << e.message;
        w.field("message", e.code == ErrorCode::Internal
                               ? QStringLiteral("internal error; the server log has the cause under request_id")
                               : QStringLiteral("a dependency is unavailable; retry later"));
        w.field("request_id", QByteArrayView(requestId));
    } else {
        w.field("message", e.message);
    }
    if (rateLimited)
        w.field("retry_after_ms", e.retryAfterMs);
    w.endObject().endObject();

    Response r = json(errorHttpStatus(e.code), w.take());
    if (rateLimited) {
        const qint64 seconds = (e.retryAfterMs + 999) / 1000;
        r.headers.append({QByteArrayLiteral("Retry-After"), QByteArray::number(seconds)});
    }
    return r;
}

} // namespace confab::http

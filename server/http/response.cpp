#include "http/response.h"

#include "confab/error.h"
#include "confab/jsonwriter.h"

namespace confab::http {

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
    w.field("message", e.message);
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

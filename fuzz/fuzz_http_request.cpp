// libFuzzer target for the HTTP/1.1 request head parser and what the server does with a
// parsed head before any handler runs: route matching (percent-decoding of path segments),
// the query string and the WebSocket handshake. Any bytes must give a head or a BadRequest,
// never a crash, a hang or undefined behaviour. Seeds: fuzz/corpus/http_request.

#include "http/request.h"
#include "http/requestparser.h"
#include "http/router.h"
#include "websocket/handshake.h"

#include <QUrlQuery>

#include <cstdint>
#include <cstdlib>

using namespace confab;

namespace {

// The public and internal routes of confabd (server/api/*.cpp), with handlers never called.
const http::Router &router()
{
    static const http::Router r = [] {
        http::Router r;
        const http::Handler none; // never called: only matching is fuzzed
        for (const char *route : {"POST /v1/auth/token", "POST /v1/conversations", "GET /v1/conversations",
                                  "GET /v1/conversations/{id}", "POST /v1/conversations/{id}/members",
                                  "DELETE /v1/conversations/{id}/members/{user_id}",
                                  "POST /v1/conversations/{id}/messages", "GET /v1/conversations/{id}/messages",
                                  "POST /v1/attachments", "GET /v1/attachments/url", "GET /healthz", "GET /readyz",
                                  "GET /metrics", "POST /admin/apps", "GET /admin/apps", "PATCH /admin/apps/{app_id}",
                                  "POST /admin/apps/{app_id}/keys", "POST /admin/apps/{app_id}/keys/{key_id}/rotate",
                                  "DELETE /admin/apps/{app_id}/keys/{key_id}", "GET /admin/dead-letters",
                                  "POST /admin/dead-letters/{id}/retry"}) {
            const QByteArray line(route);
            const qsizetype sp = line.indexOf(' ');
            r.add(line.left(sp), line.mid(sp + 1), none);
        }
        return r;
    }();
    return r;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));

    (void)http::parser::plausibleStart(input);
    const qsizetype length = http::parser::headLength(input);
    if (length < 0)
        return 0;
    if (length < 4 || length > input.size())
        std::abort();
    const auto head = http::parser::parseHead(input.first(length));
    if (!head)
        return 0;
    if (head->method.isEmpty() || head->contentLength < 0 || !head->rawPath.startsWith('/'))
        std::abort();

    const http::Router::Match match = router().match(head->method, head->rawPath);
    if (match.handler && match.methodNotAllowed)
        std::abort();
    if (match.methodNotAllowed && match.allowedMethods.isEmpty())
        std::abort();
    const QUrlQuery query(QString::fromUtf8(head->rawQuery));
    (void)query.queryItemValue(QStringLiteral("page_token"));
    if (head->webSocketUpgrade)
        (void)websocket::answerHandshake(head->headers);
    return 0;
}

#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>

namespace confab {
struct Error;
}

namespace confab::http {

// What a handler answers. The server adds Date, Content-Length and Connection.
struct Response
{
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;

    [[nodiscard]] static Response json(int status, QByteArray body);
    [[nodiscard]] static Response noContent(); // 204
    // Status from errorHttpStatus(e.code); body {"error":{"code":"...","message":"..."}}, plus
    // "retry_after_ms" inside "error" and a Retry-After header (whole seconds, rounded up) for
    // RateLimited.
    [[nodiscard]] static Response error(const confab::Error &e);
};

// The status line's reason phrase ("Not Found"); "Status" for codes the server never sends.
[[nodiscard]] QByteArrayView reasonPhrase(int status);

} // namespace confab::http

#pragma once

#include "confab/expected.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QFuture>
#include <QList>
#include <QPair>

#include <functional>

namespace confab::http {

// What a handler answers. The server adds Date, Content-Length and Connection.
struct Response
{
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;
    // Instead of body, a body read a piece at a time (a file): Content-Length is bodyLength,
    // and nextChunk() is called again whenever the socket has room, one read at a time, until
    // bodyLength bytes came. An error or an empty piece before that closes the connection.
    qint64 bodyLength = -1;
    std::function<QFuture<confab::Expected<QByteArray>>()> nextChunk;

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

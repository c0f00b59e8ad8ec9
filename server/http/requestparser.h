#pragma once

#include "confab/expected.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>

namespace confab::http {

// The request line and headers of one request, as read from the wire. Works on bytes only so it
// is tested without sockets; the Server decides what to do with it (limits, body, upgrade).
struct RequestHead
{
    QByteArray method; // upper case
    QByteArray rawPath; // as sent, still percent-encoded
    QByteArray rawQuery; // after '?', still encoded
    int minorVersion = 1; // HTTP/1.x
    QList<QPair<QByteArray, QByteArray>> headers; // names lower-cased, values trimmed
    qint64 contentLength = 0;
    bool hasTransferEncoding = false; // we only take Content-Length bodies
    bool keepAlive = true; // HTTP/1.1 without "Connection: close"
    bool webSocketUpgrade = false; // GET + Upgrade: websocket + Connection: upgrade
    bool expectContinue = false;
};

namespace parser {

// Offset just past the "\r\n\r\n" that ends the head, or -1 if it has not arrived yet.
[[nodiscard]] qsizetype headLength(QByteArrayView bytes);

// False once the bytes received so far cannot start a valid request line, so garbage is
// refused at once instead of waiting for a blank line that may never come.
[[nodiscard]] bool plausibleStart(QByteArrayView bytes);

// Parses a complete head (as delimited by headLength()). Errors are BadRequest.
[[nodiscard]] Expected<RequestHead> parseHead(QByteArrayView head);

} // namespace parser
} // namespace confab::http

#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>

namespace confab::websocket
{

// The WebSocket part of the opening handshake (RFC 6455 section 4.2), on bytes. The HTTP server
// has already checked the method, `Upgrade: websocket`, `Connection: upgrade` and the path.
struct Handshake {
    int status = 101; // 101, or 400 / 426 with `message` saying why
    QByteArray message;
    QByteArray response; // the complete 101 response (status line, headers, blank line)
};

// base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")), SHA-1 from OpenSSL.
[[nodiscard]] QByteArray acceptKey(QByteArrayView key);

// A Sec-WebSocket-Key is the base64 of exactly 16 bytes (24 characters).
[[nodiscard]] bool isValidKey(QByteArrayView key);

// headers: names lower-cased, values trimmed, as confab_http parses them. Version must be
// exactly "13" (else 426, and the answer must carry `Sec-WebSocket-Version: 13`); exactly one
// valid key (else 400). No subprotocol or extension is negotiated.
[[nodiscard]] Handshake answerHandshake(const QList<QPair<QByteArray, QByteArray>> &headers);

} // namespace confab::websocket

#include "websocket/handshake.h"

#include <openssl/sha.h>

namespace confab::websocket
{

QByteArray acceptKey(QByteArrayView key)
{
    static constexpr char kGuid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    QByteArray input;
    input.reserve(key.size() + qsizetype(sizeof(kGuid)) - 1);
    input.append(key);
    input.append(kGuid, qsizetype(sizeof(kGuid)) - 1);
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char *>(input.constData()), size_t(input.size()), digest);
    return QByteArray(reinterpret_cast<const char *>(digest), SHA_DIGEST_LENGTH).toBase64();
}

bool isValidKey(QByteArrayView key)
{
    if (key.size() != 24)
        return false;
    const auto decoded = QByteArray::fromBase64Encoding(
        key.toByteArray(), QByteArray::AbortOnBase64DecodingErrors);
    return decoded.decodingStatus == QByteArray::Base64DecodingStatus::Ok
        && decoded.decoded.size() == 16;
}

Handshake answerHandshake(const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QList<QByteArrayView> versions;
    QList<QByteArrayView> keys;
    for (const auto &[name, value] : headers) {
        if (name == "sec-websocket-version")
            versions.append(value);
        else if (name == "sec-websocket-key")
            keys.append(value);
    }
    Handshake h;
    if (versions.size() != 1 || versions.first() != "13") {
        h.status = 426;
        h.message = QByteArrayLiteral("Sec-WebSocket-Version must be 13");
        return h;
    }
    if (keys.size() != 1 || !isValidKey(keys.first())) {
        h.status = 400;
        h.message = keys.isEmpty()
            ? QByteArrayLiteral("Sec-WebSocket-Key is missing")
            : QByteArrayLiteral("Sec-WebSocket-Key must be the base64 of 16 bytes, sent once");
        return h;
    }
    h.response = QByteArrayLiteral("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                   "Connection: Upgrade\r\nSec-WebSocket-Accept: ")
        + acceptKey(keys.first()) + QByteArrayLiteral("\r\n\r\n");
    return h;
}

} // namespace confab::websocket

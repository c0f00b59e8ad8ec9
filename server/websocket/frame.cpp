#include "websocket/frame.h"

#include <cstring>

namespace confab::websocket
{

QByteArray serverFrame(Opcode opcode, QByteArrayView payload)
{
    const qsizetype n = payload.size();
    const qsizetype head = serverHeaderSize(n);
    QByteArray out(head + n, Qt::Uninitialized);
    auto *p = reinterpret_cast<unsigned char *>(out.data());
    p[0] = 0x80 | quint8(opcode);
    if (n < 126) {
        p[1] = quint8(n);
    } else if (n <= 0xFFFF) {
        p[1] = 126;
        p[2] = quint8(n >> 8);
        p[3] = quint8(n);
    } else {
        p[1] = 127;
        const quint64 len = quint64(n);
        for (int i = 0; i < 8; ++i)
            p[2 + i] = quint8(len >> (56 - 8 * i));
    }
    if (n > 0)
        std::memcpy(p + head, payload.data(), size_t(n));
    return out;
}

QByteArray closeFrame(int code, QByteArrayView reason)
{
    // 125 bytes of payload: 2 for the code, at most 123 for the reason.
    qsizetype len = std::min<qsizetype>(reason.size(), 123);
    // Do not cut a multi-byte character: back up over continuation bytes.
    if (len < reason.size()) {
        while (len > 0 && (quint8(reason[len]) & 0xC0) == 0x80)
            --len;
    }
    QByteArray payload;
    payload.reserve(2 + len);
    payload.append(char(quint8(code >> 8)));
    payload.append(char(quint8(code)));
    payload.append(reason.data(), len);
    return serverFrame(Opcode::Close, payload);
}

const QByteArray &pingFrame()
{
    static const QByteArray ping = serverFrame(Opcode::Ping, {});
    return ping;
}

bool isValidCloseCode(int code)
{
    if (code >= 3000 && code <= 4999)
        return true; // registered (3xxx) and private (4xxx) codes
    switch (code) {
    case 1000:
    case 1001:
    case 1002:
    case 1003:
    case 1007:
    case 1008:
    case 1009:
    case 1010:
    case 1011:
        return true;
    default:
        return false; // 1004-1006 and 1015 are reserved; never on the wire
    }
}

} // namespace confab::websocket

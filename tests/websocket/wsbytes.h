#pragma once

#include <QByteArray>

namespace confab::test
{

// A client frame as a browser sends it: masked with `key`, optionally with RSV bits or FIN
// cleared; lengths use the shortest encoding unless `forceLen7` forces 126/127.
inline QByteArray clientFrame(quint8 opcode, const QByteArray &payload, bool fin = true,
    QByteArray key = QByteArray("\x37\xfa\x21\x3d", 4), quint8 rsv = 0)
{
    QByteArray f;
    f.append(char((fin ? 0x80 : 0) | rsv | opcode));
    const quint64 n = quint64(payload.size());
    const char maskBit = key.isEmpty() ? 0 : char(0x80);
    if (n < 126) {
        f.append(char(maskBit | char(n)));
    } else if (n <= 0xFFFF) {
        f.append(char(maskBit | 126));
        f.append(char(n >> 8));
        f.append(char(n));
    } else {
        f.append(char(maskBit | 127));
        for (int i = 7; i >= 0; --i)
            f.append(char(n >> (8 * i)));
    }
    f.append(key);
    for (qsizetype i = 0; i < payload.size(); ++i)
        f.append(key.isEmpty() ? payload[i] : char(payload[i] ^ key[i % 4]));
    return f;
}

inline QByteArray closePayload(int code, const QByteArray &reason = {})
{
    QByteArray p;
    p.append(char(code >> 8));
    p.append(char(code));
    return p + reason;
}

} // namespace confab::test

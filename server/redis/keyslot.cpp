#include "redis/keyslot.h"

#include <array>
#include <vector>

namespace confab::redis
{

namespace
{

// The part of a key that is hashed, per the cluster specification.
QByteArrayView hashedPart(QByteArrayView key)
{
    const qsizetype open = key.indexOf('{');
    if (open < 0)
        return key;
    const qsizetype close = key.sliced(open + 1).indexOf('}');
    if (close <= 0) // no '}', or "{}": the whole key
        return key;
    return key.sliced(open + 1, close);
}

constexpr std::array<quint16, 256> makeTable()
{
    std::array<quint16, 256> t {};
    for (int i = 0; i < 256; ++i) {
        quint16 c = quint16(i << 8);
        for (int b = 0; b < 8; ++b)
            c = (c & 0x8000) ? quint16((c << 1) ^ 0x1021) : quint16(c << 1);
        t[size_t(i)] = c;
    }
    return t;
}

constexpr std::array<quint16, 256> kTable = makeTable();

} // namespace

quint16 crc16(QByteArrayView data)
{
    quint16 crc = 0;
    for (const char ch : data)
        crc = quint16((crc << 8) ^ kTable[((crc >> 8) ^ quint8(ch)) & 0xff]);
    return crc;
}

int keySlot(QByteArrayView key)
{
    return crc16(hashedPart(key)) & (kSlotCount - 1);
}

bool hasHashTag(QByteArrayView key)
{
    return hashedPart(key).size() != key.size();
}

QByteArray slotTag(int slot)
{
    // The smallest decimal number of each slot, found once (about 10^5 CRCs, well under 10 ms).
    static const std::vector<QByteArray> tags = [] {
        std::vector<QByteArray> t(kSlotCount);
        int missing = kSlotCount;
        for (qint64 n = 0; missing > 0; ++n) {
            const QByteArray s = QByteArray::number(n);
            QByteArray &entry = t[size_t(keySlot(s))];
            if (entry.isEmpty()) {
                entry = s;
                --missing;
            }
        }
        return t;
    }();
    return tags[size_t(slot & (kSlotCount - 1))];
}

} // namespace confab::redis

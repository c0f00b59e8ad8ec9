#include "segment/segment.h"

#include <array>

namespace confab::segment {

namespace {

// Reflected Castagnoli polynomial, the CRC that iSCSI, ext4 and LevelDB use; a table keeps
// this dependency-free (zlib only has the IEEE CRC-32, which detects fewer error patterns).
constexpr std::array<quint32, 256> makeTable()
{
    std::array<quint32, 256> table{};
    for (quint32 i = 0; i < 256; ++i) {
        quint32 c = i;
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        table[i] = c;
    }
    return table;
}

constexpr std::array<quint32, 256> crcTable = makeTable();

} // namespace

quint32 crc32c(QByteArrayView data, quint32 crc)
{
    crc = ~crc;
    for (const char c : data)
        crc = crcTable[(crc ^ static_cast<quint8>(c)) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}

} // namespace confab::segment

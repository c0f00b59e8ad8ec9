#include "confab/text.h"

namespace confab {

bool isValidUtf8(QByteArrayView s)
{
    const auto *p = reinterpret_cast<const unsigned char *>(s.data());
    const auto *end = p + s.size();
    while (p < end) {
        const unsigned char c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        int extra = 0;
        unsigned char lo = 0x80, hi = 0xbf; // allowed range of the second byte (RFC 3629 table)
        if (c >= 0xc2 && c <= 0xdf) {
            extra = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            extra = 2;
            if (c == 0xe0)
                lo = 0xa0; // overlong
            else if (c == 0xed)
                hi = 0x9f; // U+D800..U+DFFF
        } else if (c >= 0xf0 && c <= 0xf4) {
            extra = 3;
            if (c == 0xf0)
                lo = 0x90; // overlong
            else if (c == 0xf4)
                hi = 0x8f; // above U+10FFFF
        } else {
            return false; // continuation byte first, C0/C1 overlong lead, or F5..FF
        }
        if (end - p <= extra)
            return false;
        if (p[1] < lo || p[1] > hi)
            return false;
        for (int i = 2; i <= extra; ++i) {
            if ((p[i] & 0xc0) != 0x80)
                return false;
        }
        p += extra + 1;
    }
    return true;
}

std::optional<QByteArray> toUtf8Strict(QStringView s)
{
    if (!s.isValidUtf16())
        return std::nullopt;
    return s.toUtf8();
}

bool isStorableText(QStringView s)
{
    return s.isValidUtf16() && !s.contains(QChar(0));
}

bool isStorableText(QByteArrayView utf8)
{
    return isValidUtf8(utf8) && !utf8.contains('\0');
}

} // namespace confab

#include "confab/jsonwriter.h"

#include "confab/decimal.h"

#include <cmath>
#include <cstring>

namespace confab {

void JsonWriter::separate()
{
    if (m_afterKey) {
        m_afterKey = false;
        return;
    }
    if (m_needComma)
        m_out.append(',');
}

JsonWriter &JsonWriter::open(char c)
{
    separate();
    m_out.append(c);
    m_needComma = false;
    return *this;
}

JsonWriter &JsonWriter::close(char c)
{
    m_out.append(c);
    m_needComma = true;
    return *this;
}

JsonWriter &JsonWriter::key(QByteArrayView name)
{
    separate();
    appendString(m_out, name);
    m_out.append(':');
    m_afterKey = true;
    return *this;
}

JsonWriter &JsonWriter::value(QByteArrayView utf8)
{
    separate();
    appendString(m_out, utf8);
    m_needComma = true;
    return *this;
}

JsonWriter &JsonWriter::value(qint64 n)
{
    separate();
    m_out.append(Decimal(n).view());
    m_needComma = true;
    return *this;
}

JsonWriter &JsonWriter::value(double d)
{
    separate();
    if (std::isfinite(d))
        m_out.append(QByteArray::number(d, 'g', 15));
    else
        m_out.append("null");
    m_needComma = true;
    return *this;
}

JsonWriter &JsonWriter::value(bool b)
{
    separate();
    m_out.append(b ? "true" : "false");
    m_needComma = true;
    return *this;
}

JsonWriter &JsonWriter::null()
{
    separate();
    m_out.append("null");
    m_needComma = true;
    return *this;
}

JsonWriter &JsonWriter::raw(QByteArrayView json)
{
    separate();
    m_out.append(json);
    m_needComma = true;
    return *this;
}

namespace
{

// The bytes a JSON string escapes: the quote, the backslash and the control characters.
constexpr bool needsEscape(unsigned char c)
{
    return c < 0x20 || c == '"' || c == '\\';
}

} // namespace

// One growth of out for the whole string, then plain stores: a QByteArray::append per run and
// per escape (each through QByteArray::insert) was 8.6 % of confabd's samples in the publish
// scenario (docs/benchmarks-log.md).
void JsonWriter::appendString(QByteArray &out, QByteArrayView s)
{
    static const char hex[] = "0123456789abcdef";
    const auto *in = reinterpret_cast<const unsigned char *>(s.data());
    qsizetype escaped = 0;
    for (qsizetype i = 0; i < s.size(); ++i) {
        if (needsEscape(in[i]))
            escaped += 5; // a \u00XX escape's extra bytes; the short ones give back below
    }
    const qsizetype at = out.size();
    out.resize(at + s.size() + escaped + 2);
    char *w = out.data() + at;
    *w++ = '"';
    if (escaped == 0) {
        if (!s.isEmpty())
            std::memcpy(w, s.data(), size_t(s.size()));
        w += s.size();
    } else {
        for (qsizetype i = 0; i < s.size(); ++i) {
            const unsigned char c = in[i];
            if (!needsEscape(c)) {
                *w++ = char(c);
                continue;
            }
            *w++ = '\\';
            switch (c) {
            case '"':
                *w++ = '"';
                break;
            case '\\':
                *w++ = '\\';
                break;
            case '\n':
                *w++ = 'n';
                break;
            case '\r':
                *w++ = 'r';
                break;
            case '\t':
                *w++ = 't';
                break;
            case '\b':
                *w++ = 'b';
                break;
            case '\f':
                *w++ = 'f';
                break;
            default:
                *w++ = 'u';
                *w++ = '0';
                *w++ = '0';
                *w++ = hex[c >> 4];
                *w++ = hex[c & 15];
            }
        }
    }
    *w++ = '"';
    out.truncate(w - out.constData());
}

} // namespace confab

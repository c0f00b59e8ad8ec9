#include "confab/ids.h"

#include "confab/text.h"

#include <QDateTime>

#include <openssl/rand.h>

#include <cstring>

namespace confab {

namespace {

// Random bytes for ids, drawn from OpenSSL's CSPRNG 4 KiB at a time: RAND_bytes costs about
// 650 ns a call however little it returns, and a send takes one id. Ids are not secrets; tokens
// and keys (randomToken) still call RAND_bytes for each.
class IdRandomness
{
public:
    void take(unsigned char *out, int n)
    {
        if (m_used + n > int(sizeof m_pool)) {
            if (RAND_bytes(m_pool, int(sizeof m_pool)) != 1)
                qFatal("OpenSSL RAND_bytes failed");
            m_used = 0;
        }
        std::memcpy(out, m_pool + m_used, size_t(n));
        m_used += n;
    }

private:
    unsigned char m_pool[4096];
    int m_used = int(sizeof m_pool);
};

} // namespace

QByteArray newUlid(qint64 nowMs)
{
    static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    unsigned char bytes[16];
    quint64 t = quint64(nowMs);
    for (int i = 5; i >= 0; --i) {
        bytes[i] = static_cast<unsigned char>(t & 0xff);
        t >>= 8;
    }
    thread_local IdRandomness randomness;
    randomness.take(bytes + 6, 10);
    // 128 bits -> 26 base32 digits, most significant first (the top digit holds 3 bits).
    QByteArray out(26, '0');
    unsigned __int128 v = 0;
    for (unsigned char b : bytes)
        v = (v << 8) | b;
    for (int i = 25; i >= 0; --i) {
        out[i] = alphabet[int(v & 31)];
        v >>= 5;
    }
    return out;
}

QByteArray newUlid()
{
    return newUlid(QDateTime::currentMSecsSinceEpoch());
}

QByteArray randomToken(int n)
{
    QByteArray raw(n, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(raw.data()), n) != 1)
        qFatal("OpenSSL RAND_bytes failed");
    return raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

bool isValidId(QByteArrayView s)
{
    if (s.isEmpty() || s.size() > 128)
        return false;
    for (char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || c == '_' || c == '-' || c == '.' || c == '@';
        if (!ok)
            return false;
    }
    return true;
}

bool isValidUserId(QByteArrayView s)
{
    if (s.isEmpty() || s.size() > 255)
        return false;
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f || c == '{' || c == '}' || c == '"' || c == '\\')
            return false;
    }
    return isValidUtf8(s);
}

bool isValidUserId(QStringView s)
{
    const auto utf8 = toUtf8Strict(s);
    return utf8 && isValidUserId(QByteArrayView(*utf8));
}

} // namespace confab

#include "auth/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace confab::auth {

namespace {

class Sha256
{
public:
    Sha256()
        : m_md(EVP_MD_fetch(nullptr, "SHA256", nullptr))
        , m_ctx(EVP_MD_CTX_new())
    {
        if (!m_md || !m_ctx)
            qFatal("OpenSSL: no SHA-256");
    }
    ~Sha256()
    {
        EVP_MD_CTX_free(m_ctx);
        EVP_MD_free(m_md);
    }
    Sha256(const Sha256 &) = delete;
    Sha256 &operator=(const Sha256 &) = delete;

    void digest(QByteArrayView data, unsigned char (&out)[32])
    {
        unsigned int len = 0;
        if (EVP_DigestInit_ex2(m_ctx, m_md, nullptr) != 1
            || EVP_DigestUpdate(m_ctx, data.data(), size_t(data.size())) != 1
            || EVP_DigestFinal_ex(m_ctx, out, &len) != 1)
            qFatal("OpenSSL SHA-256 failed");
    }

private:
    EVP_MD *m_md;
    EVP_MD_CTX *m_ctx;
};

} // namespace

void sha256(QByteArrayView data, unsigned char (&out)[32])
{
    thread_local Sha256 hasher;
    hasher.digest(data, out);
}

QByteArray sha256Hex(QByteArrayView data)
{
    unsigned char md[32];
    sha256(data, md);
    return QByteArray(reinterpret_cast<const char *>(md), int(sizeof md)).toHex();
}

QByteArray hmacSha256(QByteArrayView key, QByteArrayView data)
{
    // OpenSSL treats a null key pointer as "keep the previous key", so an empty key still
    // needs a valid address.
    static const unsigned char emptyKey = 0;
    const void *keyPtr = key.isEmpty() ? static_cast<const void *>(&emptyKey) : key.data();
    unsigned char out[EVP_MAX_MD_SIZE];
    size_t outLen = 0;
    if (!EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, keyPtr, size_t(key.size()),
                   reinterpret_cast<const unsigned char *>(data.data()), size_t(data.size()), out,
                   sizeof out, &outLen))
        qFatal("OpenSSL EVP_Q_mac(HMAC-SHA256) failed");
    return QByteArray(reinterpret_cast<const char *>(out), int(outLen));
}

bool constantTimeEquals(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    if (a.isEmpty())
        return true;
    return CRYPTO_memcmp(a.data(), b.data(), size_t(a.size())) == 0;
}

QByteArray base64UrlEncode(QByteArrayView data)
{
    return data.toByteArray().toBase64(QByteArray::Base64UrlEncoding
                                       | QByteArray::OmitTrailingEquals);
}

std::optional<QByteArray> base64UrlDecode(QByteArrayView text)
{
    // Padding is not part of the JWS encoding; refusing it keeps one spelling per value.
    if (text.contains('='))
        return std::nullopt;
    auto decoded = QByteArray::fromBase64Encoding(text.toByteArray(),
                                                  QByteArray::Base64UrlEncoding
                                                      | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    return std::move(decoded.decoded);
}

QByteArray randomBytes(int n)
{
    QByteArray out(n, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(out.data()), n) != 1)
        qFatal("OpenSSL RAND_bytes failed");
    return out;
}

Sha256Stream::Sha256Stream() : m_ctx(EVP_MD_CTX_new())
{
    if (!m_ctx || EVP_DigestInit_ex(static_cast<EVP_MD_CTX *>(m_ctx), EVP_sha256(), nullptr) != 1)
        qFatal("OpenSSL EVP_DigestInit_ex(SHA-256) failed");
}

Sha256Stream::~Sha256Stream()
{
    EVP_MD_CTX_free(static_cast<EVP_MD_CTX *>(m_ctx));
}

void Sha256Stream::add(QByteArrayView data)
{
    if (EVP_DigestUpdate(static_cast<EVP_MD_CTX *>(m_ctx), data.data(), size_t(data.size())) != 1)
        qFatal("OpenSSL EVP_DigestUpdate failed");
}

QByteArray Sha256Stream::hex()
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(static_cast<EVP_MD_CTX *>(m_ctx), md, &len) != 1)
        qFatal("OpenSSL EVP_DigestFinal_ex failed");
    return QByteArray(reinterpret_cast<const char *>(md), int(len)).toHex();
}

} // namespace confab::auth

#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

// Thin wrappers over OpenSSL 3 so the rest of the server never includes an OpenSSL header.
namespace confab::auth {

// SHA-256 of data into out. The algorithm is fetched once and each thread reuses one context:
// OpenSSL 3's one-shot calls look the algorithm up and allocate a context every time (301
// against 89 ns for a client_msg_id on the development host), and a send hashes one.
void sha256(QByteArrayView data, unsigned char (&out)[32]);
// Lower-case hex SHA-256 (64 characters).
[[nodiscard]] QByteArray sha256Hex(QByteArrayView data);

// Raw 32-byte HMAC-SHA-256; an empty key is allowed (RFC 2104 pads it with zeros).
[[nodiscard]] QByteArray hmacSha256(QByteArrayView key, QByteArrayView data);

// Constant time in the contents (CRYPTO_memcmp); only a length difference returns early.
[[nodiscard]] bool constantTimeEquals(QByteArrayView a, QByteArrayView b);

// Unpadded base64url (RFC 7515 section 2), as JWS and API keys use it.
[[nodiscard]] QByteArray base64UrlEncode(QByteArrayView data);
// Strict: any character outside the base64url alphabet makes it fail.
[[nodiscard]] std::optional<QByteArray> base64UrlDecode(QByteArrayView text);

// n bytes from OpenSSL's CSPRNG (RAND_bytes).
[[nodiscard]] QByteArray randomBytes(int n);

// SHA-256 over data given in pieces (a streamed upload), for content ETags.
class Sha256Stream
{
public:
    Sha256Stream();
    ~Sha256Stream();
    Sha256Stream(const Sha256Stream &) = delete;
    Sha256Stream &operator=(const Sha256Stream &) = delete;
    void add(QByteArrayView data);
    // Lower-case hex of everything added; the stream is spent afterwards.
    [[nodiscard]] QByteArray hex();

private:
    void *m_ctx; // EVP_MD_CTX, kept out of the header
};

} // namespace confab::auth

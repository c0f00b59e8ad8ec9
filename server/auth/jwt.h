#pragma once

#include "auth/failure.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

#include <memory>

// JWS compact serialisation (RFC 7515) and JWT claims (RFC 7519) for OIDC user tokens.
namespace confab::auth {

// Tokens longer than this are refused before any decoding.
inline constexpr qsizetype kMaxJwtSize = 16 * 1024;

// A decoded, not yet verified token.
struct Jwt {
    QJsonObject header;
    QJsonObject claims;
    QByteArray signingInput; // "<header b64>.<payload b64>", the bytes the signature covers
    QByteArray signature;    // decoded

    [[nodiscard]] QString alg() const;
    [[nodiscard]] QString kid() const;
    [[nodiscard]] QString issuer() const;
};

// Three base64url parts whose first two are JSON objects; Malformed otherwise.
[[nodiscard]] AuthResult<Jwt> parseJwt(QByteArrayView compact);

// An RSA (>= 2048 bits) or EC P-256 public key. Cheap to copy: copies share the OpenSSL key.
class PublicKey
{
public:
    PublicKey();
    PublicKey(const PublicKey &other);
    PublicKey(PublicKey &&other) noexcept;
    PublicKey &operator=(const PublicKey &other);
    PublicKey &operator=(PublicKey &&other) noexcept;
    ~PublicKey();

    // kty RSA (n, e) or EC (crv P-256, x, y); a "use" other than "sig" is refused.
    [[nodiscard]] static AuthResult<PublicKey> fromJwk(const QJsonObject &jwk);
    // A SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY"); kid may name it.
    [[nodiscard]] static AuthResult<PublicKey> fromPem(QByteArrayView pem, const QString &kid = {});

    [[nodiscard]] bool isNull() const;
    [[nodiscard]] QString kid() const;
    // The JWK's "alg", if it named one; empty otherwise.
    [[nodiscard]] QString algorithm() const;
    // RS256 with an RSA key, ES256 (JOSE raw r||s) with a P-256 key; anything else is false.
    [[nodiscard]] bool verify(const QString &alg, QByteArrayView signingInput,
                              QByteArrayView signature) const;

private:
    class Private;
    std::unique_ptr<Private> d;
};

// Only RS256 and ES256 are accepted ("none", HS* and others give UnsupportedAlgorithm); a key
// whose JWK names another alg, or of the wrong type, gives BadSignature.
[[nodiscard]] AuthResult<confab::Ok> verifySignature(const Jwt &jwt, const PublicKey &key);

struct ClaimPolicy {
    QString issuer;
    QString audience;
    qint64 nowMs = 0;
    qint64 leewayMs = 30000;
};

// iss must equal issuer (WrongIssuer); aud (string or array) must contain audience, or azp
// must equal it (WrongAudience); exp is required and must be in the future (Expired); nbf, if
// present, must not be in the future (NotYetValid); sub must be a non-empty string (Malformed).
[[nodiscard]] AuthResult<confab::Ok> checkClaims(const QJsonObject &claims,
                                                 const ClaimPolicy &policy);

} // namespace confab::auth

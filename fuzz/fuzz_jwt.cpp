// libFuzzer target for user-token parsing and verification: the JWS compact form, the claims
// checks, OIDC signatures (RS256 and ES256 against fixed keys), Confab-minted HS256 tokens, and
// the keys an OIDC provider publishes (a JWK, a JWKS document, a PEM). Any bytes must give a
// result or an AuthError, never a crash, a leak or undefined behaviour; a token must never
// verify under a key of the other type. Seeds: fuzz/corpus/jwt (tokens signed by the keys
// below, whose private halves are not kept).

#include "auth/jwt.h"
#include "auth/minted.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cstdint>
#include <cstdlib>

using namespace confab::auth;

namespace {

constexpr char kRsaPem[] = R"(-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA3mRyii1Dn+QHa08Fcs6I
A+bbf4/eFng2HmggJRHJLq9RjmSQ74RiKYuXTDW3b6JRvQe1IOGHL0mznZelRTBR
oGfqNLvxZSXHgo1+Mx5Gd5/fI+AuD0xwGk7aCHUR0bxNm1ujN0Fwzn0VoYmhZ3Wv
6nVn3iHmWRLzNbz0E4NFc5G5i1mYyR5Q/VeKmpp9KWA2CJ7HCQkqDYD2SAgWqD6/
BJV+jBCr55eHsFNXES5In7BVhbA+NLEprYJJV2+DmYBbOVDlLR1lPYVxTUS6Sh2t
idQdj6w0xF8acWV14ZWwKbcNEbbQrWOt5qyn4Sh3BYEKeYdXWhBiDO9oDq/oPh93
7wIDAQAB
-----END PUBLIC KEY-----
)";

constexpr char kEcPem[] = R"(-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEMeLA3JwF6I72rkxFIPuJ/ao5k2G+
P9RVLxen3m2x+208H4n1IDwk3bHfiVkjAfolpYVgiXQ29wE/crrjVc++SQ==
-----END PUBLIC KEY-----
)";

const PublicKey &key(const char *pem, const char *kid)
{
    static QHash<QByteArray, PublicKey> keys;
    auto it = keys.find(kid);
    if (it == keys.end()) {
        auto k = PublicKey::fromPem(pem, QString::fromLatin1(kid));
        if (!k)
            std::abort();
        it = keys.insert(kid, *k);
    }
    return *it;
}

void tryKeys(QByteArrayView input)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(input.toByteArray(), &err);
    if (err.error == QJsonParseError::NoError && doc.isObject()) {
        const QJsonObject o = doc.object();
        (void)PublicKey::fromJwk(o);
        const QJsonValue keys = o.value(QLatin1String("keys"));
        for (const QJsonValue &v : keys.toArray()) {
            if (const auto k = PublicKey::fromJwk(v.toObject()))
                (void)k->verify(QStringLiteral("ES256"), "a.b", QByteArray(64, 'x'));
        }
    }
    if (input.startsWith("-----BEGIN"))
        (void)PublicKey::fromPem(input);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    tryKeys(input);

    const AuthResult<Jwt> jwt = parseJwt(input);
    if (!jwt)
        return 0;
    (void)jwt->kid();
    (void)jwt->issuer();
    const QString alg = jwt->alg();
    const bool rsa = bool(verifySignature(*jwt, key(kRsaPem, "rsa1")));
    const bool ec = bool(verifySignature(*jwt, key(kEcPem, "ec1")));
    if ((rsa && alg != QLatin1String("RS256")) || (ec && alg != QLatin1String("ES256")) || (rsa && ec))
        std::abort();
    (void)checkClaims(jwt->claims, ClaimPolicy{QStringLiteral("https://issuer.example"), QStringLiteral("confab"),
                                               1800000000000, 30000});

    (void)peekMintedToken(*jwt);
    const auto minted = verifyMintedToken(*jwt, "fuzz-app-secret", 1800000000000);
    if (minted && alg != QLatin1String("HS256"))
        std::abort();
    if (verifyMintedToken(*jwt, QByteArrayView(), 1800000000000))
        std::abort(); // an empty secret never verifies
    return 0;
}

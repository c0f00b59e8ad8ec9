#include "auth/jwt.h"

#include "auth/crypto.h"
#include "auth/pkey_p.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <cmath>

namespace confab::auth {

namespace {

AuthError malformed(const QString &what)
{
    return {Failure::Malformed, what};
}

std::optional<QJsonObject> decodeJsonObject(QByteArrayView b64)
{
    const auto bytes = base64UrlDecode(b64);
    if (!bytes)
        return std::nullopt;
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(*bytes, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    return doc.object();
}

// A JWK member holding an unsigned big-endian integer or point coordinate.
std::optional<QByteArray> jwkBytes(const QJsonObject &jwk, QLatin1String name)
{
    const QJsonValue v = jwk.value(name);
    if (!v.isString())
        return std::nullopt;
    auto bytes = base64UrlDecode(v.toString().toLatin1());
    if (!bytes || bytes->isEmpty())
        return std::nullopt;
    return bytes;
}

struct BnFree {
    void operator()(BIGNUM *p) const { BN_free(p); }
};
struct ParamBldFree {
    void operator()(OSSL_PARAM_BLD *p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
    void operator()(OSSL_PARAM *p) const { OSSL_PARAM_free(p); }
};
struct PkeyCtxFree {
    void operator()(EVP_PKEY_CTX *p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX *p) const { EVP_MD_CTX_free(p); }
};
struct EcdsaSigFree {
    void operator()(ECDSA_SIG *p) const { ECDSA_SIG_free(p); }
};
struct BioFree {
    void operator()(BIO *p) const { BIO_free(p); }
};

BIGNUM *toBn(const QByteArray &bytes)
{
    return BN_bin2bn(reinterpret_cast<const unsigned char *>(bytes.constData()), int(bytes.size()),
                     nullptr);
}

EVP_PKEY *pkeyFromParams(const char *type, OSSL_PARAM_BLD *bld)
{
    std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
    std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1)
        return nullptr;
    EVP_PKEY *pkey = nullptr;
    if (EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
        return nullptr;
    return pkey;
}

EVP_PKEY *rsaFromJwk(const QJsonObject &jwk)
{
    const auto n = jwkBytes(jwk, QLatin1String("n"));
    const auto e = jwkBytes(jwk, QLatin1String("e"));
    if (!n || !e)
        return nullptr;
    std::unique_ptr<BIGNUM, BnFree> bnN(toBn(*n));
    std::unique_ptr<BIGNUM, BnFree> bnE(toBn(*e));
    std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
    if (!bnN || !bnE || !bld
        || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bnN.get()) != 1
        || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bnE.get()) != 1)
        return nullptr;
    return pkeyFromParams("RSA", bld.get());
}

EVP_PKEY *p256FromJwk(const QJsonObject &jwk)
{
    if (jwk.value(QLatin1String("crv")).toString() != QLatin1String("P-256"))
        return nullptr;
    const auto x = jwkBytes(jwk, QLatin1String("x"));
    const auto y = jwkBytes(jwk, QLatin1String("y"));
    if (!x || !y || x->size() != 32 || y->size() != 32)
        return nullptr;
    const QByteArray point = QByteArray(1, '\x04') + *x + *y; // SEC 1 uncompressed
    std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
    char group[] = "prime256v1";
    if (!bld
        || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1
        || OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.constData(),
                                            size_t(point.size()))
            != 1)
        return nullptr;
    return pkeyFromParams("EC", bld.get());
}

// ES256 signatures are r||s, 32 bytes each (RFC 7518 3.4); OpenSSL wants DER.
std::optional<QByteArray> joseToDer(QByteArrayView raw)
{
    if (raw.size() != 64)
        return std::nullopt;
    std::unique_ptr<ECDSA_SIG, EcdsaSigFree> sig(ECDSA_SIG_new());
    BIGNUM *r = BN_bin2bn(reinterpret_cast<const unsigned char *>(raw.data()), 32, nullptr);
    BIGNUM *s = BN_bin2bn(reinterpret_cast<const unsigned char *>(raw.data()) + 32, 32, nullptr);
    if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        return std::nullopt;
    }
    unsigned char *der = nullptr;
    const int len = i2d_ECDSA_SIG(sig.get(), &der);
    if (len <= 0)
        return std::nullopt;
    QByteArray out(reinterpret_cast<const char *>(der), len);
    OPENSSL_free(der);
    return out;
}

std::optional<qint64> numericDateMs(const QJsonValue &v)
{
    if (!v.isDouble())
        return std::nullopt;
    const double s = v.toDouble();
    // Far beyond year 9999: refuse rather than overflow qint64.
    if (!std::isfinite(s) || s < 0 || s > 1e12)
        return std::nullopt;
    return qint64(s * 1000.0);
}

} // namespace

QString Jwt::alg() const
{
    return header.value(QLatin1String("alg")).toString();
}

QString Jwt::kid() const
{
    return header.value(QLatin1String("kid")).toString();
}

QString Jwt::issuer() const
{
    return claims.value(QLatin1String("iss")).toString();
}

AuthResult<Jwt> parseJwt(QByteArrayView compact)
{
    if (compact.isEmpty())
        return AuthError{Failure::Missing, QStringLiteral("no token")};
    if (compact.size() > kMaxJwtSize)
        return malformed(QStringLiteral("token longer than %1 bytes").arg(kMaxJwtSize));
    const qsizetype dot1 = compact.indexOf('.');
    const qsizetype dot2 = dot1 < 0 ? -1 : compact.indexOf('.', dot1 + 1);
    if (dot1 < 0 || dot2 < 0 || compact.indexOf('.', dot2 + 1) >= 0)
        return malformed(QStringLiteral("token is not three dot-separated parts"));

    Jwt jwt;
    const auto header = decodeJsonObject(compact.first(dot1));
    if (!header)
        return malformed(QStringLiteral("token header is not base64url JSON object"));
    const auto claims = decodeJsonObject(compact.sliced(dot1 + 1, dot2 - dot1 - 1));
    if (!claims)
        return malformed(QStringLiteral("token payload is not a base64url JSON object"));
    auto signature = base64UrlDecode(compact.sliced(dot2 + 1));
    if (!signature)
        return malformed(QStringLiteral("token signature is not base64url"));
    jwt.header = *header;
    jwt.claims = *claims;
    if (!jwt.header.value(QLatin1String("alg")).isString())
        return malformed(QStringLiteral("token header has no alg"));
    // RFC 7515 4.1.11: extensions we do not understand must make the token invalid.
    if (jwt.header.contains(QLatin1String("crit")))
        return malformed(QStringLiteral("token header has crit extensions"));
    jwt.signingInput = compact.first(dot2).toByteArray();
    jwt.signature = std::move(*signature);
    return jwt;
}

// ---- PublicKey

PublicKey::Private::~Private()
{
    EVP_PKEY_free(pkey);
}

PublicKey::PublicKey() = default;

PublicKey::PublicKey(const PublicKey &other)
    : d(other.d ? std::make_unique<Private>(*other.d) : nullptr)
{
}

PublicKey::PublicKey(PublicKey &&other) noexcept = default;

PublicKey &PublicKey::operator=(const PublicKey &other)
{
    if (this != &other)
        *this = PublicKey(other);
    return *this;
}

PublicKey &PublicKey::operator=(PublicKey &&other) noexcept = default;

PublicKey::~PublicKey() = default;

AuthResult<PublicKey> PublicKey::fromJwk(const QJsonObject &jwk)
{
    const QString kty = jwk.value(QLatin1String("kty")).toString();
    const QJsonValue use = jwk.value(QLatin1String("use"));
    if (!use.isUndefined() && use.toString() != QLatin1String("sig"))
        return malformed(QStringLiteral("JWK is not a signing key"));

    EVP_PKEY *pkey = nullptr;
    Private::Type type = Private::Type::Rsa;
    if (kty == QLatin1String("RSA")) {
        pkey = rsaFromJwk(jwk);
    } else if (kty == QLatin1String("EC")) {
        pkey = p256FromJwk(jwk);
        type = Private::Type::P256;
    } else {
        return malformed(QStringLiteral("JWK key type is not RSA or EC"));
    }
    if (!pkey) {
        ERR_clear_error();
        return malformed(QStringLiteral("JWK of type %1 is invalid").arg(kty));
    }
    PublicKey key;
    key.d = std::make_unique<Private>();
    key.d->pkey = pkey;
    key.d->type = type;
    key.d->kid = jwk.value(QLatin1String("kid")).toString();
    key.d->alg = jwk.value(QLatin1String("alg")).toString();
    if (const auto checked = key.d->check(); !checked)
        return malformed(checked.error());
    return key;
}

AuthResult<PublicKey> PublicKey::fromPem(QByteArrayView pem, const QString &kid)
{
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), int(pem.size())));
    EVP_PKEY *pkey = bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    if (!pkey) {
        ERR_clear_error();
        return malformed(QStringLiteral("PEM is not a public key"));
    }
    PublicKey key;
    key.d = std::make_unique<Private>();
    key.d->pkey = pkey;
    key.d->kid = kid;
    if (EVP_PKEY_is_a(pkey, "RSA"))
        key.d->type = Private::Type::Rsa;
    else if (EVP_PKEY_is_a(pkey, "EC"))
        key.d->type = Private::Type::P256;
    else
        return malformed(QStringLiteral("PEM key is not RSA or EC"));
    if (const auto checked = key.d->check(); !checked)
        return malformed(checked.error());
    return key;
}

Expected<Ok, QString> PublicKey::Private::check() const
{
    if (type == Type::Rsa) {
        // RFC 7518 3.3: 2048 bits or more.
        if (EVP_PKEY_get_bits(pkey) < 2048)
            return QStringLiteral("RSA key shorter than 2048 bits");
        return Ok{};
    }
    char group[64] = {};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len)
            != 1
        || qstrcmp(group, "prime256v1") != 0) {
        ERR_clear_error();
        return QStringLiteral("EC key is not on P-256");
    }
    std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
    if (!ctx || EVP_PKEY_public_check(ctx.get()) != 1) {
        ERR_clear_error();
        return QStringLiteral("EC public key point is invalid");
    }
    return Ok{};
}

bool PublicKey::isNull() const
{
    return !d;
}

QString PublicKey::kid() const
{
    return d ? d->kid : QString();
}

QString PublicKey::algorithm() const
{
    return d ? d->alg : QString();
}

bool PublicKey::verify(const QString &alg, QByteArrayView signingInput,
                       QByteArrayView signature) const
{
    if (!d)
        return false;
    QByteArray der;
    QByteArrayView sig = signature;
    if (alg == QLatin1String("RS256") && d->type == Private::Type::Rsa) {
        if (signature.size() != EVP_PKEY_get_size(d->pkey))
            return false;
    } else if (alg == QLatin1String("ES256") && d->type == Private::Type::P256) {
        auto converted = joseToDer(signature);
        if (!converted)
            return false;
        der = std::move(*converted);
        sig = der;
    } else {
        return false;
    }
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    const bool ok = ctx
        && EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, d->pkey, nullptr)
            == 1
        && EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char *>(sig.data()),
                            size_t(sig.size()),
                            reinterpret_cast<const unsigned char *>(signingInput.data()),
                            size_t(signingInput.size()))
            == 1;
    if (!ok)
        ERR_clear_error();
    return ok;
}

AuthResult<Ok> verifySignature(const Jwt &jwt, const PublicKey &key)
{
    const QString alg = jwt.alg();
    if (alg != QLatin1String("RS256") && alg != QLatin1String("ES256"))
        return AuthError{Failure::UnsupportedAlgorithm,
                         QStringLiteral("token algorithm is not RS256 or ES256")};
    if (key.isNull())
        return AuthError{Failure::UnknownKey, QStringLiteral("no key to verify the token with")};
    if (!key.algorithm().isEmpty() && key.algorithm() != alg)
        return AuthError{Failure::BadSignature,
                         QStringLiteral("token algorithm differs from its key's algorithm")};
    if (!key.verify(alg, jwt.signingInput, jwt.signature))
        return AuthError{Failure::BadSignature, QStringLiteral("token signature does not verify")};
    return Ok{};
}

AuthResult<Ok> checkClaims(const QJsonObject &claims, const ClaimPolicy &policy)
{
    if (claims.value(QLatin1String("iss")).toString() != policy.issuer || policy.issuer.isEmpty())
        return AuthError{Failure::WrongIssuer,
                         QStringLiteral("token issuer is not %1").arg(policy.issuer)};

    bool audienceOk = false;
    const QJsonValue aud = claims.value(QLatin1String("aud"));
    if (aud.isString()) {
        audienceOk = aud.toString() == policy.audience;
    } else if (aud.isArray()) {
        const QJsonArray list = aud.toArray();
        audienceOk = std::any_of(list.begin(), list.end(), [&](const QJsonValue &v) {
            return v.isString() && v.toString() == policy.audience;
        });
    }
    if (!audienceOk)
        audienceOk = claims.value(QLatin1String("azp")).toString() == policy.audience;
    if (!audienceOk || policy.audience.isEmpty())
        return AuthError{Failure::WrongAudience,
                         QStringLiteral("token is not for audience %1").arg(policy.audience)};

    const auto exp = numericDateMs(claims.value(QLatin1String("exp")));
    if (!exp)
        return malformed(QStringLiteral("token has no valid exp"));
    if (policy.nowMs >= *exp + policy.leewayMs)
        return AuthError{Failure::Expired, QStringLiteral("token expired")};

    if (const QJsonValue nbfValue = claims.value(QLatin1String("nbf")); !nbfValue.isUndefined()) {
        const auto nbf = numericDateMs(nbfValue);
        if (!nbf)
            return malformed(QStringLiteral("token has an invalid nbf"));
        if (policy.nowMs + policy.leewayMs < *nbf)
            return AuthError{Failure::NotYetValid, QStringLiteral("token not valid yet")};
    }

    const QJsonValue sub = claims.value(QLatin1String("sub"));
    if (!sub.isString() || sub.toString().isEmpty())
        return malformed(QStringLiteral("token has no subject"));
    return Ok{};
}

} // namespace confab::auth

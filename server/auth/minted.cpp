#include "auth/minted.h"

#include "auth/crypto.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace confab::auth {

namespace {

QByteArray encodeJson(const QJsonObject &o)
{
    return base64UrlEncode(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

} // namespace

QByteArray mintUserToken(const QString &appId, const QString &userId, qint64 ttlS,
                         QByteArrayView appSecret, qint64 nowMs)
{
    const qint64 nowS = nowMs / 1000;
    const QJsonObject header{{QStringLiteral("alg"), QStringLiteral("HS256")},
                             {QStringLiteral("typ"), QStringLiteral("JWT")}};
    const QJsonObject claims{{QStringLiteral("iss"), QLatin1String(kMintedIssuer)},
                             {QStringLiteral("app_id"), appId},
                             {QStringLiteral("sub"), userId},
                             {QStringLiteral("iat"), nowS},
                             {QStringLiteral("exp"), nowS + ttlS}};
    const QByteArray signingInput = encodeJson(header) + '.' + encodeJson(claims);
    return signingInput + '.' + base64UrlEncode(hmacSha256(appSecret, signingInput));
}

AuthResult<MintedClaims> peekMintedToken(const Jwt &jwt)
{
    const QJsonValue appId = jwt.claims.value(QLatin1String("app_id"));
    const QJsonValue sub = jwt.claims.value(QLatin1String("sub"));
    const QJsonValue exp = jwt.claims.value(QLatin1String("exp"));
    if (!appId.isString() || appId.toString().isEmpty())
        return AuthError{Failure::Malformed, QStringLiteral("minted token has no app_id")};
    if (!sub.isString() || sub.toString().isEmpty())
        return AuthError{Failure::Malformed, QStringLiteral("minted token has no subject")};
    if (!exp.isDouble())
        return AuthError{Failure::Malformed, QStringLiteral("minted token has no exp")};
    const double expS = exp.toDouble();
    if (!(expS >= 0 && expS <= 1e12))
        return AuthError{Failure::Malformed, QStringLiteral("minted token has an invalid exp")};
    return MintedClaims{appId.toString(), sub.toString(), qint64(expS * 1000.0)};
}

AuthResult<MintedClaims> verifyMintedToken(const Jwt &jwt, QByteArrayView appSecret, qint64 nowMs)
{
    if (jwt.alg() != QLatin1String("HS256"))
        return AuthError{Failure::UnsupportedAlgorithm,
                         QStringLiteral("minted token algorithm is not HS256")};
    // An app with no secret must not accept tokens signed with an empty key.
    if (appSecret.isEmpty()
        || !constantTimeEquals(hmacSha256(appSecret, jwt.signingInput), jwt.signature))
        return AuthError{Failure::BadSignature,
                         QStringLiteral("minted token signature does not verify")};
    if (jwt.issuer() != QLatin1String(kMintedIssuer))
        return AuthError{Failure::WrongIssuer, QStringLiteral("minted token issuer is not confab")};
    auto claims = peekMintedToken(jwt);
    if (!claims)
        return claims;
    if (nowMs >= claims->expiresMs)
        return AuthError{Failure::Expired, QStringLiteral("minted token expired")};
    return claims;
}

} // namespace confab::auth

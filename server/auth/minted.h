#pragma once

#include "auth/jwt.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

// User tokens Confab mints for apps without an identity provider (POST /v1/auth/token):
// HS256 JWTs signed with the app's token secret, {"iss":"confab","app_id","sub","iat","exp"}.
namespace confab::auth {

inline constexpr char kMintedIssuer[] = "confab";

[[nodiscard]] QByteArray mintUserToken(const QString &appId, const QString &userId, qint64 ttlS,
                                       QByteArrayView appSecret, qint64 nowMs);

struct MintedClaims {
    QString appId;
    QString userId;
    qint64 expiresMs = 0;
};

// Reads app_id and sub without verifying anything, so the caller can find the app's secret.
// Never trust the result before verifyMintedToken.
[[nodiscard]] AuthResult<MintedClaims> peekMintedToken(const Jwt &jwt);
// HS256 only (UnsupportedAlgorithm), signature (BadSignature; an empty secret never
// verifies), iss "confab" (WrongIssuer), exp in the future (Expired).
[[nodiscard]] AuthResult<MintedClaims> verifyMintedToken(const Jwt &jwt, QByteArrayView appSecret,
                                                         qint64 nowMs);

} // namespace confab::auth

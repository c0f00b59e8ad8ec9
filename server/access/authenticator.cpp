#include "access/authenticator.h"

#include "access/appdirectory.h"
#include "auth/apikey.h"
#include "auth/jwks.h"
#include "auth/jwt.h"
#include "auth/minted.h"
#include "confab/ids.h"
#include "store/apikeys.h"
#include "store/apps.h"

#include <QCoro/QCoroFuture>
#include <QDateTime>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcAccess, "confab.access", QtInfoMsg)

namespace confab::access {

Authenticator::Authenticator(AppDirectory *apps, store::AppRepository *appRepo,
                             store::ApiKeyRepository *keys, auth::JwksCache *jwks, QObject *parent)
    : QObject(parent), m_apps(apps), m_appRepo(appRepo), m_keys(keys), m_jwks(jwks)
{
}

Error Authenticator::failure(const QByteArray &reason, const QString &message)
{
    Q_EMIT authFailed(reason);
    return Error::unauthorized(message);
}

QCoro::Task<Expected<Identity>> Authenticator::authenticate(QByteArray credential)
{
    if (credential.isEmpty())
        co_return failure(auth::failureReason(auth::Failure::Missing), QStringLiteral("no credential"));
    auto checking = auth::looksLikeApiKey(credential) ? apiKey(std::move(credential)) : userToken(std::move(credential));
    co_return co_await checking;
}

QCoro::Task<Expected<Identity>> Authenticator::apiKey(QByteArray credential)
{
    const auto parts = auth::parseApiKey(credential);
    if (!parts)
        co_return failure(auth::failureReason(parts.error().reason), parts.error().message);
    auto pending2 = m_keys->get(QString::fromUtf8(parts->keyId));
    const Expected<store::ApiKey> key = co_await pending2;
    if (!key) {
        if (key.error().code == ErrorCode::NotFound)
            co_return failure(auth::failureReason(auth::Failure::UnknownCredential), QStringLiteral("unknown API key"));
        co_return key.error();
    }
    // Compare before looking at revocation so timing does not tell a revoked key from a wrong one.
    const bool matches = auth::apiKeySecretMatches(parts->secret, key->secretHash);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (!matches)
        co_return failure(auth::failureReason(auth::Failure::UnknownCredential), QStringLiteral("unknown API key"));
    if (key->revokedMs != 0 || (key->expiresMs != 0 && key->expiresMs <= now))
        co_return failure(auth::failureReason(auth::Failure::Revoked), QStringLiteral("API key revoked or expired"));
    Q_EMIT apiKeyAuthenticated(key->id);
    co_return Identity{key->appId, QString(), true, key->expiresMs, key->id};
}

QCoro::Task<Expected<Identity>> Authenticator::userToken(QByteArray credential)
{
    const auto jwt = auth::parseJwt(credential);
    if (!jwt)
        co_return failure(auth::failureReason(jwt.error().reason), jwt.error().message);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();

    if (jwt->issuer() == QLatin1String(auth::kMintedIssuer)) {
        const auto peek = auth::peekMintedToken(*jwt);
        if (!peek)
            co_return failure(auth::failureReason(peek.error().reason), peek.error().message);
        auto pending3 = m_apps->app(peek->appId);
        const Expected<store::App> app = co_await pending3;
        if (!app) {
            if (app.error().code == ErrorCode::NotFound)
                co_return failure(auth::failureReason(auth::Failure::UnknownApp), QStringLiteral("unknown app"));
            co_return app.error();
        }
        const auto claims = auth::verifyMintedToken(*jwt, app->tokenSecret, now);
        if (!claims)
            co_return failure(auth::failureReason(claims.error().reason), claims.error().message);
        if (!isValidUserId(claims->userId))
            co_return failure(auth::failureReason(auth::Failure::Malformed), QStringLiteral("invalid user id"));
        co_return Identity{app->id, claims->userId, false, claims->expiresMs, QString()};
    }

    const QString issuer = jwt->issuer();
    if (issuer.isEmpty())
        co_return failure(auth::failureReason(auth::Failure::Malformed), QStringLiteral("token has no issuer"));
    auto pending4 = m_appRepo->findByIssuer(issuer);
    const Expected<QList<store::App>> candidates = co_await pending4;
    if (!candidates)
        co_return candidates.error();
    if (candidates->isEmpty())
        co_return failure(auth::failureReason(auth::Failure::WrongIssuer), QStringLiteral("no app trusts this issuer"));

    auto pending5 = m_jwks->key(issuer, jwt->kid());
    const auto key = co_await pending5;
    if (!key) {
        const Error e = failure(auth::failureReason(key.error().reason), key.error().message);
        // The provider could not be asked: the credential was not judged, so no 401.
        if (key.error().reason == auth::Failure::JwksUnavailable)
            co_return Error::unavailable(QStringLiteral("identity provider unreachable"));
        co_return e;
    }
    if (const auto sig = auth::verifySignature(*jwt, *key); !sig)
        co_return failure(auth::failureReason(sig.error().reason), sig.error().message);

    // Several apps may share a realm; the audience picks the app.
    std::optional<auth::AuthError> lastError;
    for (const store::App &app : *candidates) {
        const auto ok = auth::checkClaims(jwt->claims, auth::ClaimPolicy{issuer, app.oidcAudience, now});
        if (ok) {
            const QString sub = jwt->claims.value(QLatin1String("sub")).toString();
            if (!isValidUserId(sub))
                co_return failure(auth::failureReason(auth::Failure::Malformed), QStringLiteral("invalid subject"));
            co_return Identity{app.id, sub, false, qint64(jwt->claims.value(QLatin1String("exp")).toDouble()) * 1000, QString()};
        }
        lastError = ok.error();
    }
    co_return failure(auth::failureReason(lastError->reason), lastError->message);
}

} // namespace confab::access

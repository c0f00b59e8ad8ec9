#pragma once

#include "confab/expected.h"

#include <QCoro/QCoroTask>
#include <QObject>

namespace confab::store {
class ApiKeyRepository;
class AppRepository;
} // namespace confab::store
namespace confab::auth {
class JwksCache;
} // namespace confab::auth

namespace confab::access {

class AppDirectory;

// Who is calling: a user of an app, or the app itself (an API key).
struct Identity {
    QString appId;
    QString userId;   // empty for an API key
    bool isApp = false;
    qint64 expiresMs = 0; // when the credential stops working (token exp, a rotated key's end); 0: never
    QString keyId;        // the API key's id, for revocation
};

// Turns a presented credential (API key, Confab-minted token, or OIDC token) into an
// Identity, or an `unauthorized` error. Every failure is counted by reason (PROTOCOL.md 2).
class Authenticator : public QObject
{
    Q_OBJECT
public:
    Authenticator(AppDirectory *apps, store::AppRepository *appRepo, store::ApiKeyRepository *keys,
                  auth::JwksCache *jwks, QObject *parent = nullptr);

    QCoro::Task<Expected<Identity>> authenticate(QByteArray credential);

Q_SIGNALS:
    void authFailed(const QByteArray &reason);
    // An API key authenticated (for its "last used" time, KeyUsageRecorder).
    void apiKeyAuthenticated(const QString &keyId);

private:
    QCoro::Task<Expected<Identity>> apiKey(QByteArray credential);
    QCoro::Task<Expected<Identity>> userToken(QByteArray credential);
    Error failure(const QByteArray &reason, const QString &message);

    AppDirectory *m_apps;
    store::AppRepository *m_appRepo;
    store::ApiKeyRepository *m_keys;
    auth::JwksCache *m_jwks;
};

} // namespace confab::access

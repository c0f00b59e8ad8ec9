#pragma once

#include "auth/failure.h"
#include "auth/jwt.h"

#include <QCoro/QCoroTask>
#include <QObject>
#include <QString>

#include <memory>

class QNetworkAccessManager;

namespace confab::auth {

// The signing keys of OIDC issuers, found through <issuer>/.well-known/openid-configuration.
// Keys are cached per (issuer, kid), so a token of one issuer can never use another's key.
// Not thread-safe: use it from the thread that owns it and its QNetworkAccessManager.
// Destroying the cache while lookups are in flight abandons them (they never resume).
class JwksCache : public QObject
{
    Q_OBJECT
public:
    explicit JwksCache(QNetworkAccessManager *nam, QObject *parent = nullptr);
    ~JwksCache() override;

    // At most one fetch per issuer per interval (default 10000 ms, PROTOCOL.md 2), so
    // tokens with made-up kids cannot make us hammer the provider.
    void setRefetchInterval(qint64 ms);
    // Per HTTP request (default 5000 ms), via QNetworkRequest::setTransferTimeout.
    void setRequestTimeout(qint64 ms);

    // The key of `issuer` named `kid` (an empty kid matches when the issuer has exactly one
    // key). A cold issuer is discovered and its JWKS fetched; an unknown kid on a known issuer
    // triggers one refetch, rate-limited per issuer, then UnknownKey. Concurrent lookups for
    // the same issuer share one fetch. A failed fetch gives JwksUnavailable, but keys already
    // cached keep working. http:// issuers are allowed, with a warning logged once per issuer.
    QCoro::Task<AuthResult<PublicKey>> key(QString issuer, QString kid);

    // JWKS documents requested so far (for tests and metrics).
    [[nodiscard]] quint64 fetchCount() const;

private:
    QCoro::Task<void> refresh(QString issuer);
    QCoro::Task<Expected<QList<PublicKey>, QString>> download(QString issuer);

    class Private;
    std::unique_ptr<Private> d;
};

} // namespace confab::auth

#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QObject>
#include <QString>

#include <memory>

namespace confab::test {

// A minimal OpenID Connect provider for tests: an HTTP server on 127.0.0.1 (one request per
// connection) serving <issuer>/.well-known/openid-configuration and the JWKS it points to,
// with RSA 2048 / EC P-256 keys it generates itself. Keys can be added and removed at any
// time, as a provider rotating its keys would.
class OidcProvider : public QObject
{
    Q_OBJECT
public:
    // The issuer is http://127.0.0.1:<port>/realms/<realm>, Keycloak-style.
    explicit OidcProvider(const QString &realm = QStringLiteral("confab"), QObject *parent = nullptr);
    ~OidcProvider() override;

    // Listens on a free loopback port; false if that failed.
    bool start();
    // Stops listening: later requests are refused at the TCP level (the provider is "down").
    void stop();
    [[nodiscard]] QString issuer() const;
    [[nodiscard]] QString jwksUri() const;

    // A new key published in the JWKS; returns its kid.
    QString addRsaKey();
    QString addEcKey();
    void removeKey(const QString &kid);
    // The public JWK of a key (what the JWKS lists for it).
    [[nodiscard]] QJsonObject publicJwk(const QString &kid) const;

    // A compact JWS of `claims` with the key's alg (RS256/ES256) and kid in the header;
    // members of extraHeader are added to, or replace, those of the header.
    [[nodiscard]] QByteArray sign(const QString &kid, const QJsonObject &claims,
                                  const QJsonObject &extraHeader = {}) const;

    // Requests for the JWKS document served so far.
    [[nodiscard]] int jwksRequests() const;
    // Requests of any kind served so far.
    [[nodiscard]] int requests() const;

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace confab::test

#include "auth/oidcprovider.h"

#include "auth/crypto.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QList>
#include <QTcpServer>
#include <QTcpSocket>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

namespace confab::test {

namespace {

struct Key {
    QString kid;
    bool ec = false;
    EVP_PKEY *pkey = nullptr;
};

QByteArray bnParam(EVP_PKEY *pkey, const char *name, int padTo = 0)
{
    BIGNUM *bn = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1)
        qFatal("OidcProvider: reading key parameter %s failed", name);
    QByteArray out(padTo > 0 ? padTo : BN_num_bytes(bn), Qt::Uninitialized);
    BN_bn2binpad(bn, reinterpret_cast<unsigned char *>(out.data()), int(out.size()));
    BN_free(bn);
    return out;
}

QByteArray encodeJson(const QJsonObject &o)
{
    return auth::base64UrlEncode(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

} // namespace

class OidcProvider::Private
{
public:
    ~Private()
    {
        for (const Key &k : keys)
            EVP_PKEY_free(k.pkey);
    }

    [[nodiscard]] const Key *find(const QString &kid) const
    {
        for (const Key &k : keys) {
            if (k.kid == kid)
                return &k;
        }
        return nullptr;
    }

    QString addKey(bool ec)
    {
        EVP_PKEY *pkey = ec ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")
                            : EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t(2048));
        if (!pkey)
            qFatal("OidcProvider: key generation failed");
        const QString kid = QStringLiteral("%1-%2-%3")
                                .arg(realm, ec ? QStringLiteral("ec") : QStringLiteral("rsa"))
                                .arg(++keyCounter);
        keys.append(Key{kid, ec, pkey});
        return kid;
    }

    [[nodiscard]] QJsonObject jwk(const Key &k) const
    {
        QJsonObject o{{QStringLiteral("kid"), k.kid}, {QStringLiteral("use"), QStringLiteral("sig")}};
        if (k.ec) {
            o.insert(QStringLiteral("kty"), QStringLiteral("EC"));
            o.insert(QStringLiteral("alg"), QStringLiteral("ES256"));
            o.insert(QStringLiteral("crv"), QStringLiteral("P-256"));
            o.insert(QStringLiteral("x"), QString::fromLatin1(auth::base64UrlEncode(
                                              bnParam(k.pkey, OSSL_PKEY_PARAM_EC_PUB_X, 32))));
            o.insert(QStringLiteral("y"), QString::fromLatin1(auth::base64UrlEncode(
                                              bnParam(k.pkey, OSSL_PKEY_PARAM_EC_PUB_Y, 32))));
        } else {
            o.insert(QStringLiteral("kty"), QStringLiteral("RSA"));
            o.insert(QStringLiteral("alg"), QStringLiteral("RS256"));
            o.insert(QStringLiteral("n"), QString::fromLatin1(auth::base64UrlEncode(
                                              bnParam(k.pkey, OSSL_PKEY_PARAM_RSA_N))));
            o.insert(QStringLiteral("e"), QString::fromLatin1(auth::base64UrlEncode(
                                              bnParam(k.pkey, OSSL_PKEY_PARAM_RSA_E))));
        }
        return o;
    }

    [[nodiscard]] QByteArray response(const QByteArray &path)
    {
        const QByteArray base = "/realms/" + realm.toUtf8();
        if (path == base + "/.well-known/openid-configuration") {
            const QJsonObject doc{{QStringLiteral("issuer"), issuer()},
                                  {QStringLiteral("jwks_uri"), jwksUri()},
                                  {QStringLiteral("id_token_signing_alg_values_supported"),
                                   QJsonArray{QStringLiteral("RS256"), QStringLiteral("ES256")}}};
            return ok(QJsonDocument(doc).toJson(QJsonDocument::Compact));
        }
        if (path == base + "/protocol/openid-connect/certs") {
            ++jwksRequests;
            QJsonArray list;
            // An encryption key, as Keycloak publishes one too: the cache must skip it.
            list.append(QJsonObject{{QStringLiteral("kid"), QStringLiteral("enc-key")},
                                    {QStringLiteral("kty"), QStringLiteral("RSA")},
                                    {QStringLiteral("use"), QStringLiteral("enc")},
                                    {QStringLiteral("n"), QStringLiteral("AQAB")},
                                    {QStringLiteral("e"), QStringLiteral("AQAB")}});
            for (const Key &k : keys)
                list.append(jwk(k));
            return ok(QJsonDocument(QJsonObject{{QStringLiteral("keys"), list}})
                          .toJson(QJsonDocument::Compact));
        }
        return QByteArrayLiteral("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    }

    static QByteArray ok(const QByteArray &body)
    {
        return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    }

    void serve(QTcpSocket *socket)
    {
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
            QByteArray &buffer = pending[socket];
            buffer += socket->readAll();
            if (!buffer.contains("\r\n\r\n"))
                return;
            const QList<QByteArray> requestLine = buffer.left(buffer.indexOf("\r\n")).split(' ');
            pending.remove(socket);
            ++requests;
            const QByteArray path = requestLine.size() >= 2 ? requestLine.at(1) : QByteArray();
            socket->write(response(path));
            socket->disconnectFromHost();
        });
        QObject::connect(socket, &QObject::destroyed, server.get(),
                         [this, socket] { pending.remove(socket); });
    }

    [[nodiscard]] QString issuer() const
    {
        return QStringLiteral("http://127.0.0.1:%1/realms/%2").arg(port).arg(realm);
    }
    [[nodiscard]] QString jwksUri() const
    {
        return issuer() + QLatin1String("/protocol/openid-connect/certs");
    }

    std::unique_ptr<QTcpServer> server = std::make_unique<QTcpServer>();
    QString realm;
    quint16 port = 0;
    QList<Key> keys;
    int keyCounter = 0;
    int jwksRequests = 0;
    int requests = 0;
    QHash<QTcpSocket *, QByteArray> pending;
};

OidcProvider::OidcProvider(const QString &realm, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>())
{
    d->realm = realm;
    connect(d->server.get(), &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = d->server->nextPendingConnection())
            d->serve(socket);
    });
}

OidcProvider::~OidcProvider() = default;

bool OidcProvider::start()
{
    // Keep the port across stop()/start() so the issuer URL stays the same.
    if (!d->server->listen(QHostAddress::LocalHost, d->port))
        return false;
    d->port = d->server->serverPort();
    return true;
}

void OidcProvider::stop()
{
    d->server->close();
}

QString OidcProvider::issuer() const
{
    return d->issuer();
}

QString OidcProvider::jwksUri() const
{
    return d->jwksUri();
}

QString OidcProvider::addRsaKey()
{
    return d->addKey(false);
}

QString OidcProvider::addEcKey()
{
    return d->addKey(true);
}

void OidcProvider::removeKey(const QString &kid)
{
    for (qsizetype i = 0; i < d->keys.size(); ++i) {
        if (d->keys.at(i).kid == kid) {
            EVP_PKEY_free(d->keys.at(i).pkey);
            d->keys.removeAt(i);
            return;
        }
    }
}

QJsonObject OidcProvider::publicJwk(const QString &kid) const
{
    const Key *k = d->find(kid);
    return k ? d->jwk(*k) : QJsonObject();
}

QByteArray OidcProvider::sign(const QString &kid, const QJsonObject &claims,
                              const QJsonObject &extraHeader) const
{
    const Key *k = d->find(kid);
    if (!k)
        qFatal("OidcProvider::sign: no key %s", qPrintable(kid));
    QJsonObject header{{QStringLiteral("alg"), k->ec ? QStringLiteral("ES256") : QStringLiteral("RS256")},
                       {QStringLiteral("typ"), QStringLiteral("JWT")},
                       {QStringLiteral("kid"), kid}};
    for (auto it = extraHeader.begin(); it != extraHeader.end(); ++it)
        header.insert(it.key(), it.value());
    const QByteArray signingInput = encodeJson(header) + '.' + encodeJson(claims);

    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t len = 0;
    QByteArray sig;
    if (ctx && EVP_DigestSignInit_ex(ctx, nullptr, "SHA256", nullptr, nullptr, k->pkey, nullptr) == 1
        && EVP_DigestSign(ctx, nullptr, &len,
                          reinterpret_cast<const unsigned char *>(signingInput.constData()),
                          size_t(signingInput.size()))
            == 1) {
        sig.resize(qsizetype(len));
        if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char *>(sig.data()), &len,
                           reinterpret_cast<const unsigned char *>(signingInput.constData()),
                           size_t(signingInput.size()))
            != 1)
            sig.clear();
        sig.resize(qsizetype(len));
    }
    EVP_MD_CTX_free(ctx);
    if (sig.isEmpty())
        qFatal("OidcProvider::sign: signing failed");

    if (k->ec) {
        // OpenSSL gives DER; JWS wants r||s, 32 bytes each (RFC 7518 3.4).
        const auto *p = reinterpret_cast<const unsigned char *>(sig.constData());
        ECDSA_SIG *ecdsa = d2i_ECDSA_SIG(nullptr, &p, long(sig.size()));
        if (!ecdsa)
            qFatal("OidcProvider::sign: bad ECDSA signature");
        QByteArray raw(64, Qt::Uninitialized);
        BN_bn2binpad(ECDSA_SIG_get0_r(ecdsa), reinterpret_cast<unsigned char *>(raw.data()), 32);
        BN_bn2binpad(ECDSA_SIG_get0_s(ecdsa), reinterpret_cast<unsigned char *>(raw.data()) + 32, 32);
        ECDSA_SIG_free(ecdsa);
        sig = raw;
    }
    return signingInput + '.' + auth::base64UrlEncode(sig);
}

int OidcProvider::jwksRequests() const
{
    return d->jwksRequests;
}

int OidcProvider::requests() const
{
    return d->requests;
}

} // namespace confab::test

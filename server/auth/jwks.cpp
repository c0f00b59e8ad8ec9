#include "auth/jwks.h"

#include "auth/logging.h"

#include <QCoro/QCoroFuture>
#include <QCoro/QCoroNetworkReply>
#include <QElapsedTimer>
#include <QFuture>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QPromise>
#include <QUrl>

#include <optional>

namespace confab::auth {

namespace {

// Discovery documents and key sets are a few KiB; anything far bigger is not one.
constexpr qint64 kMaxDocumentSize = 1 << 20;

bool isHttpUrl(const QUrl &url)
{
    return url.isValid() && !url.host().isEmpty()
        && (url.scheme() == QLatin1String("https") || url.scheme() == QLatin1String("http"));
}

QCoro::Task<Expected<QJsonObject, QString>> getJson(QNetworkAccessManager *nam, QUrl url,
                                                    int timeoutMs)
{
    QNetworkRequest request(url);
    request.setTransferTimeout(timeoutMs);
    request.setRawHeader("Accept", "application/json");
    QPointer<QNetworkReply> reply = nam->get(request);
    co_await reply.data();
    if (!reply)
        co_return QStringLiteral("GET %1: request abandoned").arg(url.toDisplayString());
    reply->deleteLater();

    if (reply->error() != QNetworkReply::NoError)
        co_return QStringLiteral("GET %1: %2").arg(url.toDisplayString(), reply->errorString());
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 200)
        co_return QStringLiteral("GET %1: HTTP status %2").arg(url.toDisplayString()).arg(status);
    const QByteArray body = reply->read(kMaxDocumentSize + 1);
    if (body.size() > kMaxDocumentSize)
        co_return QStringLiteral("GET %1: document larger than %2 bytes")
            .arg(url.toDisplayString())
            .arg(kMaxDocumentSize);
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        co_return QStringLiteral("GET %1: not a JSON object").arg(url.toDisplayString());
    co_return doc.object();
}

struct IssuerState {
    QList<PublicKey> keys;
    QUrl jwksUri;                        // from discovery; cleared when a JWKS fetch fails
    qint64 lastAttemptMs = -1;           // monotonic, of the last fetch started
    bool lastOk = false;
    QString lastError;
    std::optional<QFuture<void>> inflight; // finishes when the running fetch ends
    bool warnedInsecure = false;
};

} // namespace

class JwksCache::Private
{
public:
    [[nodiscard]] std::optional<PublicKey> find(const QString &issuer, const QString &kid) const
    {
        const auto it = issuers.constFind(issuer);
        if (it == issuers.constEnd())
            return std::nullopt;
        const QList<PublicKey> &keys = it->keys;
        // A provider with a single key may leave kid out of its tokens.
        if (kid.isEmpty())
            return keys.size() == 1 ? std::optional(keys.first()) : std::nullopt;
        for (const PublicKey &k : keys) {
            if (k.kid() == kid)
                return k;
        }
        return std::nullopt;
    }

    QNetworkAccessManager *nam = nullptr;
    qint64 refetchIntervalMs = 10000;
    qint64 requestTimeoutMs = 5000;
    quint64 fetchCount = 0;
    QElapsedTimer clock;
    QHash<QString, IssuerState> issuers;
    // Coroutines hold a copy and check it after every co_await: the cache may be gone.
    std::shared_ptr<bool> alive = std::make_shared<bool>(true);
};

JwksCache::JwksCache(QNetworkAccessManager *nam, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>())
{
    d->nam = nam;
    d->clock.start();
}

JwksCache::~JwksCache()
{
    *d->alive = false;
}

void JwksCache::setRefetchInterval(qint64 ms)
{
    d->refetchIntervalMs = ms;
}

void JwksCache::setRequestTimeout(qint64 ms)
{
    d->requestTimeoutMs = ms;
}

quint64 JwksCache::fetchCount() const
{
    return d->fetchCount;
}

QCoro::Task<AuthResult<PublicKey>> JwksCache::key(QString issuer, QString kid)
{
    const std::shared_ptr<bool> alive = d->alive;
    if (auto found = d->find(issuer, kid))
        co_return *found;

    const IssuerState &state = d->issuers[issuer];
    if (state.inflight) {
        const QFuture<void> running = *state.inflight;
        co_await running;
    } else if (state.lastAttemptMs >= 0
               && d->clock.elapsed() - state.lastAttemptMs < d->refetchIntervalMs) {
        if (!state.lastOk)
            co_return AuthError{Failure::JwksUnavailable, state.lastError};
        co_return AuthError{Failure::UnknownKey,
                            QStringLiteral("issuer %1 has no key %2 (refetched recently)")
                                .arg(issuer, kid)};
    } else {
        co_await refresh(issuer);
    }
    if (!*alive)
        co_return AuthError{Failure::JwksUnavailable, QStringLiteral("key cache shut down")};

    if (auto found = d->find(issuer, kid))
        co_return *found;
    const IssuerState &after = d->issuers[issuer];
    if (!after.lastOk)
        co_return AuthError{Failure::JwksUnavailable, after.lastError};
    co_return AuthError{Failure::UnknownKey,
                        QStringLiteral("issuer %1 has no key %2").arg(issuer, kid)};
}

QCoro::Task<void> JwksCache::refresh(QString issuer)
{
    const std::shared_ptr<bool> alive = d->alive;
    // If we never get past a co_await, the promise's destructor still finishes the future
    // (cancelled), so lookups sharing this fetch resume and see the cache is gone.
    QPromise<void> done;
    done.start();
    {
        IssuerState &state = d->issuers[issuer];
        state.inflight = done.future();
        state.lastAttemptMs = d->clock.elapsed();
    }
    auto keys = co_await download(issuer);
    if (!*alive)
        co_return;

    IssuerState &state = d->issuers[issuer];
    state.inflight.reset();
    if (keys) {
        qCInfo(lcAuth).noquote() << "fetched" << keys->size() << "signing keys of issuer" << issuer;
        state.keys = std::move(*keys);
        state.lastOk = true;
        state.lastError.clear();
    } else {
        // Keys fetched before stay usable: a provider outage must not log everyone out.
        qCWarning(lcAuth).noquote() << "fetching the signing keys of issuer" << issuer
                                    << "failed:" << keys.error();
        state.lastOk = false;
        state.lastError = keys.error();
    }
    done.finish();
}

QCoro::Task<Expected<QList<PublicKey>, QString>> JwksCache::download(QString issuer)
{
    const std::shared_ptr<bool> alive = d->alive;
    const QString shutDown = QStringLiteral("key cache shut down");
    const QUrl issuerUrl(issuer, QUrl::StrictMode);
    if (!isHttpUrl(issuerUrl) || issuerUrl.hasQuery() || issuerUrl.hasFragment())
        co_return QStringLiteral("issuer %1 is not an http(s) URL").arg(issuer);
    if (issuerUrl.scheme() == QLatin1String("http")) {
        IssuerState &state = d->issuers[issuer];
        if (!state.warnedInsecure) {
            state.warnedInsecure = true;
            qCWarning(lcAuth).noquote()
                << "issuer" << issuer << "uses plain http: its keys can be tampered with in transit";
        }
    }

    QUrl jwksUri = d->issuers[issuer].jwksUri;
    if (jwksUri.isEmpty()) {
        QString base = issuer;
        while (base.endsWith(QLatin1Char('/')))
            base.chop(1);
        const QUrl discovery(base + QLatin1String("/.well-known/openid-configuration"));
        const auto doc = co_await getJson(d->nam, discovery, int(d->requestTimeoutMs));
        if (!*alive)
            co_return shutDown;
        if (!doc)
            co_return doc.error();
        // OpenID Connect Discovery 1.0 section 4.3: the document must name the same issuer.
        if (doc->value(QLatin1String("issuer")).toString() != issuer)
            co_return QStringLiteral("discovery document of %1 names another issuer").arg(issuer);
        jwksUri = QUrl(doc->value(QLatin1String("jwks_uri")).toString(), QUrl::StrictMode);
        if (!isHttpUrl(jwksUri))
            co_return QStringLiteral("discovery document of %1 has no usable jwks_uri").arg(issuer);
        d->issuers[issuer].jwksUri = jwksUri;
    }

    ++d->fetchCount;
    const auto jwks = co_await getJson(d->nam, jwksUri, int(d->requestTimeoutMs));
    if (!*alive)
        co_return shutDown;
    if (!jwks) {
        // The provider may have moved its key set: discover again next time.
        d->issuers[issuer].jwksUri.clear();
        co_return jwks.error();
    }
    const QJsonValue keysValue = jwks->value(QLatin1String("keys"));
    if (!keysValue.isArray())
        co_return QStringLiteral("JWKS of %1 has no keys array").arg(issuer);
    QList<PublicKey> keys;
    for (const QJsonValue &v : keysValue.toArray()) {
        // Providers also publish encryption keys and algorithms we do not use: skip them.
        auto k = PublicKey::fromJwk(v.toObject());
        if (k)
            keys.append(std::move(*k));
        else
            qCDebug(lcAuth).noquote() << "skipping a key of issuer" << issuer << ":" << k.error().message;
    }
    if (keys.isEmpty())
        co_return QStringLiteral("JWKS of %1 has no usable signing key").arg(issuer);
    co_return keys;
}

} // namespace confab::auth

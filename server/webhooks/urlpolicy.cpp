#include "webhooks/urlpolicy.h"

#include <QCoreApplication>
#include <QPromise>

#include <memory>

namespace confab::webhooks {

namespace {

bool inAny(const QHostAddress &a, std::initializer_list<const char *> subnets)
{
    for (const char *s : subnets) {
        if (a.isInSubnet(QHostAddress::parseSubnet(QLatin1String(s))))
            return true;
    }
    return false;
}

QHostAddress embeddedIpv4(const QHostAddress &a)
{
    const Q_IPV6ADDR b = a.toIPv6Address();
    return QHostAddress(quint32(b[12]) << 24 | quint32(b[13]) << 16 | quint32(b[14]) << 8 | quint32(b[15]));
}

} // namespace

bool isPublicAddress(const QHostAddress &address)
{
    if (address.isNull())
        return false;
    if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        return !inAny(address, {"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
                                "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
                                "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4"});
    }
    if (address.protocol() != QAbstractSocket::IPv6Protocol)
        return false;
    if (inAny(address, {"::ffff:0:0/96", "64:ff9b::/96"}))
        return isPublicAddress(embeddedIpv4(address));
    return !inAny(address, {"::/127", "::/96", "100::/64", "2001::/23", "2001:db8::/32", "2002::/16", "fc00::/7",
                            "fe80::/10", "fec0::/10", "ff00::/8"});
}

Status checkUrl(const QUrl &url, bool allowPrivate)
{
    const QString scheme = url.scheme();
    if (!url.isValid() || url.isRelative() || url.host().isEmpty())
        return Error::badRequest(QStringLiteral("'webhook.url' must be an absolute URL with a host"));
    if (url.toEncoded().size() > 2000)
        return Error::badRequest(QStringLiteral("'webhook.url' is longer than 2000 characters"));
    if (!url.userInfo().isEmpty() || url.hasFragment())
        return Error::badRequest(QStringLiteral("'webhook.url' may not carry user info or a fragment"));
    if (scheme != QLatin1String("https") && !(allowPrivate && scheme == QLatin1String("http")))
        return Error::badRequest(allowPrivate ? QStringLiteral("'webhook.url' must be http:// or https://")
                                              : QStringLiteral("'webhook.url' must be https://"));
    if (allowPrivate)
        return Ok{};
    const QString host = url.host().toLower();
    if (host == QLatin1String("localhost") || host.endsWith(QLatin1String(".localhost")))
        return Error::badRequest(QStringLiteral("'webhook.url' must name a public host"));
    const QHostAddress literal(host);
    if (!literal.isNull() && !isPublicAddress(literal))
        return Error::badRequest(QStringLiteral("'webhook.url' must name a public address"));
    return Ok{};
}

Status checkResolved(const QString &host, const QList<QHostAddress> &addresses, bool allowPrivate)
{
    if (addresses.isEmpty())
        return Error::badRequest(QStringLiteral("the webhook host %1 does not resolve").arg(host));
    if (allowPrivate)
        return Ok{};
    for (const QHostAddress &a : addresses) {
        if (!isPublicAddress(a))
            return Error::badRequest(
                QStringLiteral("the webhook host %1 resolves to a non-public address (%2)").arg(host, a.toString()));
    }
    return Ok{};
}

QFuture<QHostInfo> lookup(const QString &host)
{
    auto promise = std::make_shared<QPromise<QHostInfo>>();
    QFuture<QHostInfo> resolved = promise->future();
    promise->start();
    QHostInfo::lookupHost(host, QCoreApplication::instance(), [promise](const QHostInfo &info) {
        promise->addResult(info);
        promise->finish();
    });
    return resolved;
}

} // namespace confab::webhooks

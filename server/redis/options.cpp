#include "redis/options.h"

#include <QUrl>

namespace confab::redis
{

namespace
{

Error invalid(const QString &why)
{
    // The URL itself is not quoted: it may carry a password.
    return Error::badRequest(QStringLiteral("parsing the redis URL: %1").arg(why));
}

} // namespace

Expected<Options> Options::fromUrl(const QString &url)
{
    const QUrl u(url, QUrl::StrictMode);
    if (url.trimmed().isEmpty())
        return invalid(QStringLiteral("it is empty"));
    if (!u.isValid())
        return invalid(QStringLiteral("it is not a valid URL"));
    if (u.scheme() != QLatin1String("redis"))
        return invalid(QStringLiteral("scheme must be redis:// (got \"%1\"; TLS is not supported)")
                           .arg(u.scheme()));
    if (u.host().isEmpty())
        return invalid(QStringLiteral("it has no host"));
    if (u.hasQuery() || u.hasFragment())
        return invalid(QStringLiteral("query and fragment are not supported"));

    Options o;
    o.url = url;
    o.host = u.host();
    const int port = u.port(6379);
    if (port <= 0 || port > 65535)
        return invalid(QStringLiteral("port %1 is out of range").arg(port));
    o.port = quint16(port);

    QString path = u.path();
    if (path.startsWith(QLatin1Char('/')))
        path.remove(0, 1);
    if (!path.isEmpty()) {
        bool ok = false;
        o.db = path.toInt(&ok);
        if (!ok || o.db < 0)
            return invalid(
                QStringLiteral("database \"%1\" is not a non-negative number").arg(path));
    }

    o.user = u.userName(QUrl::FullyDecoded);
    o.password = u.password(QUrl::FullyDecoded);
    if (!o.user.isEmpty() && o.password.isEmpty())
        return invalid(QStringLiteral("a user needs a password (redis://user:password@host)"));
    return o;
}

Expected<Options> Options::fromConfig(const Config &config)
{
    auto o = fromUrl(config.redis.url);
    if (!o)
        return Error::badRequest(QStringLiteral("[redis] url: %1").arg(o.error().message));
    o->commandTimeoutMs = config.redis.commandTimeoutMs;
    o->clusterNodes = config.redis.clusterNodes;
    o->sentinels = config.redis.sentinels;
    o->masterName = config.redis.masterName;
    o->minReplicas = int(config.redis.minReplicas);
    o->replicaTimeoutMs = config.redis.replicaTimeoutMs;
    if (o->isCluster() && o->db != 0)
        return Error::badRequest(QStringLiteral("[redis] url: a Redis Cluster has only database 0"));
    return o;
}

QString Options::endpoint() const
{
    return QStringLiteral("%1:%2/%3").arg(host).arg(port).arg(db);
}

} // namespace confab::redis

#include "redis/options.h"

#include <QUrl>
#include <QUrlQuery>

namespace confab::redis
{

namespace
{

Error invalid(const QString &why)
{
    // The URL itself is not quoted: it may carry a password.
    return Error::badRequest(QStringLiteral("parsing the redis URL: %1").arg(why));
}

Expected<int> parseDb(const QString &text)
{
    bool ok = false;
    const int db = text.toInt(&ok);
    if (!ok || db < 0)
        return invalid(QStringLiteral("database \"%1\" is not a non-negative number").arg(text));
    return db;
}

// unix:///path/to/redis.sock[?db=N][&user=U&password=P]: the settings a redis:// URL spells in
// its authority and path go in the query, as redis-py and Lettuce spell them.
Expected<Options> fromUnixUrl(const QString &url, const QUrl &u)
{
    if (!u.host().isEmpty() || !u.userInfo().isEmpty() || u.port() != -1)
        return invalid(QStringLiteral("a unix:// URL has no host, port or credentials before the path "
                                      "(unix:///path/to/redis.sock?db=0&password=...)"));
    if (u.hasFragment())
        return invalid(QStringLiteral("fragment is not supported"));
    Options o;
    o.url = url;
    o.socketPath = u.path(QUrl::FullyDecoded);
    if (!o.socketPath.startsWith(QLatin1Char('/')))
        return invalid(QStringLiteral("the socket path must be absolute (unix:///path/to/redis.sock)"));
    // sockaddr_un's sun_path: 108 bytes with the terminating NUL.
    if (o.socketPath.toLocal8Bit().size() > 107)
        return invalid(QStringLiteral("the socket path is longer than 107 bytes"));
    const QUrlQuery query(u);
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (key == QLatin1String("db")) {
            const Expected<int> db = parseDb(value);
            if (!db)
                return db.error();
            o.db = *db;
        } else if (key == QLatin1String("user")) {
            o.user = value;
        } else if (key == QLatin1String("password")) {
            o.password = value;
        } else {
            // Not quoted: a misspelt query may hold the password.
            return invalid(QStringLiteral("it has a query key other than db, user or password"));
        }
    }
    if (!o.user.isEmpty() && o.password.isEmpty())
        return invalid(QStringLiteral("a user needs a password (unix:///path?user=...&password=...)"));
    return o;
}

} // namespace

Expected<Options> Options::fromUrl(const QString &url)
{
    const QUrl u(url, QUrl::StrictMode);
    if (url.trimmed().isEmpty())
        return invalid(QStringLiteral("it is empty"));
    if (!u.isValid())
        return invalid(QStringLiteral("it is not a valid URL"));
    if (u.scheme() == QLatin1String("unix"))
        return fromUnixUrl(url, u);
    if (u.scheme() != QLatin1String("redis"))
        return invalid(QStringLiteral("scheme must be redis:// or unix:// (got \"%1\"; TLS is not supported)")
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
        const Expected<int> db = parseDb(path);
        if (!db)
            return db.error();
        o.db = *db;
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
    o->useModule = config.redis.module;
    o->writeHoldMs = config.redis.writeHoldMs;
    o->writeHoldAbovePerS = config.redis.writeHoldAbovePerS;
    if (!o->socketPath.isEmpty() && (o->isCluster() || o->usesSentinel()))
        return Error::badRequest(QStringLiteral("[redis] url: a unix:// URL names one Redis on this host; "
                                                "cluster_nodes and sentinels need a redis:// URL"));
    if (o->writeHoldMs >= o->commandTimeoutMs)
        return Error::badRequest(
            QStringLiteral("[redis] write_hold: must be shorter than command_timeout, "
                           "or every held command would time out"));
    if (o->isCluster() && o->db != 0)
        return Error::badRequest(QStringLiteral("[redis] url: a Redis Cluster has only database 0"));
    return o;
}

QString Options::endpoint() const
{
    if (!socketPath.isEmpty())
        return QStringLiteral("unix:%1/%2").arg(socketPath).arg(db);
    return QStringLiteral("%1:%2/%3").arg(host).arg(port).arg(db);
}

} // namespace confab::redis

#pragma once

#include "confab/config.h"
#include "confab/expected.h"

#include <QString>

namespace confab::redis
{

// Where and how to connect. Build it with fromUrl(); the parsed fields are filled from url.
struct Options {
    // redis://[[user]:password@]host[:port][/db], or a Redis on this host through its Unix
    // socket: unix:///path/to/redis.sock[?db=N][&user=U&password=P] (docs/running.md).
    QString url;
    qint64 commandTimeoutMs = 5000; // also bounds connecting and the AUTH/SELECT handshake
    qint64 reconnectMinMs = 100; // backoff doubles up to reconnectMaxMs
    qint64 reconnectMaxMs = 5000;
    QString name; // for logs and CLIENT SETNAME
    // From [redis] cluster_nodes, or sentinels + master_name (set by the node, not by fromUrl):
    // a Redis Cluster's seed nodes (host and port of url then unused), or the Sentinels that
    // name the master (url's credentials and database still apply).
    QList<HostPort> clusterNodes;
    QList<HostPort> sentinels;
    QString masterName;
    // [redis] min_replicas / replica_timeout: an accepted message is acknowledged only once
    // WAIT says this many replicas have it (0: no WAIT). docs/redis.md, "Sentinel".
    int minReplicas = 0;
    qint64 replicaTimeoutMs = 1000;
    // [redis] module: Client::evalScript calls a script's module command (Script::moduleCommand)
    // where Redis knows it; false: the Lua script always.
    bool useModule = true;
    // [redis] write_hold / write_hold_above: while this connection sends at least
    // writeHoldAbovePerS commands a second, what it queues waits up to writeHoldMs and leaves
    // in one write with what follows, so Redis wakes once for several. 0 ms: never.
    // docs/redis.md, "Writes held under load".
    qint64 writeHoldMs = 0;
    qint64 writeHoldAbovePerS = 0;
    [[nodiscard]] bool isCluster() const { return !clusterNodes.isEmpty(); }
    [[nodiscard]] bool usesSentinel() const { return !sentinels.isEmpty(); }

    // Parsed from url by fromUrl(). socketPath is set for a unix:// URL (host and port unused).
    QString socketPath;
    QString host;
    quint16 port = 6379;
    int db = 0;
    QString user; // Redis 6 ACL user; empty means AUTH <password> only
    QString password; // never logged

    [[nodiscard]] static confab::Expected<Options> fromUrl(const QString &url);
    // fromUrl(url) plus the [redis] section's other keys; an error names the key at fault.
    [[nodiscard]] static confab::Expected<Options> fromConfig(const Config &config);
    // host:port/db or unix:path/db, safe for logs (no credentials).
    [[nodiscard]] QString endpoint() const;
};

} // namespace confab::redis

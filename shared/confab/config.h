#pragma once

#include "confab/expected.h"

#include <QHash>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace confab {

struct HostPort {
    QString host;
    quint16 port = 0;
};

// Per-app limits; the [limits] section gives every app's defaults, an app may override them.
struct Limits {
    qint64 userMsgsPerMin = 60;
    qint64 appMsgsPerS = 1000;
    qint64 connsPerUserPer10s = 5;
    qint64 maxConns = 50000;
    qint64 clientBufferSoft = 1048576;
    qint64 clientBufferHard = 8388608;
    qint64 slowClientTimeoutMs = 30000;
    qint64 maxInflightPerConn = 64;
    qint64 maxSubscriptionsPerConn = 1000;
    qint64 attachmentMaxBytes = 104857600;
    // Attachments above this go as multipart uploads in parts of this size (docs/objectstore.md).
    qint64 attachmentPartBytes = 8LL << 20;
    qint64 dedupWindowMs = 3600000; // how long a client_msg_id is remembered (deployment-wide)
    // Bounds on what one client can make the server hold (docs/security.md). Node-wide: the
    // per-address and unauthenticated caps and the typing window; per app: the rest.
    qint64 maxConnsPerIp = 1000;             // open TCP connections per client address, per node
    QStringList perIpExempt{QStringLiteral("127.0.0.0/8"), QStringLiteral("::1/128")}; // e.g. a TLS proxy
    qint64 maxUnauthenticated = 5000;        // WebSockets not yet authenticated, per node
    qint64 maxSessionsPerKey = 100;          // open WebSockets per API key, per node
    qint64 typingIntervalMs = 3000;          // at most one typing start per (user, conversation) per interval
    qint64 userConvosPerMin = 30;            // conversations a user creates per minute, all nodes
    qint64 appConvosPerS = 100;              // conversations the users of an app create per second
};

// The node's configuration (PROTOCOL.md section 1): an INI file, every key overridable by
// CONFAB_<SECTION>_<KEY>. Durations carry units and are stored here in milliseconds.
struct Config {
    struct Server {
        HostPort listen{QStringLiteral("0.0.0.0"), 8080};
        HostPort internalListen{QStringLiteral("127.0.0.1"), 8081};
        QString nodeId;
        qint64 maxMessageBytes = 65536;
        qint64 heartbeatMs = 25000;
        qint64 dbThreads = 2;
        qint64 shutdownGraceMs = 10000;
        bool reusePort = false; // several processes share the public port (SO_REUSEPORT)
        // How long a client connection's frames may wait for more before they are written
        // (0: at the end of the event-loop pass that queued them), while the node queues at
        // least writeCoalesceAbovePerS frames a second (0: always). docs/architecture.md.
        qint64 writeCoalesceMs = 10;
        qint64 writeCoalesceAbovePerS = 50000;
        // Many client connections' frames written with one system call (io_uring) where the
        // kernel allows it; false: one sendmsg() per connection. docs/architecture.md.
        bool batchedSends = true;
        // While the event loop sees at least loopHoldAbovePerS sockets ready a second (0:
        // always), it wakes at most once per loopHoldMs (0: off) and handles what arrived
        // meanwhile in one pass. docs/architecture.md, "The wake hold".
        qint64 loopHoldMs = 2;
        qint64 loopHoldAbovePerS = 1000;
        // Origins whose browser pages may call the public listener (CORS, WebSocket Origin):
        // exact "scheme://host[:port]" strings, or the single entry "*"; empty: none.
        QStringList corsOrigins;
        qint64 headerTimeoutMs = 10000; // a request's head must arrive within this -> 408, close
        qint64 bodyTimeoutMs = 30000;   // and its body within this after the head -> 408, close
        // How browsers reach the public listener ("https://chat.example.com"), for the upload
        // and download URLs a local-directory store signs; empty: from the request's Host.
        QString publicUrl;
    } server;
    struct Postgres {
        QString url = QStringLiteral("postgresql://confab:secret@127.0.0.1:5432/confab");
    } postgres;
    struct Redis {
        QString url = QStringLiteral("redis://127.0.0.1:6379/0");
        qint64 commandTimeoutMs = 5000;
        // A Redis Cluster's seed nodes (url then unused), or Sentinels and the master's name
        // (url's credentials and database still apply). docs/running.md, "Scaling out".
        QList<HostPort> clusterNodes;
        QList<HostPort> sentinels;
        QString masterName;
        // Additions (docs/redis.md, "Sentinel"): acknowledge a send only once WAIT reports this
        // many replicas have it, waiting at most replica_timeout (then the send is unavailable).
        qint64 minReplicas = 0;
        qint64 replicaTimeoutMs = 1000;
        // Accept through confab's Redis module (CONFAB.ACCEPT) where Redis has it loaded, the
        // Lua script elsewhere; false: always the script. docs/redis.md, "The accept module".
        bool module = true;
        // While a Redis connection sends at least write_hold_above commands a second, its
        // commands wait up to write_hold and leave together: Redis wakes once for several,
        // for that much latency on each. docs/redis.md, "Writes held under load".
        qint64 writeHoldMs = 1;
        qint64 writeHoldAbovePerS = 1500;
    } redis;
    struct S3 {
        QString endpoint = QStringLiteral("http://127.0.0.1:9000");
        QString region = QStringLiteral("us-east-1");
        QString bucket = QStringLiteral("confab");
        QString accessKey = QStringLiteral("minioadmin");
        QString secretKey = QStringLiteral("minioadmin");
    } s3;
    struct Segments {
        qint64 maxBytes = 1048576;
        qint64 maxAgeMs = 30000;
        qint64 accumulate = 4;           // an app's tail may hold this many max_bytes before a flush
        qint64 hotWindow = 1000;         // messages kept in the tail below the flushed watermark
        qint64 retryWindowMs = 100000;   // failed flushes are retried this long, then dead letters
        qint64 deadLetterRetryMs = 30000; // then retried this often until storage is back
        bool cborRecords = false;         // encoding = json (default) or cbor
    } segments;
    struct Retention {
        qint64 maxAgeMs = 30LL * 86400000;
        qint64 intervalMs = 3600000;
        qint64 multipartMaxAgeMs = 86400000; // unfinished multipart uploads are aborted after this
    } retention;
    Limits limits;
    // Webhooks to the apps' back ends (PROTOCOL.md section 9, docs/webhooks.md).
    struct Webhooks {
        qint64 coalesceMs = 5000;        // message.offline: one call per (user, conversation) per window
        qint64 timeoutMs = 10000;        // a call not answered 2xx in time is a failure
        qint64 retryWindowMs = 3600000;  // retries with backoff this long, then a dead letter
        bool allowPrivate = false;       // true: http:// and loopback/private addresses allowed
        qint64 maxInFlightPerApp = 4;    // concurrent calls per app per node
    } webhooks;
    struct Admin {
        QString token;
    } admin;
    // Native TLS on the listeners (docs/tls.md). Empty cert: plain HTTP/WS, e.g. behind a
    // TLS-terminating proxy. The files are read at start-up and again on SIGHUP.
    struct Tls {
        QString cert; // PEM certificate chain, leaf first
        QString key; // PEM private key of the leaf
        bool internal = false; // the internal listener serves TLS too
        [[nodiscard]] bool enabled() const { return !cert.isEmpty(); }
    } tls;

    static constexpr qint64 kMaxRetentionMs = 30LL * 86400000;

    // Reads FILE, then applies environment overrides. The error message is one line.
    [[nodiscard]] static Expected<Config> load(const QString &path,
                                               const QProcessEnvironment &env);
    [[nodiscard]] static Expected<Config> parse(const QByteArray &ini,
                                                const QProcessEnvironment &env);
    // Every key parse() accepts, as "section/key" (the sample config must list each).
    [[nodiscard]] static QStringList keyNames();
};

[[nodiscard]] Expected<HostPort> parseHostPort(QStringView text);

} // namespace confab

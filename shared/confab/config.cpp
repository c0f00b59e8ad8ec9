#include "confab/config.h"

#include "confab/duration.h"

#include <QFile>
#include <QRegularExpression>

#include <arpa/inet.h>
#include <sys/socket.h>

#include <functional>
#include <vector>

namespace confab {

namespace {

using Setter = std::function<Status(Config &, QStringView)>;

struct Key {
    QString section;
    QString name;
    Setter set;
};


template<typename Field>
Setter stringField(Field field)
{
    return [field](Config &c, QStringView v) -> Status {
        field(c) = v.toString();
        return Ok{};
    };
}

template<typename Field>
Setter integerField(Field field, qint64 min, qint64 max)
{
    return [field, min, max](Config &c, QStringView v) -> Status {
        bool ok = false;
        const qint64 n = v.trimmed().toLongLong(&ok);
        if (!ok)
            return Error::badRequest(QStringLiteral("'%1' is not a whole number").arg(v));
        if (n < min || n > max)
            return Error::badRequest(
                QStringLiteral("%1 is outside %2..%3").arg(QString::number(n), QString::number(min), QString::number(max)));
        field(c) = n;
        return Ok{};
    };
}

template<typename Field>
Setter boolField(Field field)
{
    return [field](Config &c, QStringView v) -> Status {
        const QString t = v.trimmed().toString().toLower();
        if (t == QLatin1String("true") || t == QLatin1String("1") || t == QLatin1String("yes"))
            field(c) = true;
        else if (t == QLatin1String("false") || t == QLatin1String("0") || t == QLatin1String("no"))
            field(c) = false;
        else
            return Error::badRequest(QStringLiteral("'%1' is not true or false").arg(v));
        return Ok{};
    };
}

template<typename Field>
Setter durationField(Field field, qint64 minMs, qint64 maxMs)
{
    return [field, minMs, maxMs](Config &c, QStringView v) -> Status {
        auto ms = parseDuration(v);
        if (!ms)
            return ms.error();
        if (*ms < minMs || *ms > maxMs)
            return Error::badRequest(QStringLiteral("%1 is outside %2..%3")
                                         .arg(v.toString(), formatDuration(minMs), formatDuration(maxMs)));
        field(c) = *ms;
        return Ok{};
    };
}

template<typename Field>
Setter hostPortField(Field field)
{
    return [field](Config &c, QStringView v) -> Status {
        auto hp = parseHostPort(v);
        if (!hp)
            return hp.error();
        field(c) = *hp;
        return Ok{};
    };
}

// "h1:p1,h2:p2,...": at least one, each host:port.
template<typename Field>
Setter hostPortListField(Field field)
{
    return [field](Config &c, QStringView v) -> Status {
        QList<HostPort> list;
        for (QStringView item : v.split(u',')) {
            if (item.trimmed().isEmpty())
                return Error::badRequest(QStringLiteral("an empty entry in '%1'").arg(v.toString()));
            auto hp = parseHostPort(item);
            if (!hp)
                return hp.error();
            if (hp->port == 0)
                return Error::badRequest(QStringLiteral("'%1' has port 0").arg(item.trimmed().toString()));
            list.push_back(*hp);
        }
        field(c) = list;
        return Ok{};
    };
}

template<typename Field>
Setter urlField(Field field, QStringList schemes)
{
    return [field, schemes](Config &c, QStringView v) -> Status {
        const QString s = v.toString();
        const qsizetype colon = s.indexOf(QLatin1String("://"));
        // The value is not quoted: a Redis or PostgreSQL URL may carry a password.
        if (colon <= 0 || !schemes.contains(s.left(colon)))
            return Error::badRequest(QStringLiteral("must be a URL starting with %1://")
                                         .arg(schemes.join(QLatin1String(":// or "))));
        field(c) = s;
        return Ok{};
    };
}

// "https://app.example.com", "http://localhost:3000", or "*" alone: how a browser spells the
// Origin header (RFC 6454), so a match is a plain string compare.
Status setCorsOrigins(Config &c, QStringView v)
{
    QStringList origins;
    for (QStringView part : v.split(u',')) {
        const QString origin = part.trimmed().toString();
        if (origin.isEmpty())
            continue;
        if (origin == QLatin1String("*")) {
            origins.append(origin);
            continue;
        }
        static const QRegularExpression shape(
            QStringLiteral("^https?://(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$"));
        if (!shape.match(origin).hasMatch())
            return Error::badRequest(
                QStringLiteral("'%1' is not an origin: write scheme://host[:port], no path or "
                               "trailing slash, or * alone")
                    .arg(origin));
        // Browsers send the scheme and host in lower case.
        origins.append(origin.toLower());
    }
    if (origins.size() > 1 && origins.contains(QStringLiteral("*")))
        return Error::badRequest(QStringLiteral("* allows every origin: write it alone"));
    c.server.corsOrigins = origins;
    return Ok{};
}

// "a.b.c.d/n" or "x::y/n" (the prefix optional), checked with inet_pton: no network I/O.
Status checkSubnet(const QString &text)
{
    const qsizetype slash = text.indexOf(u'/');
    const QByteArray address = (slash < 0 ? text : text.left(slash)).toLatin1();
    unsigned char buffer[16];
    const bool v4 = ::inet_pton(AF_INET, address.constData(), buffer) == 1;
    const bool v6 = !v4 && ::inet_pton(AF_INET6, address.constData(), buffer) == 1;
    bool ok = v4 || v6;
    if (ok && slash >= 0) {
        const int prefix = text.mid(slash + 1).toInt(&ok);
        ok = ok && prefix >= 0 && prefix <= (v4 ? 32 : 128);
    }
    if (!ok)
        return Error::badRequest(QStringLiteral("'%1' is not an address or address/prefix").arg(text));
    return Ok{};
}

Setter subnetListField()
{
    return [](Config &c, QStringView v) -> Status {
        QStringList subnets;
        if (v.trimmed() != QLatin1String("none")) {
            for (const QString &part : v.toString().split(u',', Qt::SkipEmptyParts)) {
                const QString subnet = part.trimmed();
                if (auto s = checkSubnet(subnet); !s)
                    return s;
                subnets.append(subnet);
            }
        }
        c.limits.perIpExempt = subnets;
        return Ok{};
    };
}

constexpr qint64 kDay = 86400000;
constexpr qint64 kBig = qint64(1) << 40;

std::vector<Key> keys()
{
    using C = Config;
    auto S = [](const char *s) { return QString::fromLatin1(s); };
    std::vector<Key> k;
    auto add = [&](const char *section, const char *name, Setter set) {
        k.push_back({S(section), S(name), std::move(set)});
    };
    add("server", "listen", hostPortField([](C &c) -> HostPort & { return c.server.listen; }));
    add("server", "internal_listen", hostPortField([](C &c) -> HostPort & { return c.server.internalListen; }));
    add("server", "node_id", stringField([](C &c) -> QString & { return c.server.nodeId; }));
    add("server", "reuse_port", boolField([](C &c) -> bool & { return c.server.reusePort; }));
    add("server", "write_coalesce", durationField([](C &c) -> qint64 & { return c.server.writeCoalesceMs; }, 0, 100));
    add("server", "write_coalesce_above", integerField([](C &c) -> qint64 & { return c.server.writeCoalesceAbovePerS; }, 0, kBig));
    add("server", "batched_sends", boolField([](C &c) -> bool & { return c.server.batchedSends; }));
    add("server", "loop_hold",
        durationField([](C &c) -> qint64 & { return c.server.loopHoldMs; }, 0, 20));
    add("server", "loop_hold_above",
        integerField([](C &c) -> qint64 & { return c.server.loopHoldAbovePerS; }, 0, kBig));
    add("server", "max_message_bytes", integerField([](C &c) -> qint64 & { return c.server.maxMessageBytes; }, 16, 16 << 20));
    add("server", "heartbeat", durationField([](C &c) -> qint64 & { return c.server.heartbeatMs; }, 100, kDay));
    add("server", "db_threads", integerField([](C &c) -> qint64 & { return c.server.dbThreads; }, 1, 64));
    add("server", "cors_origins", setCorsOrigins);
    add("server", "header_timeout", durationField([](C &c) -> qint64 & { return c.server.headerTimeoutMs; }, 100, 600000));
    add("server", "body_timeout", durationField([](C &c) -> qint64 & { return c.server.bodyTimeoutMs; }, 100, 3600000));
    add("server", "public_url", urlField([](C &c) -> QString & { return c.server.publicUrl; }, {S("http"), S("https")}));
    add("server", "shutdown_grace", durationField([](C &c) -> qint64 & { return c.server.shutdownGraceMs; }, 0, 19000));
    add("postgres", "url", urlField([](C &c) -> QString & { return c.postgres.url; }, {S("postgresql"), S("postgres")}));
    add("redis", "url", urlField([](C &c) -> QString & { return c.redis.url; }, {S("redis"), S("unix")}));
    add("redis", "command_timeout", durationField([](C &c) -> qint64 & { return c.redis.commandTimeoutMs; }, 10, 600000));
    add("redis", "cluster_nodes", hostPortListField([](C &c) -> QList<HostPort> & { return c.redis.clusterNodes; }));
    add("redis", "sentinels", hostPortListField([](C &c) -> QList<HostPort> & { return c.redis.sentinels; }));
    add("redis", "master_name", stringField([](C &c) -> QString & { return c.redis.masterName; }));
    add("redis", "min_replicas", integerField([](C &c) -> qint64 & { return c.redis.minReplicas; }, 0, 16));
    add("redis", "replica_timeout", durationField([](C &c) -> qint64 & { return c.redis.replicaTimeoutMs; }, 10, 60000));
    add("redis", "module", boolField([](C &c) -> bool & { return c.redis.module; }));
    add("redis", "write_hold",
        durationField([](C &c) -> qint64 & { return c.redis.writeHoldMs; }, 0, 20));
    add("redis", "write_hold_above",
        integerField([](C &c) -> qint64 & { return c.redis.writeHoldAbovePerS; }, 0, kBig));
    add("s3", "endpoint", urlField([](C &c) -> QString & { return c.s3.endpoint; }, {S("http"), S("https"), S("file")}));
    add("s3", "region", stringField([](C &c) -> QString & { return c.s3.region; }));
    add("s3", "bucket", stringField([](C &c) -> QString & { return c.s3.bucket; }));
    add("s3", "access_key", stringField([](C &c) -> QString & { return c.s3.accessKey; }));
    add("s3", "secret_key", stringField([](C &c) -> QString & { return c.s3.secretKey; }));
    add("segments", "max_bytes", integerField([](C &c) -> qint64 & { return c.segments.maxBytes; }, 1024, 1LL << 30));
    add("segments", "max_age", durationField([](C &c) -> qint64 & { return c.segments.maxAgeMs; }, 10, kDay));
    add("segments", "accumulate", integerField([](C &c) -> qint64 & { return c.segments.accumulate; }, 1, 64));
    add("segments", "hot_window", integerField([](C &c) -> qint64 & { return c.segments.hotWindow; }, 0, kBig));
    // PROTOCOL.md section 6: a failed batch's retries end within two minutes of the first failure.
    add("segments", "retry_window", durationField([](C &c) -> qint64 & { return c.segments.retryWindowMs; }, 0, 120000));
    add("segments", "dead_letter_retry", durationField([](C &c) -> qint64 & { return c.segments.deadLetterRetryMs; }, 100, kDay));
    add("segments", "encoding", [](C &c, QStringView v) -> Status {
        const QString e = v.trimmed().toString();
        if (e != QLatin1String("json") && e != QLatin1String("cbor"))
            return Error::badRequest(QStringLiteral("'%1' must be json or cbor").arg(e));
        c.segments.cborRecords = e == QLatin1String("cbor");
        return Ok{};
    });
    add("retention", "max_age", durationField([](C &c) -> qint64 & { return c.retention.maxAgeMs; }, 1000, Config::kMaxRetentionMs));
    add("retention", "interval", durationField([](C &c) -> qint64 & { return c.retention.intervalMs; }, 100, kDay));
    add("retention", "multipart_max_age", durationField([](C &c) -> qint64 & { return c.retention.multipartMaxAgeMs; }, 1000, 7 * kDay));
    add("limits", "user_msgs_per_min", integerField([](C &c) -> qint64 & { return c.limits.userMsgsPerMin; }, 0, kBig));
    add("limits", "app_msgs_per_s", integerField([](C &c) -> qint64 & { return c.limits.appMsgsPerS; }, 0, kBig));
    add("limits", "conns_per_user_per_10s", integerField([](C &c) -> qint64 & { return c.limits.connsPerUserPer10s; }, 0, kBig));
    add("limits", "max_conns", integerField([](C &c) -> qint64 & { return c.limits.maxConns; }, 0, kBig));
    add("limits", "client_buffer_soft", integerField([](C &c) -> qint64 & { return c.limits.clientBufferSoft; }, 1024, kBig));
    add("limits", "client_buffer_hard", integerField([](C &c) -> qint64 & { return c.limits.clientBufferHard; }, 1024, kBig));
    add("limits", "slow_client_timeout", durationField([](C &c) -> qint64 & { return c.limits.slowClientTimeoutMs; }, 100, kDay));
    add("limits", "max_inflight_per_conn", integerField([](C &c) -> qint64 & { return c.limits.maxInflightPerConn; }, 1, 100000));
    add("limits", "max_subscriptions_per_conn", integerField([](C &c) -> qint64 & { return c.limits.maxSubscriptionsPerConn; }, 1, kBig));
    // PROTOCOL.md section 1: at most 24 h (its Redis cost is per message inside the window).
    add("limits", "dedup_window", durationField([](C &c) -> qint64 & { return c.limits.dedupWindowMs; }, 1000, kDay));
    add("limits", "attachment_max_bytes", integerField([](C &c) -> qint64 & { return c.limits.attachmentMaxBytes; }, 1, kBig));
    // S3 wants parts of at least 5 MiB (but the last); smaller values are for tests.
    add("limits", "attachment_part_bytes", integerField([](C &c) -> qint64 & { return c.limits.attachmentPartBytes; }, 1024, 5LL << 30));
    add("limits", "max_conns_per_ip", integerField([](C &c) -> qint64 & { return c.limits.maxConnsPerIp; }, 0, kBig));
    add("limits", "per_ip_exempt", subnetListField());
    add("limits", "max_unauthenticated", integerField([](C &c) -> qint64 & { return c.limits.maxUnauthenticated; }, 0, kBig));
    add("limits", "max_sessions_per_key", integerField([](C &c) -> qint64 & { return c.limits.maxSessionsPerKey; }, 0, kBig));
    add("limits", "typing_interval", durationField([](C &c) -> qint64 & { return c.limits.typingIntervalMs; }, 0, 60000));
    add("limits", "user_convos_per_min", integerField([](C &c) -> qint64 & { return c.limits.userConvosPerMin; }, 0, kBig));
    add("limits", "app_convos_per_s", integerField([](C &c) -> qint64 & { return c.limits.appConvosPerS; }, 0, kBig));
    add("webhooks", "coalesce", durationField([](C &c) -> qint64 & { return c.webhooks.coalesceMs; }, 0, 600000));
    add("webhooks", "timeout", durationField([](C &c) -> qint64 & { return c.webhooks.timeoutMs; }, 100, 120000));
    add("webhooks", "retry_window", durationField([](C &c) -> qint64 & { return c.webhooks.retryWindowMs; }, 1000, 7 * kDay));
    add("webhooks", "allow_private", boolField([](C &c) -> bool & { return c.webhooks.allowPrivate; }));
    add("webhooks", "max_in_flight_per_app", integerField([](C &c) -> qint64 & { return c.webhooks.maxInFlightPerApp; }, 1, 256));
    add("admin", "token", stringField([](C &c) -> QString & { return c.admin.token; }));
    add("tls", "cert", stringField([](C &c) -> QString & { return c.tls.cert; }));
    add("tls", "key", stringField([](C &c) -> QString & { return c.tls.key; }));
    add("tls", "internal", boolField([](C &c) -> bool & { return c.tls.internal; }));
    return k;
}

QString stripComment(QString line)
{
    // A ';' or '#' starts a comment at the line's start or after white space, so values such
    // as URLs with '#' fragments survive when written without a space before the mark.
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar ch = line.at(i);
        if ((ch == u';' || ch == u'#') && (i == 0 || line.at(i - 1).isSpace()))
            return line.left(i);
    }
    return line;
}

} // namespace

Expected<HostPort> parseHostPort(QStringView text)
{
    const QString t = text.trimmed().toString();
    const qsizetype colon = t.lastIndexOf(u':');
    if (colon <= 0)
        return Error::badRequest(QStringLiteral("'%1' must be host:port").arg(t));
    bool ok = false;
    const uint port = t.mid(colon + 1).toUInt(&ok);
    if (!ok || port > 65535)
        return Error::badRequest(QStringLiteral("'%1' has an invalid port").arg(t));
    QString host = t.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    return HostPort{host, quint16(port)};
}

Expected<Config> Config::parse(const QByteArray &ini, const QProcessEnvironment &env)
{
    Config config;
    const std::vector<Key> known = keys();
    auto find = [&](const QString &section, const QString &name) -> const Key * {
        for (const Key &k : known) {
            if (k.section == section && k.name == name)
                return &k;
        }
        return nullptr;
    };

    QString section;
    int lineNo = 0;
    for (const QByteArray &raw : ini.split('\n')) {
        ++lineNo;
        const QString line = stripComment(QString::fromUtf8(raw)).trimmed();
        if (line.isEmpty())
            continue;
        if (line.startsWith(u'[')) {
            if (!line.endsWith(u']'))
                return Error::badRequest(QStringLiteral("line %1: unterminated section header").arg(lineNo));
            section = line.mid(1, line.size() - 2).trimmed().toLower();
            continue;
        }
        const qsizetype eq = line.indexOf(u'=');
        if (eq <= 0)
            return Error::badRequest(QStringLiteral("line %1: expected key = value").arg(lineNo));
        const QString name = line.left(eq).trimmed().toLower();
        const QString value = line.mid(eq + 1).trimmed();
        const Key *key = find(section, name);
        if (!key)
            return Error::badRequest(QStringLiteral("line %1: unknown key [%2] %3").arg(QString::number(lineNo), section, name));
        // An empty value keeps the default (the sample config lists node_id = with nothing).
        if (value.isEmpty())
            continue;
        if (auto s = key->set(config, value); !s)
            return Error::badRequest(QStringLiteral("[%1] %2: %3").arg(section, name, s.error().message));
    }

    for (const Key &key : known) {
        const QString var = QStringLiteral("CONFAB_%1_%2").arg(key.section.toUpper(), key.name.toUpper());
        if (!env.contains(var))
            continue;
        const QString value = env.value(var).trimmed();
        if (value.isEmpty())
            continue;
        if (auto s = key.set(config, value); !s)
            return Error::badRequest(QStringLiteral("%1: %2").arg(var, s.error().message));
    }

    if (config.limits.clientBufferHard < config.limits.clientBufferSoft)
        return Error::badRequest(QStringLiteral("[limits] client_buffer_hard must be at least client_buffer_soft"));
    if (config.tls.cert.isEmpty() != config.tls.key.isEmpty())
        return Error::badRequest(QStringLiteral("[tls] cert and key must be set together"));
    if (config.tls.internal && !config.tls.enabled())
        return Error::badRequest(QStringLiteral("[tls] internal = true needs cert and key"));
    if (!config.redis.clusterNodes.isEmpty() && !config.redis.sentinels.isEmpty())
        return Error::badRequest(QStringLiteral("[redis] cluster_nodes and sentinels exclude each other"));
    if (config.redis.sentinels.isEmpty() != config.redis.masterName.isEmpty())
        return Error::badRequest(QStringLiteral("[redis] sentinels and master_name must be set together"));
    if (config.redis.minReplicas > 0 && config.redis.replicaTimeoutMs >= config.redis.commandTimeoutMs)
        return Error::badRequest(QStringLiteral("[redis] replica_timeout must be shorter than command_timeout"));
    // A resend is answered with its original, which must still be readable.
    config.limits.dedupWindowMs = qMin(config.limits.dedupWindowMs, config.retention.maxAgeMs);
    return config;
}

QStringList Config::keyNames()
{
    QStringList out;
    for (const Key &k : keys())
        out.append(k.section + u'/' + k.name);
    return out;
}

Expected<Config> Config::load(const QString &path, const QProcessEnvironment &env)
{
    if (path.isEmpty())
        return parse({}, env);
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error::badRequest(QStringLiteral("cannot read config %1: %2").arg(path, f.errorString()));
    return parse(f.readAll(), env);
}

} // namespace confab

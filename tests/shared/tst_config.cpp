#include "confab/config.h"

#include <QTest>

using namespace confab;

class TestConfig : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void defaults()
    {
        const auto c = Config::parse({}, QProcessEnvironment());
        QVERIFY(c);
        QCOMPARE(c->server.listen.port, 8080);
        QCOMPARE(c->server.internalListen.host, QStringLiteral("127.0.0.1"));
        QCOMPARE(c->server.heartbeatMs, 25000);
        QCOMPARE(c->server.writeCoalesceMs, 10);
        QCOMPARE(c->server.writeCoalesceAbovePerS, 50000);
        QVERIFY(c->server.batchedSends);
        QCOMPARE(c->retention.maxAgeMs, 30LL * 86400000);
        QCOMPARE(c->limits.userMsgsPerMin, 60);
    }

    void protocolSample()
    {
        // GIVEN the sample of PROTOCOL.md section 1, comments and all
        const QByteArray ini = R"([server]
listen = 0.0.0.0:9090
internal_listen = 127.0.0.1:9091
node_id =                      ; default: hostname + pid
max_message_bytes = 1000       ; serialized `content` limit
heartbeat = 250ms
[postgres]
url = postgresql://confab:secret@127.0.0.1:5432/confab
[redis]
url = redis://127.0.0.1:6379/0
[s3]
endpoint = http://127.0.0.1:9000   ; MinIO or any S3 API, path-style
region = us-east-1
bucket = confab
access_key = minioadmin
secret_key = minioadmin
[segments]
max_bytes = 1048576
max_age = 30s
accumulate = 2
hot_window = 0
retry_window = 2m
encoding = cbor
[retention]
max_age = 15s
interval = 1h
[limits]                       ; defaults for every app; 0 disables a limit
user_msgs_per_min = 0
slow_client_timeout = 2s
[admin]
token = s3cret
)";
        const auto c = Config::parse(ini, QProcessEnvironment());
        QVERIFY2(c, c ? "" : qPrintable(c.error().message));
        QCOMPARE(c->server.listen.port, 9090);
        QCOMPARE(c->server.nodeId, QString());
        QCOMPARE(c->server.maxMessageBytes, 1000);
        QCOMPARE(c->server.heartbeatMs, 250);
        QCOMPARE(c->s3.endpoint, QStringLiteral("http://127.0.0.1:9000"));
        QCOMPARE(c->retention.maxAgeMs, 15000);
        QCOMPARE(c->segments.hotWindow, 0);
        QCOMPARE(c->segments.accumulate, 2);
        QCOMPARE(c->segments.retryWindowMs, 120000);
        QVERIFY(c->segments.cborRecords);
        QCOMPARE(c->limits.userMsgsPerMin, 0);
        QCOMPARE(c->limits.slowClientTimeoutMs, 2000);
        QCOMPARE(c->admin.token, QStringLiteral("s3cret"));
    }

    void environmentOverrides()
    {
        QProcessEnvironment env;
        env.insert(QStringLiteral("CONFAB_REDIS_URL"), QStringLiteral("redis://10.0.0.1:7000/2"));
        env.insert(QStringLiteral("CONFAB_SERVER_HEARTBEAT"), QStringLiteral("5s"));
        env.insert(QStringLiteral("CONFAB_UNRELATED_THING"), QStringLiteral("ignored"));
        env.insert(QStringLiteral("CONFAB_SERVER_WRITE_COALESCE_ABOVE"), QStringLiteral("0"));
        env.insert(QStringLiteral("CONFAB_SERVER_BATCHED_SENDS"), QStringLiteral("false"));
        const auto c = Config::parse("[redis]\nurl = redis://127.0.0.1:1/0\n", env);
        QVERIFY(c);
        QCOMPARE(c->redis.url, QStringLiteral("redis://10.0.0.1:7000/2"));
        QCOMPARE(c->server.heartbeatMs, 5000);
        QCOMPARE(c->server.writeCoalesceAbovePerS, 0);
        QVERIFY(!c->server.batchedSends);
    }

    void bounds()
    {
        // The defaults of docs/security.md, then every bound set from a file
        const auto d = Config::parse({}, QProcessEnvironment());
        QVERIFY(d);
        QCOMPARE(d->server.headerTimeoutMs, 10000);
        QCOMPARE(d->server.bodyTimeoutMs, 30000);
        QCOMPARE(d->limits.maxConnsPerIp, 1000);
        QCOMPARE(d->limits.perIpExempt, (QStringList{QStringLiteral("127.0.0.0/8"), QStringLiteral("::1/128")}));
        QCOMPARE(d->limits.maxUnauthenticated, 5000);
        QCOMPARE(d->limits.maxSessionsPerKey, 100);
        QCOMPARE(d->limits.typingIntervalMs, 3000);
        QCOMPARE(d->limits.userConvosPerMin, 30);
        QCOMPARE(d->limits.appConvosPerS, 100);
        const auto c = Config::parse("[server]\nheader_timeout = 2s\nbody_timeout = 1m\n"
                                     "[limits]\nmax_conns_per_ip = 7\nper_ip_exempt = 10.0.0.0/8, fd00::/8 ,192.0.2.1\n"
                                     "max_unauthenticated = 9\nmax_sessions_per_key = 3\ntyping_interval = 500ms\n"
                                     "user_convos_per_min = 0\napp_convos_per_s = 4\n",
                                     QProcessEnvironment());
        QVERIFY2(c, c ? "" : qPrintable(c.error().message));
        QCOMPARE(c->server.headerTimeoutMs, 2000);
        QCOMPARE(c->server.bodyTimeoutMs, 60000);
        QCOMPARE(c->limits.maxConnsPerIp, 7);
        QCOMPARE(c->limits.perIpExempt,
                 (QStringList{QStringLiteral("10.0.0.0/8"), QStringLiteral("fd00::/8"), QStringLiteral("192.0.2.1")}));
        QCOMPARE(c->limits.maxUnauthenticated, 9);
        QCOMPARE(c->limits.maxSessionsPerKey, 3);
        QCOMPARE(c->limits.typingIntervalMs, 500);
        QCOMPARE(c->limits.userConvosPerMin, 0);
        QCOMPARE(c->limits.appConvosPerS, 4);
        // "none" clears the exemptions: loopback is counted too
        const auto none = Config::parse("[limits]\nper_ip_exempt = none\n", QProcessEnvironment());
        QVERIFY(none);
        QVERIFY(none->limits.perIpExempt.isEmpty());
    }

    void tls()
    {
        // GIVEN the [tls] sample of PROTOCOL.md section 1, empty: plain HTTP/WS
        const auto plain = Config::parse("[tls]\ncert =\nkey =\ninternal = false\n", QProcessEnvironment());
        QVERIFY2(plain, plain ? "" : qPrintable(plain.error().message));
        QVERIFY(!plain->tls.enabled());
        QVERIFY(!plain->tls.internal);

        // WHEN a pair is named in the file and TLS on the internal listener by the environment
        QProcessEnvironment env;
        env.insert(QStringLiteral("CONFAB_TLS_INTERNAL"), QStringLiteral("true"));
        const auto c = Config::parse("[tls]\ncert = /etc/confab/fullchain.pem\nkey = /etc/confab/privkey.pem\n", env);
        QVERIFY2(c, c ? "" : qPrintable(c.error().message));
        QVERIFY(c->tls.enabled());
        QCOMPARE(c->tls.cert, QStringLiteral("/etc/confab/fullchain.pem"));
        QCOMPARE(c->tls.key, QStringLiteral("/etc/confab/privkey.pem"));
        QVERIFY(c->tls.internal);
    }

    void invalid_data()
    {
        QTest::addColumn<QByteArray>("ini");
        QTest::addColumn<QString>("mentions");
        QTest::addRow("retention over 30d") << QByteArray("[retention]\nmax_age = 31d\n") << QStringLiteral("max_age");
        QTest::addRow("retention exactly 30d is fine, 30d and 1ms is not")
            << QByteArray("[retention]\nmax_age = 2592000001ms\n") << QStringLiteral("max_age");
        QTest::addRow("retries past two minutes") << QByteArray("[segments]\nretry_window = 3m\n") << QStringLiteral("retry_window");
        QTest::addRow("accumulate past 64 max_bytes") << QByteArray("[segments]\naccumulate = 65\n") << QStringLiteral("accumulate");
        QTest::addRow("accumulate 0") << QByteArray("[segments]\naccumulate = 0\n") << QStringLiteral("accumulate");
        QTest::addRow("unknown record encoding") << QByteArray("[segments]\nencoding = xml\n") << QStringLiteral("json or cbor");
        QTest::addRow("duration without unit") << QByteArray("[server]\nheartbeat = 25\n") << QStringLiteral("unit");
        QTest::addRow("unknown key") << QByteArray("[server]\nlisten_port = 1\n") << QStringLiteral("unknown key");
        QTest::addRow("bad port") << QByteArray("[server]\nlisten = 0.0.0.0:99999\n") << QStringLiteral("port");
        QTest::addRow("no port") << QByteArray("[server]\nlisten = localhost\n") << QStringLiteral("host:port");
        QTest::addRow("bad number") << QByteArray("[limits]\nmax_conns = lots\n") << QStringLiteral("whole number");
        QTest::addRow("bad redis url") << QByteArray("[redis]\nurl = http://x\n") << QStringLiteral("redis://");
        QTest::addRow("no equals") << QByteArray("[server]\nlisten\n") << QStringLiteral("key = value");
        QTest::addRow("open section") << QByteArray("[server\n") << QStringLiteral("section");
        QTest::addRow("origin with a path") << QByteArray("[server]\ncors_origins = https://a.example/app\n") << QStringLiteral("not an origin");
        QTest::addRow("origin with a trailing slash") << QByteArray("[server]\ncors_origins = https://a.example/\n") << QStringLiteral("not an origin");
        QTest::addRow("origin without scheme") << QByteArray("[server]\ncors_origins = a.example\n") << QStringLiteral("not an origin");
        QTest::addRow("star among origins") << QByteArray("[server]\ncors_origins = *, https://a.example\n") << QStringLiteral("alone");
        QTest::addRow("exempt not an address") << QByteArray("[limits]\nper_ip_exempt = proxy.local\n") << QStringLiteral("per_ip_exempt");
        QTest::addRow("exempt prefix too long") << QByteArray("[limits]\nper_ip_exempt = 10.0.0.0/33\n") << QStringLiteral("10.0.0.0/33");
        QTest::addRow("header timeout without unit") << QByteArray("[server]\nheader_timeout = 10\n") << QStringLiteral("unit");
        QTest::addRow("header timeout too long") << QByteArray("[server]\nheader_timeout = 1h\n") << QStringLiteral("header_timeout");
        QTest::addRow("tls cert without key") << QByteArray("[tls]\ncert = /etc/confab/cert.pem\n") << QStringLiteral("[tls] cert and key");
        QTest::addRow("tls key without cert") << QByteArray("[tls]\nkey = /etc/confab/key.pem\n") << QStringLiteral("[tls] cert and key");
        QTest::addRow("tls internal without a pair") << QByteArray("[tls]\ninternal = true\n") << QStringLiteral("internal");
        QTest::addRow("tls internal not a bool") << QByteArray("[tls]\ncert = c\nkey = k\ninternal = sometimes\n") << QStringLiteral("true or false");
        QTest::addRow("tls unknown key") << QByteArray("[tls]\nciphers = all\n") << QStringLiteral("unknown key");
        QTest::addRow("cluster node without port") << QByteArray("[redis]\ncluster_nodes = r1:7000,r2\n") << QStringLiteral("host:port");
        QTest::addRow("cluster list with a hole") << QByteArray("[redis]\ncluster_nodes = r1:7000,,r2:7000\n") << QStringLiteral("empty entry");
        QTest::addRow("cluster and sentinels") << QByteArray("[redis]\ncluster_nodes = r1:7000\nsentinels = s1:26379\nmaster_name = m\n") << QStringLiteral("exclude");
        QTest::addRow("sentinels without master name") << QByteArray("[redis]\nsentinels = s1:26379\n") << QStringLiteral("master_name");
        QTest::addRow("master name without sentinels") << QByteArray("[redis]\nmaster_name = m\n") << QStringLiteral("master_name");
        QTest::addRow("min replicas negative") << QByteArray("[redis]\nmin_replicas = -1\n") << QStringLiteral("min_replicas");
        QTest::addRow("replica wait not shorter than commands") << QByteArray("[redis]\nmin_replicas = 1\nreplica_timeout = 5s\n") << QStringLiteral("replica_timeout must be shorter");
        QTest::addRow("hard below soft") << QByteArray("[limits]\nclient_buffer_soft = 4096\nclient_buffer_hard = 2048\n") << QStringLiteral("client_buffer_hard");
    }
    void invalid()
    {
        QFETCH(QByteArray, ini);
        QFETCH(QString, mentions);
        const auto c = Config::parse(ini, QProcessEnvironment());
        QVERIFY(!c);
        QVERIFY2(c.error().message.contains(mentions), qPrintable(c.error().message));
        QVERIFY(!c.error().message.contains(u'\n'));
    }

    void redisTopologies()
    {
        const auto c = Config::parse("[redis]\ncluster_nodes = r1:7000, [::1]:7001\n", QProcessEnvironment());
        QVERIFY(c);
        QCOMPARE(c->redis.clusterNodes.size(), 2);
        QCOMPARE(c->redis.clusterNodes[1].host, QStringLiteral("::1"));
        QCOMPARE(c->redis.clusterNodes[1].port, quint16(7001));
        const auto s = Config::parse("[redis]\nsentinels = s1:26379,s2:26380\nmaster_name = confab\n", QProcessEnvironment());
        QVERIFY(s);
        QCOMPARE(s->redis.sentinels.size(), 2);
        QCOMPARE(s->redis.masterName, QStringLiteral("confab"));
        QCOMPARE(s->redis.minReplicas, 0);
        const auto w = Config::parse("[redis]\nmin_replicas = 1\nreplica_timeout = 250ms\n", QProcessEnvironment());
        QVERIFY2(w, w ? "" : qPrintable(w.error().message));
        QCOMPARE(w->redis.minReplicas, 1);
        QCOMPARE(w->redis.replicaTimeoutMs, 250);
    }

    void corsOrigins()
    {
        auto c = Config::parse({}, QProcessEnvironment());
        QVERIFY(c);
        QVERIFY(c->server.corsOrigins.isEmpty()); // default: no origin
        c = Config::parse("[server]\ncors_origins = https://App.example.com, http://localhost:3000,http://[::1]:8000\n",
                          QProcessEnvironment());
        QVERIFY2(c, c ? "" : qPrintable(c.error().message));
        QCOMPARE(c->server.corsOrigins, (QStringList{QStringLiteral("https://app.example.com"),
                                                     QStringLiteral("http://localhost:3000"),
                                                     QStringLiteral("http://[::1]:8000")}));
        QProcessEnvironment env;
        env.insert(QStringLiteral("CONFAB_SERVER_CORS_ORIGINS"), QStringLiteral("*"));
        c = Config::parse({}, env);
        QVERIFY(c);
        QCOMPARE(c->server.corsOrigins, QStringList{QStringLiteral("*")});
    }

    void invalidEnvironment()
    {
        QProcessEnvironment env;
        env.insert(QStringLiteral("CONFAB_RETENTION_MAX_AGE"), QStringLiteral("60d"));
        const auto c = Config::parse({}, env);
        QVERIFY(!c);
        QVERIFY(c.error().message.contains(QStringLiteral("CONFAB_RETENTION_MAX_AGE")));
    }
};

QTEST_APPLESS_MAIN(TestConfig)
#include "tst_config.moc"

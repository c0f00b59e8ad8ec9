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
        const auto c = Config::parse("[redis]\nurl = redis://127.0.0.1:1/0\n", env);
        QVERIFY(c);
        QCOMPARE(c->redis.url, QStringLiteral("redis://10.0.0.1:7000/2"));
        QCOMPARE(c->server.heartbeatMs, 5000);
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
        QTest::addRow("unknown record encoding") << QByteArray("[segments]\nencoding = xml\n") << QStringLiteral("json or cbor");
        QTest::addRow("duration without unit") << QByteArray("[server]\nheartbeat = 25\n") << QStringLiteral("unit");
        QTest::addRow("unknown key") << QByteArray("[server]\nlisten_port = 1\n") << QStringLiteral("unknown key");
        QTest::addRow("bad port") << QByteArray("[server]\nlisten = 0.0.0.0:99999\n") << QStringLiteral("port");
        QTest::addRow("no port") << QByteArray("[server]\nlisten = localhost\n") << QStringLiteral("host:port");
        QTest::addRow("bad number") << QByteArray("[limits]\nmax_conns = lots\n") << QStringLiteral("whole number");
        QTest::addRow("bad redis url") << QByteArray("[redis]\nurl = http://x\n") << QStringLiteral("redis://");
        QTest::addRow("no equals") << QByteArray("[server]\nlisten\n") << QStringLiteral("key = value");
        QTest::addRow("open section") << QByteArray("[server\n") << QStringLiteral("section");
        QTest::addRow("tls cert without key") << QByteArray("[tls]\ncert = /etc/confab/cert.pem\n") << QStringLiteral("[tls] cert and key");
        QTest::addRow("tls key without cert") << QByteArray("[tls]\nkey = /etc/confab/key.pem\n") << QStringLiteral("[tls] cert and key");
        QTest::addRow("tls internal without a pair") << QByteArray("[tls]\ninternal = true\n") << QStringLiteral("internal");
        QTest::addRow("tls internal not a bool") << QByteArray("[tls]\ncert = c\nkey = k\ninternal = sometimes\n") << QStringLiteral("true or false");
        QTest::addRow("tls unknown key") << QByteArray("[tls]\nciphers = all\n") << QStringLiteral("unknown key");
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

#include "redis/options.h"

#include <QProcessEnvironment>
#include <QTest>

using confab::ErrorCode;
using confab::redis::Options;

class TestRedisOptions : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parses_data();
    void parses();
    void rejects_data();
    void rejects();
    void errorsNeverQuoteThePassword();
    void endpointHasNoCredentials();
    void clusterFromConfig();
    void writeHoldFromConfig();
    void unixSocket_data();
    void unixSocket();
};

void TestRedisOptions::parses_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<int>("db");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");

    QTest::addRow("defaults") << "redis://127.0.0.1"
                              << "127.0.0.1" << 6379 << 0 << ""
                              << "";
    QTest::addRow("trailing slash") << "redis://127.0.0.1/"
                                    << "127.0.0.1" << 6379 << 0 << ""
                                    << "";
    QTest::addRow("port and db") << "redis://localhost:6380/3"
                                 << "localhost" << 6380 << 3 << ""
                                 << "";
    QTest::addRow("password only") << "redis://:s3cret@cache.internal:1234/2"
                                   << "cache.internal" << 1234 << 2 << ""
                                   << "s3cret";
    QTest::addRow("user and encoded password") << "redis://alice:p%40ss%3Aw0rd@host/15"
                                               << "host" << 6379 << 15 << "alice"
                                               << "p@ss:w0rd";
    QTest::addRow("ipv6") << "redis://[::1]:7000"
                          << "::1" << 7000 << 0 << ""
                          << "";
}

void TestRedisOptions::parses()
{
    QFETCH(QString, url);
    // WHEN
    const auto o = Options::fromUrl(url);
    // THEN
    QVERIFY2(o.has_value(), qPrintable(o ? QString() : o.error().message));
    QCOMPARE(o->url, url);
    QTEST(o->host, "host");
    QTEST(int(o->port), "port");
    QTEST(o->db, "db");
    QTEST(o->user, "user");
    QTEST(o->password, "password");
    QCOMPARE(o->commandTimeoutMs, 5000);
    QCOMPARE(o->reconnectMinMs, 100);
    QCOMPARE(o->reconnectMaxMs, 5000);
}

void TestRedisOptions::rejects_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("why");

    QTest::addRow("empty") << ""
                           << "empty";
    QTest::addRow("not a url") << "just words"
                               << "valid URL";
    QTest::addRow("http") << "http://host:6379"
                          << "scheme";
    QTest::addRow("tls") << "rediss://host:6379"
                         << "TLS";
    QTest::addRow("no host") << "redis://"
                             << "host";
    QTest::addRow("port zero") << "redis://host:0"
                               << "port";
    QTest::addRow("port too big") << "redis://host:70000"
                                  << "valid";
    QTest::addRow("db not a number") << "redis://host/cache"
                                     << "database";
    QTest::addRow("negative db") << "redis://host/-1"
                                 << "database";
    QTest::addRow("user without password") << "redis://alice@host"
                                           << "password";
    QTest::addRow("query") << "redis://host/0?timeout=1"
                           << "query";
    QTest::addRow("other scheme names both") << "tcp://host"
                                             << "redis:// or unix://";
    QTest::addRow("unix: host") << "unix://host/tmp/r.sock"
        << "no host";
    QTest::addRow("unix: credentials before the path") << "unix://:pw@/tmp/r.sock"
        << "no host";
    QTest::addRow("unix: no path") << "unix://"
        << "absolute";
    QTest::addRow("unix: relative path") << "unix:r.sock"
        << "absolute";
    QTest::addRow("unix: bad db") << "unix:///tmp/r.sock?db=two"
        << "database";
    QTest::addRow("unix: unknown key") << "unix:///tmp/r.sock?timeout=1"
        << "query key";
    QTest::addRow("unix: user without password") << "unix:///tmp/r.sock?user=alice"
        << "password";
    QTest::addRow("unix: path too long") << QStringLiteral("unix:///") + QString(120, QLatin1Char('x'))
        << "107 bytes";
}

void TestRedisOptions::rejects()
{
    QFETCH(QString, url);
    QFETCH(QString, why);
    const auto o = Options::fromUrl(url);
    QVERIFY(!o.has_value());
    QCOMPARE(o.error().code, ErrorCode::BadRequest);
    QVERIFY2(o.error().message.contains(why), qPrintable(o.error().message));
}

void TestRedisOptions::errorsNeverQuoteThePassword()
{
    for (const char *url : { "redis://:hunter2@host/notadb", "unix:///tmp/r.sock?password=hunter2&db=x",
             "unix:///tmp/r.sock?hunter2" }) {
        const auto o = Options::fromUrl(QString::fromLatin1(url));
        QVERIFY(!o.has_value());
        QVERIFY2(!o.error().message.contains(QLatin1String("hunter2")), url);
    }
}

void TestRedisOptions::endpointHasNoCredentials()
{
    const auto o = Options::fromUrl(QStringLiteral("redis://bob:hunter2@10.0.0.5:6390/4"));
    QVERIFY(o.has_value());
    QCOMPARE(o->endpoint(), QStringLiteral("10.0.0.5:6390/4"));
}

void TestRedisOptions::clusterFromConfig()
{
    // GIVEN [redis] cluster_nodes THEN it is accepted, url giving the credentials
    auto config = confab::Config::parse(
        "[redis]\nurl = redis://:pw@127.0.0.1/0\ncluster_nodes = r1:7000,r2:7001\n",
        QProcessEnvironment());
    QVERIFY(config);
    const auto o = Options::fromConfig(*config);
    QVERIFY(o);
    QVERIFY(o->isCluster());
    QCOMPARE(o->clusterNodes.size(), 2);
    QCOMPARE(o->password, QStringLiteral("pw"));
    // WHEN the url names another database THEN it is refused: a cluster has only database 0
    config = confab::Config::parse(
        "[redis]\nurl = redis://127.0.0.1/2\ncluster_nodes = r1:7000\n", QProcessEnvironment());
    QVERIFY(config);
    const auto refused = Options::fromConfig(*config);
    QVERIFY(!refused);
    QVERIFY(refused.error().message.contains(QLatin1String("database 0")));
    // AND a socket URL names one Redis: refused with cluster nodes
    config = confab::Config::parse(
        "[redis]\nurl = unix:///tmp/r.sock\ncluster_nodes = r1:7000\n", QProcessEnvironment());
    QVERIFY(config);
    const auto socket = Options::fromConfig(*config);
    QVERIFY(!socket);
    QVERIFY2(socket.error().message.contains(QLatin1String("unix://")), qPrintable(socket.error().message));
}

void TestRedisOptions::writeHoldFromConfig()
{
    // GIVEN no [redis] write_hold THEN the defaults (docs/redis.md, "Writes held under load")
    auto config
        = confab::Config::parse("[redis]\nurl = redis://127.0.0.1/0\n", QProcessEnvironment());
    QVERIFY(config);
    auto o = Options::fromConfig(*config);
    QVERIFY(o);
    QCOMPARE(o->writeHoldMs, qint64(1));
    QCOMPARE(o->writeHoldAbovePerS, qint64(1500));
    // WHEN both are set THEN they reach the options
    config = confab::Config::parse(
        "[redis]\nwrite_hold = 5ms\nwrite_hold_above = 0\n", QProcessEnvironment());
    QVERIFY(config);
    o = Options::fromConfig(*config);
    QVERIFY(o);
    QCOMPARE(o->writeHoldMs, qint64(5));
    QCOMPARE(o->writeHoldAbovePerS, qint64(0));
    // WHEN the hold is as long as the command timeout THEN it is refused
    config = confab::Config::parse(
        "[redis]\nwrite_hold = 10ms\ncommand_timeout = 10ms\n", QProcessEnvironment());
    QVERIFY(config);
    const auto refused = Options::fromConfig(*config);
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.contains(QLatin1String("write_hold")),
        qPrintable(refused.error().message));
    // AND more than 20 ms is not a hold
    QVERIFY(!confab::Config::parse("[redis]\nwrite_hold = 21ms\n", QProcessEnvironment()));
}

void TestRedisOptions::unixSocket_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("db");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");

    QTest::addRow("path only") << "unix:///run/redis/redis-server.sock"
                               << "/run/redis/redis-server.sock" << 0 << "" << "";
    QTest::addRow("database") << "unix:///tmp/r.sock?db=4"
                              << "/tmp/r.sock" << 4 << "" << "";
    QTest::addRow("password") << "unix:///tmp/r.sock?db=1&password=s%26cret"
                              << "/tmp/r.sock" << 1 << "" << "s&cret";
    QTest::addRow("user and password") << "unix:///tmp/r.sock?user=alice&password=pw"
                                       << "/tmp/r.sock" << 0 << "alice" << "pw";
    QTest::addRow("encoded path") << "unix:///var/run/my%20redis/r.sock"
                                  << "/var/run/my redis/r.sock" << 0 << "" << "";
}

void TestRedisOptions::unixSocket()
{
    QFETCH(QString, url);
    const auto o = Options::fromUrl(url);
    QVERIFY2(o.has_value(), qPrintable(o ? QString() : o.error().message));
    QTEST(o->socketPath, "path");
    QTEST(o->db, "db");
    QTEST(o->user, "user");
    QTEST(o->password, "password");
    QVERIFY(o->host.isEmpty());
    QCOMPARE(o->endpoint(), QStringLiteral("unix:%1/%2").arg(o->socketPath).arg(o->db));
    if (!o->password.isEmpty())
        QVERIFY(!o->endpoint().contains(o->password));
}

QTEST_GUILESS_MAIN(TestRedisOptions)
#include "tst_redisoptions.moc"

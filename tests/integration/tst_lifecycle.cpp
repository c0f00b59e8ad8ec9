// confabd's process contract (PROTOCOL.md section 1 and 5): start-up failures are one line and
// non-zero; SIGTERM closes clients with 1001 and exits 0; migrate is idempotent.
#include "harness.h"

#include <QProcess>
#include <QTest>

using namespace confab::test;

namespace {

struct Run {
    int exitCode = -1;
    QByteArray err;
};

// The last line of stderr: log lines may come before it, the reason is that one line.
QByteArray reasonLine(const QByteArray &err)
{
    const QList<QByteArray> lines = err.trimmed().split('\n');
    return lines.isEmpty() ? QByteArray() : lines.last();
}

Run runConfabd(const QStringList &args, const QHash<QString, QString> &env, int timeoutMs = 20000)
{
    QProcess p;
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    for (auto it = env.cbegin(); it != env.cend(); ++it)
        e.insert(it.key(), it.value());
    p.setProcessEnvironment(e);
    p.start(qEnvironmentVariable("CONFAB_BIN_DIR") + QStringLiteral("/server/confabd"), args);
    p.waitForFinished(timeoutMs);
    return Run{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardError()};
}

} // namespace

class TestLifecycle : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void invalidConfigIsOneLine_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("mentions");
        QTest::addRow("retention over 30d") << QStringLiteral("CONFAB_RETENTION_MAX_AGE") << QStringLiteral("31d") << QStringLiteral("CONFAB_RETENTION_MAX_AGE");
        QTest::addRow("duration without unit") << QStringLiteral("CONFAB_SERVER_HEARTBEAT") << QStringLiteral("25") << QStringLiteral("unit");
        QTest::addRow("bad listen") << QStringLiteral("CONFAB_SERVER_LISTEN") << QStringLiteral("nowhere") << QStringLiteral("host:port");
    }
    void invalidConfigIsOneLine()
    {
        QFETCH(QString, key);
        QFETCH(QString, value);
        QFETCH(QString, mentions);
        const Run r = runConfabd({QStringLiteral("serve")}, {{key, value}});
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(r.err.count('\n'), 1);   // nothing else was logged before config failed
        QVERIFY2(r.err.startsWith("confabd: ") && r.err.contains(mentions.toUtf8()), r.err.constData());
    }

    void unreachableDependencyFailsStartup()
    {
        TestEnv env;
        const QString db = env.createDatabase();
        const RefusingPort noRedis, noPostgres;
        QVERIFY(noRedis.port() && noPostgres.port());
        const Run r = runConfabd({QStringLiteral("serve")},
                                 {{QStringLiteral("CONFAB_POSTGRES_URL"), db},
                                  {QStringLiteral("CONFAB_REDIS_URL"), QStringLiteral("redis://127.0.0.1:%1/0").arg(noRedis.port())},
                                  {QStringLiteral("CONFAB_SERVER_LISTEN"), QStringLiteral("127.0.0.1:%1").arg(freePort())},
                                  {QStringLiteral("CONFAB_SERVER_INTERNAL_LISTEN"), QStringLiteral("127.0.0.1:%1").arg(freePort())}});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(reasonLine(r.err).startsWith("confabd: Redis at"), r.err.constData());
        const Run pg = runConfabd({QStringLiteral("migrate")},
                                  {{QStringLiteral("CONFAB_POSTGRES_URL"), QStringLiteral("postgresql://postgres@127.0.0.1:%1/x").arg(noPostgres.port())}});
        QCOMPARE(pg.exitCode, 1);
        QVERIFY2(reasonLine(pg.err).startsWith("confabd: connecting to PostgreSQL"), pg.err.constData());
    }

    void migrateIsIdempotent()
    {
        TestEnv env;
        const QString db = env.createDatabase();
        const QHash<QString, QString> e{{QStringLiteral("CONFAB_POSTGRES_URL"), db}};
        QCOMPARE(runConfabd({QStringLiteral("migrate")}, e).exitCode, 0);
        QCOMPARE(runConfabd({QStringLiteral("migrate")}, e).exitCode, 0);
        QVERIFY(psql(db, QStringLiteral("SELECT count(*) FROM schema_migrations")).toInt() >= 1);
    }

    void sigtermClosesClientsAndExitsZero()
    {
        Cluster cluster;
        QCOMPARE(cluster.startNode(), 0);
        const QByteArray key = cluster.createApp().second;
        WsClient c;
        QVERIFY(c.connectAndAuth(cluster.ws(), cluster.userToken(key, QStringLiteral("u"))));
        cluster.node().process().terminate();
        QVERIFY(c.waitClosed(20000));
        QCOMPARE(c.closeCode(), 1001);
        QVERIFY(cluster.node().process().waitForFinished(20000));
        QCOMPARE(cluster.node().process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(cluster.node().process().exitCode(), 0);
    }
};

QTEST_MAIN(TestLifecycle)
#include "tst_lifecycle.moc"

// confabd under a Type=notify unit: what it sends to NOTIFY_SOCKET (a datagram socket the test
// binds, as systemd does). READY=1 only once the node serves, WATCHDOG=1 from the event loop,
// STOPPING=1 on drain, never READY=1 from a node that cannot start; SIGHUP (ExecReload) leaves
// the node running.
#include "harness.h"

#include "confab/version.h"

#include <QFile>
#include <QSocketNotifier>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace confab::test;

namespace
{

// The manager's end of the notify protocol: one datagram per sd_notify call.
class NotifySocket : public QObject
{
public:
    bool bind()
    {
        m_path = m_dir.filePath(QStringLiteral("notify"));
        m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        sockaddr_un addr = {};
        addr.sun_family = AF_UNIX;
        const QByteArray p = QFile::encodeName(m_path);
        if (m_fd < 0 || size_t(p.size()) >= sizeof addr.sun_path)
            return false;
        std::memcpy(addr.sun_path, p.constData(), p.size());
        if (::bind(m_fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0)
            return false;
        m_notifier = std::make_unique<QSocketNotifier>(m_fd, QSocketNotifier::Read);
        connect(m_notifier.get(), &QSocketNotifier::activated, this, [this] {
            char buf[4096];
            ssize_t n;
            while ((n = ::recv(m_fd, buf, sizeof buf, 0)) > 0)
                m_messages.append(QByteArray(buf, int(n)));
        });
        return true;
    }
    ~NotifySocket() override
    {
        m_notifier.reset();
        if (m_fd >= 0)
            ::close(m_fd);
    }
    [[nodiscard]] QString path() const { return m_path; }
    [[nodiscard]] const QList<QByteArray> &messages() const { return m_messages; }
    [[nodiscard]] int indexOf(const QByteArray &assignment) const
    {
        for (int i = 0; i < m_messages.size(); ++i) {
            if (m_messages[i].split('\n').contains(assignment))
                return i;
        }
        return -1;
    }
    [[nodiscard]] int count(const QByteArray &assignment) const
    {
        int n = 0;
        for (const QByteArray &m : m_messages)
            n += m.split('\n').contains(assignment) ? 1 : 0;
        return n;
    }
    [[nodiscard]] QByteArray dump() const { return m_messages.join(" | "); }

private:
    QTemporaryDir m_dir;
    QString m_path;
    int m_fd = -1;
    std::unique_ptr<QSocketNotifier> m_notifier;
    QList<QByteArray> m_messages;
};

} // namespace

class tst_ServiceNotify : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readyWatchdogStopping()
    {
        NotifySocket manager;
        QVERIFY(manager.bind());
        Cluster cluster;
        // GIVEN a node started as systemd would with WatchdogSec=1s
        const int node = cluster.startNode({ { QStringLiteral("NOTIFY_SOCKET"), manager.path() },
            { QStringLiteral("WATCHDOG_USEC"), QStringLiteral("1000000") } });
        QVERIFY(node >= 0);
        // THEN READY=1 came once, after the migration and recovery, naming the listener
        QTRY_VERIFY2(manager.indexOf("READY=1") >= 0, manager.dump().constData());
        QCOMPARE(manager.count("READY=1"), 1);
        const int migrating = manager.indexOf("STATUS=migrating the database schema");
        const int recovering
            = manager.indexOf("STATUS=recovering the Redis tail from the segment index");
        const int ready = manager.indexOf("READY=1");
        QVERIFY2(migrating >= 0 && migrating < recovering && recovering < ready,
            manager.dump().constData());
        QVERIFY2(manager.messages()[ready].contains("STATUS=serving on 127.0.0.1:"
                     + QByteArray::number(cluster.node().publicPort())),
            manager.messages()[ready].constData());
        // AND the event loop pings the watchdog at half the interval
        QTRY_VERIFY_WITH_TIMEOUT(manager.count("WATCHDOG=1") >= 3, 5000);

        // WHEN systemctl reload sends SIGHUP, the node keeps serving
        const qint64 pid = cluster.node().process().processId();
        QCOMPARE(::kill(pid_t(pid), SIGHUP), 0);
        QByteArray log; // output() hands out what arrived since the last call
        QTRY_VERIFY2(
            (log += cluster.node().output()).contains("SIGHUP"), log.right(2000).constData());
        QCOMPARE(cluster.node().process().state(), QProcess::Running);
        const HttpResult health
            = cluster.rest.call("GET", cluster.admin() + QStringLiteral("/healthz"), QByteArray());
        QCOMPARE(health.status, 200);
        // /healthz names the build, as `confabd --version` and the package do
        QCOMPARE(health.json.value(QLatin1String("version")).toString(),
            QString::fromLatin1(confab::version()));
        QCOMPARE(health.json.value(QLatin1String("commit")).toString(),
            QString::fromLatin1(confab::commit()));

        // WHEN it is stopped, it says so before it drains
        cluster.node().terminate();
        QTRY_VERIFY2(manager.indexOf("STOPPING=1") > ready, manager.dump().constData());
        QCOMPARE(cluster.node().process().exitCode(), 0);
    }

    void noReadyWhenStartFails()
    {
        NotifySocket manager;
        QVERIFY(manager.bind());
        Cluster cluster;
        // GIVEN a node whose Redis is not there
        QHash<QString, QString> env = cluster.environment();
        const RefusingPort noRedis;
        QVERIFY(noRedis.port());
        env.insert(QStringLiteral("CONFAB_REDIS_URL"),
            QStringLiteral("redis://127.0.0.1:%1/0").arg(noRedis.port()));
        env.insert(QStringLiteral("NOTIFY_SOCKET"), manager.path());
        ConfabProcess node(env);
        // THEN it exits with its one-line reason and never said READY=1
        QVERIFY(!node.start(30000));
        node.process().waitForFinished(30000);
        QVERIFY(node.process().exitCode() != 0);
        QTRY_VERIFY2(manager.indexOf("STATUS=migrating the database schema") >= 0,
            manager.dump().constData());
        QCOMPARE(manager.indexOf("READY=1"), -1);
        const QByteArray log = node.output();
        QVERIFY2(log.contains("confabd: "), log.constData());
    }
};

QTEST_GUILESS_MAIN(tst_ServiceNotify)
#include "tst_servicenotify.moc"

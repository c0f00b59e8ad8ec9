#include "support/rediscluster.h"

#include "support/testenv.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QTest>

namespace confab::test
{

RedisCluster::RedisCluster(int masters)
    : m_count(masters)
{
}

RedisCluster::~RedisCluster()
{
    for (const auto &proc : std::as_const(m_procs)) {
        if (proc->state() == QProcess::NotRunning)
            continue;
        proc->terminate();
        if (!proc->waitForFinished(5000))
            proc->kill();
        proc->waitForFinished(2000);
    }
}

bool RedisCluster::startServer(quint16 port)
{
    const QString dir = m_dir.filePath(QString::number(port));
    QDir().mkpath(dir);
    // The cluster bus gets a free port of its own: Redis's default, port + 10000, was never
    // checked and may be taken (or, past 55535, not exist). A restart keeps it (nodes.conf).
    quint16 &bus = m_busPorts[port];
    if (bus == 0)
        bus = freePort();
    auto proc = std::make_shared<QProcess>();
    proc->setProcessChannelMode(QProcess::MergedChannels);
    proc->setWorkingDirectory(dir);
    proc->start(QStringLiteral("redis-server"),
        { QStringLiteral("--port"), QString::number(port), QStringLiteral("--bind"),
            QStringLiteral("127.0.0.1"), QStringLiteral("--save"), QString(),
            QStringLiteral("--appendonly"), QStringLiteral("yes"), QStringLiteral("--dir"), dir,
            QStringLiteral("--cluster-enabled"), QStringLiteral("yes"),
            QStringLiteral("--cluster-config-file"), dir + QStringLiteral("/nodes.conf"),
            QStringLiteral("--cluster-port"), QString::number(bus),
            QStringLiteral("--cluster-node-timeout"), QStringLiteral("2000") });
    if (!proc->waitForStarted(5000)) {
        m_why = QStringLiteral("redis-server on port %1 did not start").arg(port);
        return false;
    }
    const qsizetype i = m_ports.indexOf(port);
    if (i >= 0) {
        m_procs[i] = proc;
    } else {
        m_ports.append(port);
        m_procs.append(proc);
    }
    const QDeadlineTimer up(10000);
    while (cli(port, { QStringLiteral("PING") }) != QLatin1String("PONG")) {
        if (proc->state() == QProcess::NotRunning) {
            // Typically a port that freePort() found free was taken before Redis bound it.
            m_why = QStringLiteral("redis-server on port %1 exited: %2")
                        .arg(port)
                        .arg(QString::fromUtf8(proc->readAll()).trimmed());
            return false;
        }
        if (up.hasExpired()) {
            m_why = QStringLiteral("redis-server on port %1 never answered PING").arg(port);
            return false;
        }
        QTest::qWait(50);
    }
    return true;
}

bool RedisCluster::start()
{
    // A fresh port may be taken by another test between freePort() and Redis binding it:
    // such a server is dropped and another port tried.
    for (int i = 0; i < m_count; ++i) {
        int attempts = 1;
        quint16 port = freePort();
        while (!startServer(port)) {
            forget(port);
            if (attempts++ == 3)
                return false;
            port = freePort();
        }
    }
    QStringList create { QStringLiteral("--cluster"), QStringLiteral("create") };
    for (quint16 port : std::as_const(m_ports))
        create.append(QStringLiteral("127.0.0.1:%1").arg(port));
    create << QStringLiteral("--cluster-replicas") << QStringLiteral("0")
           << QStringLiteral("--cluster-yes");
    QProcess cliProc;
    cliProc.setProcessChannelMode(QProcess::MergedChannels);
    cliProc.start(QStringLiteral("redis-cli"), create);
    if (!cliProc.waitForFinished(30000) || cliProc.exitCode() != 0) {
        m_why = QStringLiteral("redis-cli --cluster create failed: %1")
                    .arg(QString::fromUtf8(cliProc.readAll()));
        return false;
    }
    if (!waitForState(20000)) {
        m_why = QStringLiteral("the cluster never reached cluster_state:ok on every node");
        return false;
    }
    return true;
}

bool RedisCluster::waitForState(int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        bool ok = true;
        for (quint16 port : std::as_const(m_ports)) {
            // Every node must also agree that every slot is served: a node that says ok before
            // it heard of the others' slots would answer with a partial CLUSTER SLOTS.
            const QString info = cli(port, { QStringLiteral("CLUSTER"), QStringLiteral("INFO") });
            ok = ok && info.contains(QLatin1String("cluster_state:ok"))
                && info.contains(QLatin1String("cluster_slots_ok:16384"))
                && info.contains(QStringLiteral("cluster_known_nodes:%1").arg(m_count));
        }
        if (ok)
            return true;
        QTest::qWait(100);
    }
    return false;
}

QString RedisCluster::nodesSetting() const
{
    QStringList nodes;
    for (quint16 port : m_ports)
        nodes.append(QStringLiteral("127.0.0.1:%1").arg(port));
    return nodes.join(QLatin1Char(','));
}

QString RedisCluster::cli(quint16 port, const QStringList &args) const
{
    QProcess proc;
    proc.start(QStringLiteral("redis-cli"),
        QStringList { QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
            QString::number(port) }
            + args);
    if (!proc.waitForFinished(10000))
        return QString();
    return QString::fromUtf8(proc.readAllStandardOutput()).trimmed();
}

QString RedisCluster::nodeId(quint16 port) const
{
    return cli(port, { QStringLiteral("CLUSTER"), QStringLiteral("MYID") });
}

quint16 RedisCluster::ownerOf(int slot) const
{
    for (quint16 port : m_ports) {
        // CLUSTER NODES on any node: the line with "myself" on the owner lists the slot range.
        const QString nodes = cli(port, { QStringLiteral("CLUSTER"), QStringLiteral("NODES") });
        for (const QString &line : nodes.split(QLatin1Char('\n'))) {
            if (!line.contains(QLatin1String("myself")))
                continue;
            const QStringList fields = line.split(QLatin1Char(' '), Qt::SkipEmptyParts);
            for (qsizetype i = 8; i < fields.size(); ++i) {
                if (fields.at(i).startsWith(QLatin1Char('[')))
                    continue; // a migration in progress, not ownership
                const QStringList range = fields.at(i).split(QLatin1Char('-'));
                const int from = range.at(0).toInt();
                const int to = range.size() > 1 ? range.at(1).toInt() : from;
                if (slot >= from && slot <= to)
                    return port;
            }
        }
    }
    return 0;
}

bool RedisCluster::migrateSlot(int slot, quint16 to, bool stopAfterMigrating)
{
    const quint16 from = ownerOf(slot);
    if (from == 0 || from == to)
        return false;
    const QString s = QString::number(slot);
    const QString toId = nodeId(to);
    const QString fromId = nodeId(from);
    if (cli(to,
            { QStringLiteral("CLUSTER"), QStringLiteral("SETSLOT"), s, QStringLiteral("IMPORTING"),
                fromId })
            != QLatin1String("OK")
        || cli(from,
               { QStringLiteral("CLUSTER"), QStringLiteral("SETSLOT"), s,
                   QStringLiteral("MIGRATING"), toId })
            != QLatin1String("OK"))
        return false;
    if (stopAfterMigrating)
        return true;
    return finishMigration(slot, to);
}

quint16 RedisCluster::migratingFrom(int slot) const
{
    for (quint16 port : std::as_const(m_ports)) {
        const QString nodes = cli(port, { QStringLiteral("CLUSTER"), QStringLiteral("NODES") });
        if (nodes.contains(QStringLiteral("[%1->-").arg(slot)))
            return port;
    }
    return 0;
}

bool RedisCluster::moveKeys(int slot, quint16 to)
{
    const quint16 from = migratingFrom(slot);
    if (from == 0)
        return false;
    const QString s = QString::number(slot);
    for (;;) {
        const QString keys = cli(from,
            { QStringLiteral("CLUSTER"), QStringLiteral("GETKEYSINSLOT"), s,
                QStringLiteral("100") });
        if (keys.isEmpty())
            return true;
        QStringList migrate { QStringLiteral("MIGRATE"), QStringLiteral("127.0.0.1"),
            QString::number(to), QString(), QStringLiteral("0"), QStringLiteral("5000"),
            QStringLiteral("KEYS") };
        migrate.append(keys.split(QLatin1Char('\n'), Qt::SkipEmptyParts));
        const QString answer = cli(from, migrate);
        if (answer != QLatin1String("OK") && answer != QLatin1String("NOKEY"))
            return false;
    }
}

bool RedisCluster::finishMigration(int slot, quint16 to)
{
    const quint16 from = migratingFrom(slot);
    if (from == 0 || !moveKeys(slot, to))
        return false;
    const QString s = QString::number(slot);
    const QString toId = nodeId(to);
    // The new owner first, so it bumps its epoch and the others learn it from it.
    QList<quint16> order { to, from };
    for (quint16 port : std::as_const(m_ports))
        if (!order.contains(port))
            order.append(port);
    for (quint16 port : order)
        (void)cli(port,
            { QStringLiteral("CLUSTER"), QStringLiteral("SETSLOT"), s, QStringLiteral("NODE"),
                toId });
    return true;
}

bool RedisCluster::restart(quint16 port)
{
    if (!m_ports.contains(port) || !startServer(port))
        return false;
    if (!waitForState(20000)) {
        m_why = QStringLiteral("the cluster never reached cluster_state:ok again");
        return false;
    }
    return true;
}

void RedisCluster::kill(quint16 port)
{
    const qsizetype i = m_ports.indexOf(port);
    if (i < 0)
        return;
    m_procs.at(i)->kill();
    m_procs.at(i)->waitForFinished(5000);
}

void RedisCluster::forget(quint16 port)
{
    kill(port);
    const qsizetype i = m_ports.indexOf(port);
    if (i >= 0) {
        m_ports.removeAt(i);
        m_procs.removeAt(i);
    }
    m_busPorts.remove(port);
}

} // namespace confab::test

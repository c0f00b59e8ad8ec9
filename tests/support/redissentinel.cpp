#include "support/redissentinel.h"

#include "support/testenv.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QTcpSocket>
#include <QTest>

namespace confab::test {

RedisSentinel::RedisSentinel() = default;

RedisSentinel::~RedisSentinel()
{
    for (std::vector<Server> *group : {&m_sentinels, &m_redis}) {
        for (Server &s : *group) {
            if (s.proc && s.proc->state() != QProcess::NotRunning) {
                s.proc->kill();
                s.proc->waitForFinished(5000);
            }
        }
    }
}

bool RedisSentinel::waitListening(quint16 port)
{
    const QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired()) {
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, port);
        if (probe.waitForConnected(100))
            return true;
        QTest::qWait(20);
    }
    return false;
}

bool RedisSentinel::startRedis(Server &s, const QString &name, quint16 masterPort)
{
    s.port = freePort();
    const QString dir = m_dir.filePath(name);
    QDir().mkpath(dir);
    return launchRedis(s, dir, masterPort);
}

bool RedisSentinel::launchRedis(Server &s, const QString &dir, quint16 masterPort)
{
    QStringList args{QStringLiteral("--port"), QString::number(s.port), QStringLiteral("--bind"),
                     QStringLiteral("127.0.0.1"), QStringLiteral("--save"), QString(),
                     QStringLiteral("--appendonly"), QStringLiteral("yes"),
                     QStringLiteral("--appendfsync"), QStringLiteral("always"),
                     QStringLiteral("--dir"), dir};
    if (masterPort != 0)
        args << QStringLiteral("--replicaof") << QStringLiteral("127.0.0.1") << QString::number(masterPort);
    s.proc = std::make_unique<QProcess>();
    s.proc->setProcessChannelMode(QProcess::MergedChannels);
    s.proc->setStandardOutputFile(dir + QStringLiteral("/log"), QIODevice::Append);
    s.proc->start(QStringLiteral("redis-server"), args);
    return s.proc->waitForStarted(5000) && waitListening(s.port);
}

bool RedisSentinel::startSentinel(Server &s, const QString &name, quint16 masterPort)
{
    s.port = freePort();
    const QString dir = m_dir.filePath(name);
    QDir().mkpath(dir);
    // Sentinel rewrites its config file (what it learnt), so each has one of its own.
    QFile conf(dir + QStringLiteral("/sentinel.conf"));
    if (!conf.open(QIODevice::WriteOnly))
        return false;
    const QByteArray m = masterName().toUtf8();
    conf.write("port " + QByteArray::number(s.port) + "\nbind 127.0.0.1\ndir " + dir.toUtf8()
               + "\nsentinel monitor " + m + " 127.0.0.1 " + QByteArray::number(masterPort)
               + " 2\nsentinel down-after-milliseconds " + m + " 1000\nsentinel failover-timeout " + m
               + " 3000\nsentinel parallel-syncs " + m + " 1\n");
    conf.close();
    s.proc = std::make_unique<QProcess>();
    s.proc->setProcessChannelMode(QProcess::MergedChannels);
    s.proc->setStandardOutputFile(dir + QStringLiteral("/log"));
    s.proc->start(QStringLiteral("redis-server"), {conf.fileName(), QStringLiteral("--sentinel")});
    return s.proc->waitForStarted(5000) && waitListening(s.port);
}

bool RedisSentinel::start()
{
    if (!m_dir.isValid())
        return false;
    m_redis.resize(2);
    m_sentinels.resize(3);
    if (!startRedis(m_redis[0], QStringLiteral("r0"), 0) || !startRedis(m_redis[1], QStringLiteral("r1"), m_redis[0].port))
        return false;
    for (size_t i = 0; i < m_sentinels.size(); ++i)
        if (!startSentinel(m_sentinels[i], QStringLiteral("s%1").arg(i), m_redis[0].port))
            return false;
    // Ready once the replica is in sync and every Sentinel sees it (only then can it fail over).
    const QDeadlineTimer deadline(30000);
    while (!deadline.hasExpired()) {
        bool ready = cli(m_redis[1].port, {QStringLiteral("INFO"), QStringLiteral("replication")})
                         .contains("master_link_status:up");
        for (const Server &s : m_sentinels) {
            const QByteArray replicas = cli(s.port, {QStringLiteral("SENTINEL"), QStringLiteral("replicas"), masterName()});
            const QByteArray others = cli(s.port, {QStringLiteral("SENTINEL"), QStringLiteral("sentinels"), masterName()});
            ready = ready && replicas.contains(QByteArray::number(m_redis[1].port)) && others.split('\n').count("name") >= 2;
        }
        if (ready)
            return true;
        QTest::qWait(200);
    }
    qWarning("the Sentinel deployment did not settle in %s", qPrintable(m_dir.path()));
    return false;
}

QString RedisSentinel::sentinels() const
{
    QStringList all;
    for (const Server &s : m_sentinels)
        all << QStringLiteral("127.0.0.1:%1").arg(s.port);
    return all.join(QLatin1Char(','));
}

QString RedisSentinel::url() const
{
    return QStringLiteral("redis://127.0.0.1:%1/0").arg(m_redis.empty() ? 6379 : m_redis[0].port);
}

QByteArray RedisSentinel::cli(quint16 port, const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral("redis-cli"), QStringList{QStringLiteral("-h"), QStringLiteral("127.0.0.1"),
                                                    QStringLiteral("-p"), QString::number(port)} + args);
    if (!p.waitForFinished(5000)) {
        p.kill();
        p.waitForFinished(1000);
        return {};
    }
    return p.readAllStandardOutput().trimmed();
}

quint16 RedisSentinel::masterPort() const
{
    for (const Server &s : m_sentinels) {
        if (!s.proc || s.proc->state() == QProcess::NotRunning)
            continue;
        const QList<QByteArray> lines = cli(s.port, {QStringLiteral("SENTINEL"), QStringLiteral("get-master-addr-by-name"), masterName()}).split('\n');
        if (lines.size() == 2)
            return quint16(lines.at(1).trimmed().toUInt());
    }
    return 0;
}

quint16 RedisSentinel::killMaster()
{
    const quint16 port = masterPort();
    for (Server &s : m_redis) {
        if (s.port == port && s.proc) {
            s.proc->kill(); // SIGKILL: no shutdown, no last write
            s.proc->waitForFinished(5000);
        }
    }
    return port;
}

QByteArray RedisSentinel::failover()
{
    return cli(m_sentinels.front().port, {QStringLiteral("SENTINEL"), QStringLiteral("FAILOVER"), masterName()});
}

bool RedisSentinel::restartKilled()
{
    for (size_t i = 0; i < m_redis.size(); ++i) {
        Server &s = m_redis[i];
        if (s.proc && s.proc->state() == QProcess::NotRunning)
            return launchRedis(s, m_dir.filePath(QStringLiteral("r%1").arg(i)), 0);
    }
    return false;
}

quint16 RedisSentinel::waitForNewMaster(quint16 oldPort, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        quint16 agreed = 0;
        bool all = true;
        for (const Server &s : m_sentinels) {
            const QList<QByteArray> lines = cli(s.port, {QStringLiteral("SENTINEL"), QStringLiteral("get-master-addr-by-name"), masterName()}).split('\n');
            const quint16 port = lines.size() == 2 ? quint16(lines.at(1).trimmed().toUInt()) : 0;
            all = all && port != 0 && port != oldPort && (agreed == 0 || agreed == port);
            agreed = port;
        }
        if (all && cli(agreed, {QStringLiteral("ROLE")}).startsWith("master"))
            return agreed;
        QTest::qWait(100);
    }
    return 0;
}

} // namespace confab::test

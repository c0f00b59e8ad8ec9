#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>
#include <vector>

namespace confab::test {

// A Redis Sentinel deployment of a test's own on free loopback ports: one master and one
// replica (both appendonly yes, appendfsync always) and three Sentinels (quorum 2,
// down-after-milliseconds 1000, failover-timeout 3000), in a temporary directory.
class RedisSentinel
{
public:
    RedisSentinel();
    ~RedisSentinel();
    // Starts everything and waits until every Sentinel names the master and knows the replica.
    bool start();
    [[nodiscard]] static QString masterName() { return QStringLiteral("confab"); }
    // For [redis] sentinels: "127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3".
    [[nodiscard]] QString sentinels() const;
    // For [redis] url (its host and port are not used with sentinels; database 0).
    [[nodiscard]] QString url() const;
    // The master's port as the first Sentinel that answers names it (0: none answers).
    [[nodiscard]] quint16 masterPort() const;
    // SIGKILLs the current master; returns its port.
    quint16 killMaster();
    // SENTINEL FAILOVER on the first Sentinel: the replica is promoted, the old master (alive)
    // becomes its replica. The Sentinel's reply ("OK" when the failover started).
    QByteArray failover();
    // Starts a killed server again on its port and directory (its AOF); the Sentinels make it a
    // replica of the new master. False if none was killed or it did not start.
    bool restartKilled();
    // Waits until every live Sentinel names a master other than oldPort and that server says
    // ROLE master; returns its port (0 on timeout).
    quint16 waitForNewMaster(quint16 oldPort, int timeoutMs = 30000);
    // redis-cli against a port; the reply's text.
    [[nodiscard]] static QByteArray cli(quint16 port, const QStringList &args);

private:
    struct Server {
        quint16 port = 0;
        std::unique_ptr<QProcess> proc;
    };
    bool startRedis(Server &s, const QString &name, quint16 masterPort);
    bool launchRedis(Server &s, const QString &dir, quint16 masterPort);
    bool startSentinel(Server &s, const QString &name, quint16 masterPort);
    static bool waitListening(quint16 port);

    QTemporaryDir m_dir;
    std::vector<Server> m_redis; // [0] the first master, [1] its replica
    std::vector<Server> m_sentinels;
};

} // namespace confab::test

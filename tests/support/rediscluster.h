#pragma once

#include <QHash>
#include <QList>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace confab::test
{

// A Redis Cluster of its own: N masters (no replicas) on free loopback ports in a temporary
// directory, created with redis-cli --cluster create and waited for until every node reports
// cluster_state:ok. The servers stop when it is destroyed.
class RedisCluster
{
public:
    explicit RedisCluster(int masters = 3);
    ~RedisCluster();
    RedisCluster(const RedisCluster &) = delete;
    RedisCluster &operator=(const RedisCluster &) = delete;

    bool start(); // false with why() otherwise
    [[nodiscard]] const QString &why() const { return m_why; }
    [[nodiscard]] const QList<quint16> &ports() const { return m_ports; }
    // "127.0.0.1:p1,127.0.0.1:p2,...": [redis] cluster_nodes.
    [[nodiscard]] QString nodesSetting() const;
    // redis-cli -p port args... (blocking: tests and setup only); its trimmed output, or a null
    // string when it could not run.
    [[nodiscard]] QString cli(quint16 port, const QStringList &args) const;
    // The node id of the server on port (CLUSTER MYID).
    [[nodiscard]] QString nodeId(quint16 port) const;
    // The port of the master that owns slot, or 0.
    [[nodiscard]] quint16 ownerOf(int slot) const;
    // Moves slot from its owner to the master on port `to`, keys included (SETSLOT IMPORTING /
    // MIGRATING, MIGRATE in batches, SETSLOT NODE on every master). With stopAfterMigrating
    // the slot is left half-moved (for ASK); finishMigration() completes it.
    bool migrateSlot(int slot, quint16 to, bool stopAfterMigrating = false);
    bool finishMigration(int slot, quint16 to);
    // The middle of a migration started with stopAfterMigrating: MIGRATE every key of the slot
    // to `to`, leaving ownership with the source (commands on those keys then get ASK).
    bool moveKeys(int slot, quint16 to);
    // SIGKILL of one node: what a crashed host looks like.
    void kill(quint16 port);
    // Starts a killed node again with its data and nodes.conf: it comes back as the master of
    // its slots. Waits for cluster_state:ok everywhere.
    bool restart(quint16 port);

private:
    bool waitForState(int timeoutMs);
    [[nodiscard]] quint16 migratingFrom(int slot) const; // 0: the slot is not migrating
    bool startServer(quint16 port);
    void forget(quint16 port); // a node that never joined: killed, and its ports let go

    int m_count;
    QTemporaryDir m_dir;
    QList<quint16> m_ports;
    QHash<quint16, quint16> m_busPorts; // node port -> its cluster bus port
    QList<std::shared_ptr<QProcess>> m_procs;
    QString m_why;
};

} // namespace confab::test

#pragma once

#include <QString>
#include <QStringList>
#include <QTemporaryDir>

namespace confab::test {

// A PostgreSQL primary and a streaming standby of its own (physical replication, commits
// synchronous to the standby), for failover tests: stopPrimary() and then promoteStandby() is
// what Patroni does when a primary dies. The servers run as the postgres user (runuser), as the
// `services` fixture's does, so the tests that use it run as root.
class PostgresPair
{
public:
    PostgresPair();
    ~PostgresPair();
    PostgresPair(const PostgresPair &) = delete;
    PostgresPair &operator=(const PostgresPair &) = delete;

    // Primary up, standby cloned from it and replicating. False (with why()) otherwise.
    bool start();
    // An immediate stop: what a crash of the primary looks like to its clients.
    bool stopPrimary();
    bool promoteStandby();
    // Both hosts, primary first, with target_session_attrs=read-write: the URL an operator
    // gives confabd in front of a Patroni cluster.
    [[nodiscard]] QString url(const QString &database = QStringLiteral("postgres")) const;
    [[nodiscard]] quint16 primaryPort() const { return m_primaryPort; }
    [[nodiscard]] quint16 standbyPort() const { return m_standbyPort; }
    [[nodiscard]] QString primaryUrl() const;
    [[nodiscard]] QString standbyUrl() const;
    [[nodiscard]] const QString &why() const { return m_why; }

private:
    bool runAsPostgres(const QString &program, const QStringList &args, int timeoutMs = 60000);
    bool startServer(const QString &dataDir, quint16 port, const QStringList &settings);

    QTemporaryDir m_dir;
    QString m_bin;
    quint16 m_primaryPort = 0;
    quint16 m_standbyPort = 0;
    QString m_why;
};

} // namespace confab::test

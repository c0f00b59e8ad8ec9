#include "support/postgrespair.h"

#include "support/testenv.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QVersionNumber>

namespace confab::test {

namespace {

// The newest server binaries Debian installed (/usr/lib/postgresql/<major>/bin).
QString postgresBinDir()
{
    QDir root(QStringLiteral("/usr/lib/postgresql"));
    QString best;
    QVersionNumber bestVersion;
    for (const QString &major : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const QVersionNumber v = QVersionNumber::fromString(major);
        if (QFile::exists(root.filePath(major + QStringLiteral("/bin/pg_ctl"))) && v > bestVersion) {
            bestVersion = v;
            best = root.filePath(major + QStringLiteral("/bin"));
        }
    }
    return best;
}

} // namespace

PostgresPair::PostgresPair() : m_bin(postgresBinDir()) { }

PostgresPair::~PostgresPair()
{
    for (const char *dir : {"standby", "primary"}) {
        if (QFile::exists(m_dir.filePath(QLatin1String(dir) + QStringLiteral("/postmaster.pid"))))
            runAsPostgres(QStringLiteral("pg_ctl"),
                          {QStringLiteral("-D"), m_dir.filePath(QLatin1String(dir)), QStringLiteral("-m"),
                           QStringLiteral("immediate"), QStringLiteral("-w"), QStringLiteral("stop")},
                          30000);
    }
}

bool PostgresPair::runAsPostgres(const QString &program, const QStringList &args, int timeoutMs)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.setWorkingDirectory(QStringLiteral("/"));
    p.start(QStringLiteral("runuser"),
            QStringList{QStringLiteral("-u"), QStringLiteral("postgres"), QStringLiteral("--"),
                        m_bin + QLatin1Char('/') + program}
                + args);
    if (!p.waitForFinished(timeoutMs) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        if (p.state() != QProcess::NotRunning)
            p.kill();
        m_why = QStringLiteral("%1 failed: %2").arg(program, QString::fromLocal8Bit(p.readAll()).trimmed());
        return false;
    }
    return true;
}

bool PostgresPair::startServer(const QString &dataDir, quint16 port, const QStringList &settings)
{
    QString options = QStringLiteral("-p %1 -k %2 -c listen_addresses=127.0.0.1 -c fsync=off")
                          .arg(port)
                          .arg(m_dir.path());
    for (const QString &s : settings)
        options += QStringLiteral(" -c ") + s;
    return runAsPostgres(QStringLiteral("pg_ctl"),
                         {QStringLiteral("-D"), dataDir, QStringLiteral("-l"), dataDir + QStringLiteral(".log"),
                          QStringLiteral("-w"), QStringLiteral("-t"), QStringLiteral("60"), QStringLiteral("-o"),
                          options, QStringLiteral("start")});
}

bool PostgresPair::start()
{
    if (m_bin.isEmpty() || !m_dir.isValid()) {
        m_why = QStringLiteral("no PostgreSQL server binaries under /usr/lib/postgresql");
        return false;
    }
    // The postgres user must reach the directory and own what it writes in it.
    QFile::setPermissions(m_dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                                            | QFileDevice::ReadGroup | QFileDevice::ExeGroup
                                            | QFileDevice::ReadOther | QFileDevice::ExeOther
                                            | QFileDevice::WriteOther);
    m_primaryPort = freePort();
    m_standbyPort = freePort();
    const QString primary = m_dir.filePath(QStringLiteral("primary"));
    const QString standby = m_dir.filePath(QStringLiteral("standby"));
    if (!runAsPostgres(QStringLiteral("initdb"),
                       {QStringLiteral("-D"), primary, QStringLiteral("-U"), QStringLiteral("postgres"),
                        QStringLiteral("-A"), QStringLiteral("trust"), QStringLiteral("-E"), QStringLiteral("UTF8"),
                        QStringLiteral("--locale=C.UTF-8"), QStringLiteral("--no-sync")}))
        return false;
    // Every commit waits for the standby: nothing acknowledged is lost in the failover.
    if (!startServer(primary, m_primaryPort, {QStringLiteral("synchronous_standby_names=*")}))
        return false;
    if (!runAsPostgres(QStringLiteral("pg_basebackup"),
                       {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                        QString::number(m_primaryPort), QStringLiteral("-U"), QStringLiteral("postgres"),
                        QStringLiteral("-D"), standby, QStringLiteral("-R"), QStringLiteral("-X"),
                        QStringLiteral("stream"), QStringLiteral("--no-sync")}))
        return false;
    return startServer(standby, m_standbyPort, {});
}

bool PostgresPair::stopPrimary()
{
    return runAsPostgres(QStringLiteral("pg_ctl"),
                         {QStringLiteral("-D"), m_dir.filePath(QStringLiteral("primary")), QStringLiteral("-m"),
                          QStringLiteral("immediate"), QStringLiteral("-w"), QStringLiteral("stop")});
}

bool PostgresPair::promoteStandby()
{
    return runAsPostgres(QStringLiteral("pg_ctl"),
                         {QStringLiteral("-D"), m_dir.filePath(QStringLiteral("standby")), QStringLiteral("-w"),
                          QStringLiteral("promote")});
}

QString PostgresPair::url(const QString &database) const
{
    return QStringLiteral("postgresql://postgres@127.0.0.1:%1,127.0.0.1:%2/%3?target_session_attrs=read-write")
        .arg(m_primaryPort)
        .arg(m_standbyPort)
        .arg(database);
}

QString PostgresPair::primaryUrl() const
{
    return QStringLiteral("postgresql://postgres@127.0.0.1:%1/postgres").arg(m_primaryPort);
}

QString PostgresPair::standbyUrl() const
{
    return QStringLiteral("postgresql://postgres@127.0.0.1:%1/postgres").arg(m_standbyPort);
}

} // namespace confab::test

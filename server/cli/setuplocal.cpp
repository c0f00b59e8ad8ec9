#include "cli/setuplocal.h"

#include "confab/config.h"
#include "confab/ids.h"
#include "confab/inifile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QSaveFile>
#include <QUrl>

#include <cstdio>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace confab::cli
{

namespace
{

constexpr int kPsqlTimeoutMs = 60000;
// The password the sample config carries until setup-local replaces it.
const QString kPlaceholderPassword = QStringLiteral("secret");

struct PsqlResult {
    bool ok = false;
    QByteArray output;
    QString error;
};

QString firstLine(const QByteArray &text)
{
    const QString t = QString::fromUtf8(text).trimmed();
    return t.section(u'\n', 0, 0).trimmed();
}

PsqlResult finish(QProcess &p, const QByteArray &input)
{
    if (!p.waitForStarted(kPsqlTimeoutMs))
        return { false, {}, QStringLiteral("cannot run %1: %2").arg(p.program(), p.errorString()) };
    p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(kPsqlTimeoutMs)) {
        p.kill();
        p.waitForFinished();
        return { false, {},
            QStringLiteral("psql did not answer within %1 s").arg(kPsqlTimeoutMs / 1000) };
    }
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        QString why = firstLine(p.readAllStandardError());
        return { false, {}, why.isEmpty() ? QStringLiteral("psql failed") : why };
    }
    return { true, p.readAllStandardOutput().trimmed(), {} };
}

// psql as the postgres superuser over the local socket (peer authentication). SQL goes on
// stdin, so a password never shows in a process list.
PsqlResult asPostgres(const QByteArray &sql)
{
    QProcess p;
    p.setWorkingDirectory(QStringLiteral("/"));
    p.start(QStringLiteral("runuser"),
        { QStringLiteral("-u"), QStringLiteral("postgres"), QStringLiteral("--"),
            QStringLiteral("psql"), QStringLiteral("-X"), QStringLiteral("-q"),
            QStringLiteral("-t"), QStringLiteral("-A"), QStringLiteral("-v"),
            QStringLiteral("ON_ERROR_STOP=1"), QStringLiteral("-d"), QStringLiteral("postgres") });
    return finish(p, sql);
}

// Logs in as the service will, over TCP with the password (in the environment, not argv).
PsqlResult loginAs(const QUrl &url)
{
    QProcess p;
    p.setWorkingDirectory(QStringLiteral("/"));
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PGHOST"), url.host());
    env.insert(QStringLiteral("PGPORT"), QString::number(url.port(5432)));
    env.insert(QStringLiteral("PGUSER"), url.userName());
    env.insert(QStringLiteral("PGPASSWORD"), url.password());
    env.insert(QStringLiteral("PGDATABASE"), url.path().mid(1));
    env.insert(QStringLiteral("PGCONNECT_TIMEOUT"), QStringLiteral("5"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral("psql"),
        { QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("-A"),
            QStringLiteral("-c"), QStringLiteral("SELECT 1") });
    return finish(p, {});
}

bool isPlainName(const QString &name)
{
    static const QRegularExpression plain(QStringLiteral("^[a-z_][a-z0-9_]{0,62}$"));
    return plain.match(name).hasMatch();
}

class Setup
{
public:
    explicit Setup(QString path)
        : m_path(std::move(path))
    {
    }
    int run();

private:
    int fail(const QString &why);
    bool ensureDatabase(const QUrl &current, bool configured);
    bool ensureObjectDirectory(const Config &config);
    bool writeConfig();
    bool ensureConfigMode();
    void printSummary() const;

    QString m_path;
    QByteArray m_original;
    QByteArray m_text;
    QString m_adminToken;
    QString m_internalUrl;
    gid_t m_group = 0;
    uid_t m_user = 0;
    QStringList m_changes;
};

int Setup::fail(const QString &why)
{
    std::fprintf(stderr, "confabd setup-local: %s\n", qPrintable(why.simplified()));
    if (!m_changes.isEmpty())
        std::fprintf(stderr, "confabd setup-local: already done: %s\n",
            qPrintable(m_changes.join(QLatin1String("; "))));
    return 1;
}

int Setup::run()
{
    if (::geteuid() != 0)
        return fail(
            QStringLiteral("run it as root: it writes %1 and runs psql as the postgres user")
                .arg(m_path));
    // Nothing this command writes may be readable by others, even for a moment.
    ::umask(027);
    const struct group *grp = ::getgrnam("confab");
    const struct passwd *pwd = ::getpwnam("confab");
    if (!grp || !pwd)
        return fail(
            QStringLiteral("there is no confab user or group: install the confabd package first"));
    m_group = grp->gr_gid;
    m_user = pwd->pw_uid;

    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1: %2").arg(m_path, file.errorString()));
    m_original = file.readAll();
    m_text = m_original;
    // The file alone is set up; CONFAB_* variables of this shell are not the service's.
    const auto config = Config::parse(m_text, QProcessEnvironment());
    if (!config)
        return fail(QStringLiteral("%1: %2 (see `confabd check-config`)")
                        .arg(m_path, config.error().message));

    const QUrl url(config->postgres.url);
    const bool configured = !url.password().isEmpty() && url.password() != kPlaceholderPassword;
    if (!ensureDatabase(url, configured))
        return 1;
    m_adminToken = config->admin.token;
    if (m_adminToken.isEmpty()) {
        m_adminToken = QString::fromLatin1(randomToken(32));
        m_text
            = ini::setValue(m_text, QStringLiteral("admin"), QStringLiteral("token"), m_adminToken);
        m_changes.append(QStringLiteral("generated the admin token"));
    }
    if (!writeConfig() || !ensureConfigMode() || !ensureObjectDirectory(*config))
        return 1;

    const HostPort internal = config->server.internalListen;
    const bool anyAddress
        = internal.host == QLatin1String("0.0.0.0") || internal.host == QLatin1String("::");
    const QString host = anyAddress    ? QStringLiteral("127.0.0.1")
        : internal.host.contains(u':') ? QStringLiteral("[%1]").arg(internal.host)
                                       : internal.host;
    m_internalUrl = QStringLiteral("http://%1:%2").arg(host).arg(internal.port);
    printSummary();
    return 0;
}

bool Setup::ensureDatabase(const QUrl &current, bool configured)
{
    const QString role
        = current.userName().isEmpty() ? QStringLiteral("confab") : current.userName();
    const QString database
        = current.path().mid(1).isEmpty() ? QStringLiteral("confab") : current.path().mid(1);
    if (!isPlainName(role) || !isPlainName(database)) {
        fail(QStringLiteral("[postgres] url: role and database must be plain lower-case names"));
        return false;
    }
    if (configured && loginAs(current).ok)
        return true;

    const PsqlResult hasRole = asPostgres(
        QStringLiteral("SELECT 1 FROM pg_roles WHERE rolname = '%1'").arg(role).toUtf8());
    if (!hasRole.ok) {
        fail(QStringLiteral(
            "cannot reach the local PostgreSQL as the postgres user (%1): is the postgresql "
            "package installed and its cluster running (systemctl status postgresql)?")
                 .arg(hasRole.error));
        return false;
    }
    const QString password = QString::fromLatin1(randomToken(24));
    const bool roleExists = hasRole.output == "1";
    const QString verb = roleExists ? QStringLiteral("ALTER") : QStringLiteral("CREATE");
    if (const PsqlResult r = asPostgres(
            QStringLiteral("%1 ROLE %2 LOGIN PASSWORD '%3'").arg(verb, role, password).toUtf8());
        !r.ok) {
        fail(QStringLiteral("cannot %1 the PostgreSQL role %2: %3")
                 .arg(verb.toLower(), role, r.error));
        return false;
    }
    m_changes.append(roleExists
            ? QStringLiteral("set a new password for the PostgreSQL role %1%2")
                  .arg(role,
                      configured ? QStringLiteral(" (the one in the config did not work)")
                                 : QString())
            : QStringLiteral("created the PostgreSQL role %1").arg(role));

    const PsqlResult hasDb = asPostgres(
        QStringLiteral("SELECT 1 FROM pg_database WHERE datname = '%1'").arg(database).toUtf8());
    if (!hasDb.ok) {
        fail(QStringLiteral("cannot list PostgreSQL databases: %1").arg(hasDb.error));
        return false;
    }
    if (hasDb.output != "1") {
        if (const PsqlResult r = asPostgres(
                QStringLiteral("CREATE DATABASE %1 OWNER %2").arg(database, role).toUtf8());
            !r.ok) {
            fail(QStringLiteral("cannot create the database %1: %2").arg(database, r.error));
            return false;
        }
        m_changes.append(QStringLiteral("created the database %1 owned by %2").arg(database, role));
    }

    // A URL already set up keeps its host and port; the sample's placeholder gets the local server.
    const QString host = configured ? current.host() : QStringLiteral("127.0.0.1");
    const int port = configured                      ? current.port(5432)
        : qEnvironmentVariableIntValue("PGPORT") > 0 ? qEnvironmentVariableIntValue("PGPORT")
                                                     : 5432;
    const QString url = QStringLiteral("postgresql://%1:%2@%3:%4/%5")
                            .arg(role, password, host)
                            .arg(port)
                            .arg(database);
    m_text = ini::setValue(m_text, QStringLiteral("postgres"), QStringLiteral("url"), url);
    m_changes.append(QStringLiteral("wrote the database password into [postgres] url"));
    if (const PsqlResult login = loginAs(QUrl(url)); !login.ok) {
        // Written anyway: the role has this password now; the fix is in pg_hba.conf.
        writeConfig();
        fail(QStringLiteral(
            "PostgreSQL refuses the new password over TCP at %1:%2 (%3): its pg_hba.conf must "
            "allow password (scram-sha-256) logins from 127.0.0.1")
                 .arg(host)
                 .arg(port)
                 .arg(login.error));
        return false;
    }
    return true;
}

bool Setup::writeConfig()
{
    if (m_text == m_original)
        return true;
    QSaveFile out(m_path);
    if (!out.open(QIODevice::WriteOnly) || out.write(m_text) != m_text.size() || !out.commit()) {
        fail(QStringLiteral("cannot write %1: %2").arg(m_path, out.errorString()));
        return false;
    }
    m_original = m_text;
    return true;
}

bool Setup::ensureConfigMode()
{
    struct stat st = {};
    if (::stat(QFile::encodeName(m_path).constData(), &st) != 0) {
        fail(QStringLiteral("cannot stat %1").arg(m_path));
        return false;
    }
    if (st.st_uid == 0 && st.st_gid == m_group && (st.st_mode & 07777) == 0640)
        return true;
    if (::chown(QFile::encodeName(m_path).constData(), 0, m_group) != 0
        || ::chmod(QFile::encodeName(m_path).constData(), 0640) != 0) {
        fail(QStringLiteral("cannot set owner root:confab, mode 0640 on %1").arg(m_path));
        return false;
    }
    m_changes.append(QStringLiteral("set owner root:confab and mode 0640 on %1").arg(m_path));
    return true;
}

bool Setup::ensureObjectDirectory(const Config &config)
{
    const QUrl endpoint(config.s3.endpoint);
    if (endpoint.scheme() != QLatin1String("file"))
        return true;
    const QString dir = endpoint.toLocalFile();
    if (dir.isEmpty() || QFileInfo(dir).isDir())
        return true;
    const QByteArray path = QFile::encodeName(dir);
    if (!QDir().mkpath(dir) || ::chown(path.constData(), m_user, m_group) != 0
        || ::chmod(path.constData(), 0750) != 0) {
        fail(QStringLiteral("cannot create the segment directory %1").arg(dir));
        return false;
    }
    m_changes.append(QStringLiteral("created the segment directory %1").arg(dir));
    return true;
}

void Setup::printSummary() const
{
    if (m_changes.isEmpty()) {
        std::printf("confabd setup-local: nothing to change: PostgreSQL accepts the configured "
                    "login and %s "
                    "has an admin token.\n",
            qPrintable(m_path));
    } else {
        for (const QString &c : m_changes)
            std::printf("confabd setup-local: %s\n", qPrintable(c));
    }
    const QString auth = QStringLiteral("Authorization: Bearer %1").arg(m_adminToken);
    const QString curl = QStringLiteral(
        "app=$(curl -fsS -H '%1' -H 'Content-Type: application/json' -d '{\"name\":\"demo\"}' "
        "%2/admin/apps | sed -E 's/.*\"app_id\":\"([^\"]+)\".*/\\1/') && echo \"app_id: $app\" && "
        "curl -fsS -H '%1' -H 'Content-Type: application/json' -d '{\"label\":\"demo\"}' "
        "%2/admin/apps/$app/keys && echo")
                             .arg(auth, m_internalUrl);
    std::printf(
        "\n"
        "admin token:     %s\n"
        "internal URL:    %s  (/readyz, /metrics, /admin; the console connects to %s/admin/ws)\n"
        "config:          %s\n"
        "\n"
        "Start the service:        systemctl start confabd\n"
        "Check it:                 curl -fsS %s/readyz\n"
        "Create a demo app and key:\n"
        "  %s\n",
        qPrintable(m_adminToken), qPrintable(m_internalUrl),
        qPrintable(
            QString(m_internalUrl).replace(QLatin1String("http://"), QLatin1String("ws://"))),
        qPrintable(m_path), qPrintable(m_internalUrl), qPrintable(curl));
}

} // namespace

int setupLocal(const QString &configPath)
{
    Setup setup(configPath);
    return setup.run();
}

} // namespace confab::cli

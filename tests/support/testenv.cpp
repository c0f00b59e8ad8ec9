#include "support/testenv.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFile>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcessEnvironment>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QUrl>

#include <atomic>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace confab::test {

RefusingPort::RefusingPort()
{
    m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (m_fd >= 0 && ::bind(m_fd, reinterpret_cast<sockaddr *>(&a), len) == 0
        && ::getsockname(m_fd, reinterpret_cast<sockaddr *>(&a), &len) == 0)
        m_port = ntohs(a.sin_port);
}

RefusingPort::~RefusingPort()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

quint16 freePort()
{
    // Below the kernel's ephemeral range (net.ipv4.ip_local_port_range, 32768-60999 by
    // default): a port taken from that range is free only until an outgoing connection of any
    // of the tests running in parallel is given it, which happened between a pick and the
    // confabd that was to listen on it.
    static const int ephemeralLow = [] {
        QFile range(QStringLiteral("/proc/sys/net/ipv4/ip_local_port_range"));
        return range.open(QIODevice::ReadOnly) ? range.readAll().simplified().split(' ').value(0).toInt()
                                               : 32768;
    }();
    const int low = qMax(10000, ephemeralLow - 12000);
    for (int attempt = 0; low < ephemeralLow && attempt < 100; ++attempt) {
        const auto port = quint16(QRandomGenerator::global()->bounded(low, ephemeralLow));
        QTcpServer s;
        if (s.listen(QHostAddress::LocalHost, port))
            return port;
    }
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

TestEnv::TestEnv()
{
    const QString path = qEnvironmentVariable("CONFAB_TEST_ENV");
    QFile f(path);
    if (path.isEmpty() || !f.open(QIODevice::ReadOnly)) {
        qWarning("CONFAB_TEST_ENV (%s) is not readable: run the tests through ctest",
                 qPrintable(path));
        return;
    }
    for (const QByteArray &line : f.readAll().split('\n')) {
        const qsizetype eq = line.indexOf('=');
        if (eq > 0)
            m_vars.insert(QString::fromUtf8(line.left(eq)), QString::fromUtf8(line.mid(eq + 1)));
    }
}

QByteArray psql(const QString &url, const QString &sql)
{
    QProcess p;
    p.start(QStringLiteral("psql"), {QStringLiteral("-qAtX"), QStringLiteral("-v"),
                                     QStringLiteral("ON_ERROR_STOP=1"), url, QStringLiteral("-c"), sql});
    p.waitForFinished(30000);
    if (p.exitCode() != 0)
        qWarning("psql failed: %s", p.readAllStandardError().constData());
    return p.readAllStandardOutput().trimmed();
}

QString TestEnv::createDatabase() const
{
    static std::atomic<int> counter{0};
    const QString name = QStringLiteral("t_%1_%2_%3")
                             .arg(QCoreApplication::applicationName().toLower())
                             .arg(QCoreApplication::applicationPid())
                             .arg(counter++);
    psql(pgAdminUrl(), QStringLiteral("CREATE DATABASE \"%1\"").arg(name));
    QUrl url(pgAdminUrl());
    url.setPath(QLatin1Char('/') + name);
    return url.toString();
}

RedisServer::RedisServer() = default;

QString RedisServer::module()
{
    const QString bin = qEnvironmentVariable("CONFAB_BIN_DIR");
    if (bin.isEmpty() || qEnvironmentVariableIntValue("CONFAB_TEST_REDIS_NO_MODULE"))
        return {};
    return bin + QStringLiteral("/server/redismodule/confab-redis.so");
}

RedisServer::~RedisServer()
{
    stop();
}

bool RedisServer::start()
{
    if (m_port == 0)
        m_port = freePort();
    m_proc = std::make_unique<QProcess>();
    m_proc->setProcessChannelMode(QProcess::MergedChannels);
    QStringList args { QStringLiteral("--port"), QString::number(m_port), QStringLiteral("--bind"),
        QStringLiteral("127.0.0.1"), QStringLiteral("--save"), QString(),
        QStringLiteral("--appendonly"), QStringLiteral("yes"), QStringLiteral("--dir"),
        m_dir.path(), QStringLiteral("--unixsocket"), socketPath(),
        QStringLiteral("--unixsocketperm"), QStringLiteral("700") };
    if (!module().isEmpty())
        args << QStringLiteral("--loadmodule") << module();
    m_proc->start(QStringLiteral("redis-server"), args);
    if (!m_proc->waitForStarted(5000))
        return false;
    const QDeadlineTimer deadline(5000);
    while (!deadline.hasExpired()) {
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, m_port);
        if (probe.waitForConnected(100))
            return true;
        QTest::qWait(20);
    }
    return false;
}

void RedisServer::stop()
{
    if (!m_proc)
        return;
    m_proc->terminate();
    if (!m_proc->waitForFinished(5000))
        m_proc->kill();
    m_proc->waitForFinished(2000);
    m_proc.reset();
}

QString RedisServer::url() const
{
    return QStringLiteral("redis://127.0.0.1:%1/0").arg(m_port);
}

QString RedisServer::socketPath() const
{
    return m_dir.filePath(QStringLiteral("redis.sock"));
}

ConfabProcess::ConfabProcess(QHash<QString, QString> overrides) : m_overrides(std::move(overrides))
{
}

ConfabProcess::~ConfabProcess()
{
    if (m_proc && m_proc->state() != QProcess::NotRunning) {
        m_proc->kill();
        m_proc->waitForFinished(5000);
    }
}

bool ConfabProcess::start(int timeoutMs)
{
    if (m_publicPort != 0)
        return startOnce(timeoutMs); // a restart keeps its ports
    // Ports picked here can still be taken by another test between the pick and confabd's
    // listen: then it exits at once saying so, and gets two other ports.
    for (int attempt = 0;; ++attempt) {
        m_publicPort = freePort();
        m_internalPort = freePort();
        if (startOnce(timeoutMs))
            return true;
        // peek, not read: the caller reports what it said when it gives up.
        if (attempt == 2 || m_proc->state() != QProcess::NotRunning
            || !m_proc->peek(1 << 20).contains("address is already in use"))
            return false;
    }
}

bool ConfabProcess::startOnce(int timeoutMs)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("CONFAB_SERVER_LISTEN"), QStringLiteral("127.0.0.1:%1").arg(m_publicPort));
    env.insert(QStringLiteral("CONFAB_SERVER_INTERNAL_LISTEN"), QStringLiteral("127.0.0.1:%1").arg(m_internalPort));
    for (auto it = m_overrides.cbegin(); it != m_overrides.cend(); ++it)
        env.insert(it.key(), it.value());
    m_proc = std::make_unique<QProcess>();
    m_proc->setProcessEnvironment(env);
    m_proc->setProcessChannelMode(QProcess::MergedChannels);
    const QString bin = qEnvironmentVariable("CONFAB_BIN_DIR") + QStringLiteral("/server/confabd");
    m_proc->start(bin, {QStringLiteral("serve")});
    if (!m_proc->waitForStarted(5000))
        return false;

    QNetworkAccessManager nam;
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (m_proc->state() == QProcess::NotRunning)
            return false;
        QNetworkReply *reply = nam.get(QNetworkRequest(QUrl(internalUrl() + QStringLiteral("/readyz"))));
        QSignalSpy done(reply, &QNetworkReply::finished);
        done.wait(2000);
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        reply->deleteLater();
        if (status == 200)
            return true;
        QTest::qWait(50);
    }
    return false;
}

void ConfabProcess::terminate()
{
    if (!m_proc)
        return;
    m_proc->terminate();
    m_proc->waitForFinished(25000);
}

void ConfabProcess::kill()
{
    if (!m_proc)
        return;
    m_proc->kill();
    m_proc->waitForFinished(5000);
}

bool ConfabProcess::publicTls() const
{
    return !m_overrides.value(QStringLiteral("CONFAB_TLS_CERT")).isEmpty();
}

bool ConfabProcess::internalTls() const
{
    return publicTls() && m_overrides.value(QStringLiteral("CONFAB_TLS_INTERNAL")) == QLatin1String("true");
}

QString ConfabProcess::publicUrl() const
{
    return QStringLiteral("%1://127.0.0.1:%2").arg(publicTls() ? QStringLiteral("https") : QStringLiteral("http")).arg(m_publicPort);
}

QString ConfabProcess::internalUrl() const
{
    return QStringLiteral("%1://127.0.0.1:%2").arg(internalTls() ? QStringLiteral("https") : QStringLiteral("http")).arg(m_internalPort);
}

QString ConfabProcess::wsUrl() const
{
    return QStringLiteral("%1://127.0.0.1:%2/v1/ws").arg(publicTls() ? QStringLiteral("wss") : QStringLiteral("ws")).arg(m_publicPort);
}

QByteArray ConfabProcess::output() const
{
    return m_proc ? m_proc->readAll() : QByteArray();
}

S3Server::S3Server(const TestEnv &env)
    : m_script(env.value(QStringLiteral("CONFAB_TEST_S3_SCRIPT"))), m_port(freePort())
{
}

S3Server::~S3Server()
{
    stop();
}

bool S3Server::start()
{
    m_proc = std::make_unique<QProcess>();
    m_proc->setWorkingDirectory(QFileInfo(m_script).absolutePath());
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("NODE_OPTIONS"), QStringLiteral("--openssl-legacy-provider"));
    m_proc->setProcessEnvironment(env);
    m_proc->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_proc->start(QStringLiteral("node"), {m_script, QString::number(m_port), m_dir.path(), bucket()});
    if (!m_proc->waitForStarted(10000))
        return false;
    const QDeadlineTimer deadline(60000); // Node.js loading the server is slow on a loaded box
    while (!deadline.hasExpired()) {
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, m_port);
        if (probe.waitForConnected(100))
            return true;
        QTest::qWait(50);
    }
    return false;
}

void S3Server::stop()
{
    if (!m_proc)
        return;
    m_proc->kill();
    m_proc->waitForFinished(5000);
    m_proc.reset();
}

QString S3Server::endpoint() const
{
    return QStringLiteral("http://127.0.0.1:%1").arg(m_port);
}

} // namespace confab::test

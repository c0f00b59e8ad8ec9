#pragma once

#include <QHash>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace confab::test {

// A free TCP port on 127.0.0.1 (bound and released; good enough for test servers).
[[nodiscard]] quint16 freePort();

// A port on 127.0.0.1 that refuses connections while this lives: bound, never listening, so no
// test running in parallel can take it and answer (a dependency that is not there).
class RefusingPort
{
public:
    RefusingPort();
    ~RefusingPort();
    RefusingPort(const RefusingPort &) = delete;
    RefusingPort &operator=(const RefusingPort &) = delete;

    [[nodiscard]] quint16 port() const { return m_port; }

private:
    int m_fd = -1;
    quint16 m_port = 0;
};

// The services started by the CTest fixture (tests/fixtures/services.sh). Integration tests
// fail, not skip, when they are missing: a green run must mean the real services were used.
class TestEnv
{
public:
    TestEnv();

    [[nodiscard]] bool isValid() const { return !m_vars.isEmpty(); }
    [[nodiscard]] QString value(const QString &name) const { return m_vars.value(name); }

    // postgresql://postgres@127.0.0.1:PORT/postgres: the superuser on the shared server.
    [[nodiscard]] QString pgAdminUrl() const { return value(QStringLiteral("CONFAB_TEST_PG_URL")); }
    // A new, empty database on the shared server, private to the caller.
    [[nodiscard]] QString createDatabase() const;
    // The shared Redis server's URL with a database number (0..15) the caller may use; tests
    // that must own a whole server (FLUSHALL, restarts) start a RedisServer instead.
    [[nodiscard]] QString redisUrl() const { return value(QStringLiteral("CONFAB_TEST_REDIS_URL")); }
    [[nodiscard]] QString s3Endpoint() const { return value(QStringLiteral("CONFAB_TEST_S3_ENDPOINT")); }
    [[nodiscard]] QString s3Bucket() const { return value(QStringLiteral("CONFAB_TEST_S3_BUCKET")); }

private:
    QHash<QString, QString> m_vars;
};

// A private redis-server on a free port, for tests that stop, flush or restart Redis.
class RedisServer
{
public:
    RedisServer();
    ~RedisServer();
    bool start();
    void stop();
    [[nodiscard]] quint16 port() const { return m_port; }
    [[nodiscard]] QString url() const;
    // The same server's Unix socket (unix://<this> is its URL).
    [[nodiscard]] QString socketPath() const;
    // The redis-server process, for SIGSTOP/SIGCONT (0 when not running).
    [[nodiscard]] qint64 pid() const { return m_proc ? m_proc->processId() : 0; }
    // confab's Redis module from this build, which start() loads as a packaged Redis would
    // (confabd then accepts through CONFAB.ACCEPT), or empty: outside ctest (no CONFAB_BIN_DIR),
    // or with CONFAB_TEST_REDIS_NO_MODULE=1 (the Lua script's path).
    [[nodiscard]] static QString module();

private:
    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_proc;
    quint16 m_port = 0;
};

// An S3 test server (tests/fixtures/s3) of a test's own, with the bucket bucket(), to stop and
// start again on the same port and directory (object storage outages).
class S3Server
{
public:
    explicit S3Server(const TestEnv &env);
    ~S3Server();
    bool start();
    void stop();
    [[nodiscard]] QString endpoint() const;
    [[nodiscard]] quint16 port() const { return m_port; }
    [[nodiscard]] static QString bucket() { return QStringLiteral("confab-own"); }

private:
    QString m_script;
    quint16 m_port;
    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_proc;
};

// A confabd process with a generated config; waits for /readyz.
class ConfabProcess
{
public:
    explicit ConfabProcess(QHash<QString, QString> overrides);
    ~ConfabProcess();
    bool start(int timeoutMs = 20000);
    void terminate(); // SIGTERM and wait
    void kill();      // SIGKILL
    [[nodiscard]] quint16 publicPort() const { return m_publicPort; }
    [[nodiscard]] quint16 internalPort() const { return m_internalPort; }
    // https:// and wss:// when the overrides name a [tls] cert (CONFAB_TLS_CERT), the internal
    // listener's too with CONFAB_TLS_INTERNAL=true; the test makes its CA trusted.
    [[nodiscard]] bool publicTls() const;
    [[nodiscard]] bool internalTls() const;
    [[nodiscard]] QString publicUrl() const;
    [[nodiscard]] QString internalUrl() const;
    [[nodiscard]] QString wsUrl() const;
    [[nodiscard]] QProcess &process() { return *m_proc; }
    [[nodiscard]] QByteArray output() const;

private:
    bool startOnce(int timeoutMs);

    QHash<QString, QString> m_overrides;
    std::unique_ptr<QProcess> m_proc;
    QTemporaryDir m_dir;
    quint16 m_publicPort = 0;
    quint16 m_internalPort = 0;
};

// Runs SQL through psql on the shared test server; for fixtures, not for code under test.
QByteArray psql(const QString &url, const QString &sql);

} // namespace confab::test

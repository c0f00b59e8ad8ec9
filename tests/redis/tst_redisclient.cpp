#include "redis/client.h"
#include "replies.h"
#include "support/testenv.h"

#include <QCoroTask>
#include <QElapsedTimer>
#include <QPointer>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <limits>
#include <optional>

using confab::ErrorCode;
using confab::redis::Client;
using confab::redis::Options;
using confab::redis::Reply;
using confab::redis::Script;
using confab::redis::Value;
using Args = QList<QByteArray>;
using confab::test::call;

namespace
{

Options optionsFor(const QString &url, qint64 timeoutMs = 5000)
{
    auto o = Options::fromUrl(url);
    if (!o)
        qFatal("bad test url");
    o->commandTimeoutMs = timeoutMs;
    o->reconnectMinMs = 20;
    o->reconnectMaxMs = 200;
    return *o;
}

// QCoro::waitFor needs a default-constructible result, which Reply is not.
Reply await(QCoro::Task<Reply> task, QObject *ctx)
{
    std::optional<Reply> out;
    QCoro::connect(std::move(task), ctx, [&out](Reply r) { out.emplace(std::move(r)); });
    if (!QTest::qWaitFor([&] { return out.has_value(); }, 10000))
        return confab::Error::internal(QStringLiteral("test: the task never finished"));
    return std::move(*out);
}

QString describe(const std::optional<Reply> &r)
{
    if (!r)
        return QStringLiteral("no reply");
    if (!*r)
        return r->error().message;
    return QStringLiteral("type %1 str %2")
        .arg(int(r->value().type))
        .arg(QString::fromUtf8(r->value().str));
}

// A redis-server with a password, for the AUTH handshake.
class PasswordRedis
{
public:
    explicit PasswordRedis(const QString &password)
        : m_port(confab::test::freePort())
    {
        m_proc.start(QStringLiteral("redis-server"),
            { QStringLiteral("--port"), QString::number(m_port), QStringLiteral("--bind"),
                QStringLiteral("127.0.0.1"), QStringLiteral("--save"), QString(),
                QStringLiteral("--requirepass"), password });
    }
    ~PasswordRedis()
    {
        m_proc.terminate();
        m_proc.waitForFinished(5000);
    }
    [[nodiscard]] quint16 port() const { return m_port; }

private:
    quint16 m_port;
    QProcess m_proc;
};

} // namespace

class TestRedisClient : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void handshakeSelectsDbAndSetsName();
    void replies_data();
    void replies();
    void pipelinesManyCommandsInOrder();
    void evalScriptReloadsAfterFlush();
    void scriptArgumentsArriveAsWritten();
    void coroutineForms();
    void timeoutFailsAndRecovers();
    void busyLoopIsNotATimeout();
    void serverStoppedFailsFastAndReconnects();
    void pendingCommandsFailWhenConnectionDrops();
    void destroyedContextSuppressesCallback();
    void destroyingClientWithPendingCommands();
    void closeAnswersInFlightNowAndRefusesLater();
    void deletingClientFromItsOwnCallback();
    void authenticates();
    void wrongPasswordNeverConnects();
    void invalidUrlFailsCommands();
    void unixSocket();

private:
    bool connectClient(Client &client);

    confab::test::RedisServer m_server;
    std::unique_ptr<Client> m_client;
};

bool TestRedisClient::connectClient(Client &client)
{
    QSignalSpy connected(&client, &Client::connected);
    client.start();
    return client.isConnected() || connected.wait(5000);
}

void TestRedisClient::initTestCase()
{
    QVERIFY(m_server.start());
}

void TestRedisClient::init()
{
    Options o = optionsFor(m_server.url());
    o.db = 3;
    o.name = QStringLiteral("tst redisclient");
    m_client = std::make_unique<Client>(o);
    QVERIFY(connectClient(*m_client));
    QVERIFY(call(*m_client, { "FLUSHALL" }).value().has_value());
}

void TestRedisClient::cleanup()
{
    m_client.reset();
}

void TestRedisClient::handshakeSelectsDbAndSetsName()
{
    const auto info = call(*m_client, { "CLIENT", "INFO" });
    QVERIFY2(info && *info, qPrintable(describe(info)));
    QVERIFY2(info->value().str.contains(" db=3 "), info->value().str.constData());
    QVERIFY2(info->value().str.contains(" name=tst_redisclient "), info->value().str.constData());
    // GIVEN a key written through the client THEN it lives in db 3, not db 0
    QVERIFY(call(*m_client, { "SET", "where", "three" }).value().has_value());
    Client db0(optionsFor(m_server.url()));
    QVERIFY(connectClient(db0));
    QVERIFY(call(db0, { "GET", "where" }).value()->isNil());
}

void TestRedisClient::replies_data()
{
    QTest::addColumn<QList<Args>>("setup");
    QTest::addColumn<Args>("command");
    QTest::addColumn<int>("type");
    QTest::addColumn<QByteArray>("str");
    QTest::addColumn<qint64>("integer");
    QTest::addColumn<Args>("elements");

    const auto t = [](Value::Type type) { return int(type); };
    QTest::addRow("status") << QList<Args> {} << Args { "SET", "k", "v" } << t(Value::Type::Status)
                            << QByteArray("OK") << qint64(0) << Args {};
    QTest::addRow("string") << QList<Args> { { "SET", "k", "hello" } } << Args { "GET", "k" }
                            << t(Value::Type::String) << QByteArray("hello") << qint64(0)
                            << Args {};
    const QByteArray binary("a\0b\r\n\xff", 6);
    QTest::addRow("binary string") << QList<Args> { { "SET", "k", binary } } << Args { "GET", "k" }
                                   << t(Value::Type::String) << binary << qint64(0) << Args {};
    QTest::addRow("empty string") << QList<Args> { { "SET", "k", "" } } << Args { "GET", "k" }
                                  << t(Value::Type::String) << QByteArray("") << qint64(0)
                                  << Args {};
    QTest::addRow("nil") << QList<Args> {} << Args { "GET", "missing" } << t(Value::Type::Nil)
                         << QByteArray() << qint64(0) << Args {};
    QTest::addRow("integer") << QList<Args> { { "SET", "n", "41" } } << Args { "INCR", "n" }
                             << t(Value::Type::Integer) << QByteArray() << qint64(42) << Args {};
    QTest::addRow("big integer") << QList<Args> { { "SET", "n", "9007199254740992" } }
                                 << Args { "INCR", "n" } << t(Value::Type::Integer) << QByteArray()
                                 << qint64(9007199254740993LL) << Args {};
    QTest::addRow("array") << QList<Args> { { "RPUSH", "l", "a", "b", "c" } }
                           << Args { "LRANGE", "l", "0", "-1" } << t(Value::Type::Array)
                           << QByteArray() << qint64(0) << Args { "a", "b", "c" };
    QTest::addRow("empty array") << QList<Args> {} << Args { "LRANGE", "none", "0", "-1" }
                                 << t(Value::Type::Array) << QByteArray() << qint64(0) << Args {};
    QTest::addRow("error reply") << QList<Args> { { "SET", "k", "text" } } << Args { "INCR", "k" }
                                 << -1 << QByteArray("redis: ERR value is not an integer")
                                 << qint64(0) << Args {};
    QTest::addRow("unknown command")
        << QList<Args> {} << Args { "NOSUCHCOMMAND" } << -1
        << QByteArray("redis: ERR unknown command") << qint64(0) << Args {};
}

void TestRedisClient::replies()
{
    QFETCH(QList<Args>, setup);
    QFETCH(Args, command);
    QFETCH(int, type);
    QFETCH(QByteArray, str);
    for (const Args &s : setup)
        QVERIFY(call(*m_client, s).value().has_value());

    const auto r = call(*m_client, command);
    QVERIFY(r.has_value());
    if (type == -1) {
        // An error reply is the Error side: internal, with Redis's message.
        QVERIFY(!r->has_value());
        QCOMPARE(r->error().code, ErrorCode::Internal);
        QVERIFY2(
            r->error().message.startsWith(QString::fromUtf8(str)), qPrintable(r->error().message));
        QVERIFY(m_client->isConnected());
        return;
    }
    QVERIFY2(r->has_value(), qPrintable(describe(r)));
    const Value &v = r->value();
    QCOMPARE(int(v.type), type);
    QCOMPARE(v.str, str);
    QTEST(v.integer, "integer");
    QFETCH(Args, elements);
    QCOMPARE(v.elements.size(), elements.size());
    for (qsizetype i = 0; i < elements.size(); ++i) {
        QCOMPARE(int(v.elements.at(i).type), int(Value::Type::String));
        QCOMPARE(v.elements.at(i).str, elements.at(i));
    }
}

void TestRedisClient::pipelinesManyCommandsInOrder()
{
    constexpr int count = 10000;
    QList<qint64> got;
    got.reserve(count);
    int failures = 0;
    const quint64 sentBefore = m_client->commandsSent();
    // WHEN 10,000 INCRs are issued in one event-loop iteration
    for (int i = 0; i < count; ++i) {
        m_client->command({ "INCR", "counter" }, this, [&](Reply r) {
            if (r)
                got.append(r->integer);
            else
                ++failures;
        });
    }
    QCOMPARE(m_client->commandsSent() - sentBefore, quint64(count));
    QVERIFY(got.isEmpty()); // nothing answered from inside command()
    // THEN every one is answered, in order
    QTRY_COMPARE_WITH_TIMEOUT(got.size() + failures, count, 20000);
    QCOMPARE(failures, 0);
    for (int i = 0; i < count; ++i)
        QCOMPARE(got.at(i), qint64(i + 1));
}

void TestRedisClient::evalScriptReloadsAfterFlush()
{
    const Script script("return redis.call('INCRBY', KEYS[1], ARGV[1])");
    const auto eval = [&](const QByteArray &by) {
        std::optional<Reply> out;
        m_client->evalScript(
            script, { "total" }, { by }, this, [&out](Reply r) { out.emplace(std::move(r)); });
        return QTest::qWaitFor([&] { return out.has_value(); }) ? out : std::nullopt;
    };
    // GIVEN an empty script cache
    QVERIFY(call(*m_client, { "SCRIPT", "FLUSH" }).value().has_value());
    auto r = eval("5");
    QVERIFY2(r && *r, qPrintable(describe(r)));
    QCOMPARE(r->value().integer, 5);
    // THEN the fallback cached it under our SHA1
    auto exists = call(*m_client, { "SCRIPT", "EXISTS", script.sha1() });
    QCOMPARE(exists.value()->elements.value(0).integer, 1);

    r = eval("2"); // served by EVALSHA
    QCOMPARE(r.value()->integer, 7);

    // WHEN the cache is flushed between calls THEN it is reloaded transparently
    QVERIFY(call(*m_client, { "SCRIPT", "FLUSH" }).value().has_value());
    r = eval("3");
    QVERIFY2(r && *r, qPrintable(describe(r)));
    QCOMPARE(r->value().integer, 10);

    // A script error is an error reply, not a reload loop
    const Script broken("return redis.call('NOSUCHCOMMAND')");
    std::optional<Reply> bad;
    m_client->evalScript(broken, {}, {}, nullptr, [&bad](Reply x) { bad.emplace(std::move(x)); });
    QTRY_VERIFY(bad.has_value());
    QVERIFY(!bad->has_value());
    QCOMPARE(bad->error().code, ErrorCode::Internal);
}

void TestRedisClient::scriptArgumentsArriveAsWritten()
{
    // GIVEN arguments written once (redis::Args): raw bytes, an empty one, numbers, and one
    // larger than the connection keeps its command buffer for
    const Script script("local out = {} for i, k in ipairs(KEYS) do out[#out + 1] = k end "
                        "for i, a in ipairs(ARGV) do out[#out + 1] = a end return out");
    const QByteArray raw("\0\r\n$*\xff", 6);
    const QByteArray large(100000, 'x');
    confab::redis::Args args;
    args.add(raw).add("").addNumber(-42).addNumber(std::numeric_limits<qint64>::max()).add(large);
    for (int round = 0; round < 2; ++round) { // EVAL after a flush, then EVALSHA
        if (round == 0)
            QVERIFY(call(*m_client, { "SCRIPT", "FLUSH" }).value().has_value());
        // WHEN a script gets them with two keys
        Reply r = await(m_client->eval(script, { "k1", "k2" }, args), this);
        // THEN every one arrives as it was written, after the keys
        QVERIFY2(r.has_value(), qPrintable(r ? QString() : r.error().message));
        QList<QByteArray> got;
        for (const Value &v : r->elements)
            got << v.str;
        QCOMPARE(
            got, QList<QByteArray>({ "k1", "k2", raw, "", "-42", "9223372036854775807", large }));
    }
}

void TestRedisClient::coroutineForms()
{
    Reply pong = await(m_client->exec({ "PING" }), this);
    QVERIFY(pong.has_value());
    QCOMPARE(pong->str, QByteArray("PONG"));

    const Script script("return {KEYS[1], ARGV[1]}");
    QVERIFY(call(*m_client, { "SCRIPT", "FLUSH" }).value().has_value());
    Reply r = await(m_client->eval(script, { "k" }, { "v" }), this);
    QVERIFY2(r.has_value(), qPrintable(r ? QString() : r.error().message));
    QCOMPARE(r->elements.size(), 2);
    QCOMPARE(r->elements.at(1).str, QByteArray("v"));

    Client idle(optionsFor(m_server.url())); // never started
    Reply down = await(idle.exec({ "PING" }), this);
    QVERIFY(!down.has_value());
    QCOMPARE(down.error().code, ErrorCode::Unavailable);
}

void TestRedisClient::timeoutFailsAndRecovers()
{
    Client fast(optionsFor(m_server.url(), 200));
    QVERIFY(connectClient(fast));
    QSignalSpy disconnected(&fast, &Client::disconnected);
    QSignalSpy connected(&fast, &Client::connected);

    // GIVEN Redis stops answering for a second
    QVERIFY(call(*m_client, { "CLIENT", "PAUSE", "1000", "ALL" }).value().has_value());
    QElapsedTimer clock;
    clock.start();
    // WHEN a command waits longer than commandTimeoutMs
    const auto r = call(fast, { "GET", "k" });
    // THEN it fails Unavailable at the timeout, well before the server wakes up
    QVERIFY(r.has_value());
    QVERIFY(!r->has_value());
    QCOMPARE(r->error().code, ErrorCode::Unavailable);
    QVERIFY2(
        r->error().message.contains(QLatin1String("timed out")), qPrintable(r->error().message));
    QVERIFY2(clock.elapsed() < 900, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(disconnected.count(), 1);
    // AND the client recovers once Redis serves again
    QTRY_VERIFY_WITH_TIMEOUT(connected.count() >= 1, 5000);
    const auto after = call(fast, { "PING" });
    QVERIFY2(after && *after, qPrintable(describe(after)));
}

void TestRedisClient::busyLoopIsNotATimeout()
{
    // GIVEN commands whose replies arrive while this thread is busy past their timeout
    Client fast(optionsFor(m_server.url(), 100));
    QVERIFY(connectClient(fast));
    QSignalSpy disconnected(&fast, &Client::disconnected);
    QVERIFY(call(fast, { "DEL", "busy" }).value().has_value());
    std::vector<std::optional<Reply>> out(50);
    for (int i = 0; i < 50; ++i)
        fast.command({ "INCR", "busy" }, nullptr, [&out, i](Reply r) { out[size_t(i)].emplace(std::move(r)); });
    // A node whose loop stands still for 4 timeouts (stopped, or far behind): the commands have
    // not even been written yet when it runs again, and every timer is overdue.
    QThread::msleep(400);
    // WHEN the loop runs again, THEN every command gets its real reply, none a timeout
    QVERIFY(QTest::qWaitFor([&] { return std::all_of(out.begin(), out.end(), [](const auto &r) { return r.has_value(); }); }, 5000));
    for (const auto &r : out)
        QVERIFY2(r->has_value(), qPrintable(describe(r)));
    QCOMPARE(disconnected.count(), 0);
    QCOMPARE(call(fast, { "GET", "busy" }).value()->str, QByteArray("50"));
}

void TestRedisClient::serverStoppedFailsFastAndReconnects()
{
    QSignalSpy disconnected(m_client.get(), &Client::disconnected);
    QSignalSpy connected(m_client.get(), &Client::connected);
    QVERIFY(call(*m_client, { "SET", "survives", "yes" }).value().has_value()); // AOF keeps it

    m_server.stop();
    QTRY_COMPARE(disconnected.count(), 1);
    QVERIFY(!m_client->isConnected());

    // WHEN a command is sent while Redis is down THEN it fails at once, not after a timeout
    QElapsedTimer clock;
    clock.start();
    bool calledInline = false;
    bool inside = true;
    std::optional<Reply> r;
    m_client->command({ "GET", "survives" }, nullptr, [&](Reply x) {
        calledInline = inside;
        r.emplace(std::move(x));
    });
    inside = false;
    QTRY_VERIFY(r.has_value());
    QVERIFY(!calledInline);
    QCOMPARE(r->error().code, ErrorCode::Unavailable);
    QVERIFY(clock.elapsed() < 500);

    // WHEN Redis comes back on the same port THEN the client reconnects by itself
    QVERIFY(m_server.start());
    QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, 5000);
    QVERIFY(m_client->isConnected());
    QCOMPARE(m_client->reconnects(), quint64(1));
    const auto v = call(*m_client, { "GET", "survives" });
    QVERIFY2(v && *v, qPrintable(describe(v)));
    QCOMPARE(v->value().str, QByteArray("yes")); // and db 3 was selected again
}

void TestRedisClient::pendingCommandsFailWhenConnectionDrops()
{
    Client killer(optionsFor(m_server.url()));
    QVERIFY(connectClient(killer));
    std::optional<Reply> blocked;
    m_client->command(
        { "BLPOP", "never", "0" }, this, [&](Reply r) { blocked.emplace(std::move(r)); });
    QTRY_VERIFY(call(killer, { "CLIENT", "LIST" }).value()->str.contains("cmd=blpop"));
    // WHEN the server closes our connection
    QVERIFY(
        call(killer, { "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes" }).value().has_value());
    // THEN the command in flight fails Unavailable, and the client comes back
    QTRY_VERIFY(blocked.has_value());
    QCOMPARE(blocked->error().code, ErrorCode::Unavailable);
    QTRY_VERIFY(m_client->isConnected());
    QVERIFY(call(*m_client, { "PING" }).value().has_value());
}

void TestRedisClient::destroyedContextSuppressesCallback()
{
    bool called = false;
    auto *ctx = new QObject;
    m_client->command({ "GET", "k" }, ctx, [&](Reply) { called = true; });
    delete ctx;
    // A later command answered proves the first one's reply has been processed.
    QVERIFY(call(*m_client, { "PING" }).value().has_value());
    QVERIFY(!called);

    // Also for the fail-fast path of a client that is not connected.
    Client idle(optionsFor(m_server.url()));
    ctx = new QObject;
    idle.command({ "PING" }, ctx, [&](Reply) { called = true; });
    delete ctx;
    const auto sentinel = call(idle, { "PING" });
    QVERIFY(sentinel.has_value());
    QVERIFY(!called);
}

void TestRedisClient::destroyingClientWithPendingCommands()
{
    auto client = std::make_unique<Client>(optionsFor(m_server.url()));
    QVERIFY(connectClient(*client));
    int unavailable = 0;
    int answered = 0;
    const auto cb = [&](Reply r) {
        if (!r && r.error().code == ErrorCode::Unavailable)
            ++unavailable;
        else
            ++answered;
    };
    client->command({ "BLPOP", "never", "0" }, nullptr, cb);
    for (int i = 0; i < 100; ++i)
        client->command({ "INCR", "x" }, nullptr, cb);
    std::optional<Reply> awaited;
    QCoro::connect(
        client->exec({ "GET", "x" }), this, [&awaited](Reply r) { awaited.emplace(std::move(r)); });
    // WHEN it is destroyed with all of them in flight THEN each callback is answered once
    client.reset();
    QCOMPARE(unavailable + answered, 101);
    QCOMPARE(unavailable, 101);
    // The coroutine awaiting exec() is resumed with the same answer.
    QTRY_VERIFY(awaited.has_value());
    QCOMPARE(awaited->error().code, ErrorCode::Unavailable);
    QTest::qWait(50); // let the deleteLater()ed notifiers go
}

void TestRedisClient::closeAnswersInFlightNowAndRefusesLater()
{
    Client client(optionsFor(m_server.url()));
    QVERIFY(connectClient(client));
    QSignalSpy connected(&client, &Client::connected);
    // GIVEN a command Redis will not answer and a coroutine whose next step is another command
    std::optional<Reply> blocked;
    client.command(
        { "BLPOP", "never", "0" }, nullptr, [&](Reply r) { blocked.emplace(std::move(r)); });
    std::optional<Reply> followUp;
    client.command({ "BLPOP", "never", "0" }, nullptr, [&](Reply) {
        client.command({ "PING" }, nullptr, [&](Reply r) { followUp.emplace(std::move(r)); });
    });
    std::optional<Reply> awaited;
    QCoro::connect(client.exec({ "BLPOP", "never", "0" }), this,
        [&awaited](Reply r) { awaited.emplace(std::move(r)); });
    // WHEN the client is closed (shutdown)
    client.close(QStringLiteral("test shutdown"));
    // THEN everything in flight is answered Unavailable before close() returns, including what
    // a callback sent meanwhile
    QVERIFY(blocked.has_value());
    QCOMPARE(blocked->error().code, ErrorCode::Unavailable);
    QVERIFY2(blocked->error().message.contains(QLatin1String("test shutdown")),
        qPrintable(blocked->error().message));
    QVERIFY(followUp.has_value());
    QCOMPARE(followUp->error().code, ErrorCode::Unavailable);
    QTRY_VERIFY(awaited.has_value());
    QCOMPARE(awaited->error().code, ErrorCode::Unavailable);
    // AND later commands fail fast, and it never connects again
    const auto later = call(client, { "PING" });
    QVERIFY(later.has_value());
    QCOMPARE(later->error().code, ErrorCode::Unavailable);
    QVERIFY2(later->error().message.contains(QLatin1String("closed")),
        qPrintable(later->error().message));
    QVERIFY(!client.isConnected());
    QTest::qWait(300); // several reconnect backoffs
    QCOMPARE(connected.count(), 0);
}

void TestRedisClient::deletingClientFromItsOwnCallback()
{
    auto *client = new Client(optionsFor(m_server.url()));
    QVERIFY(connectClient(*client));
    int later = 0;
    bool first = false;
    client->command({ "PING" }, nullptr, [&](Reply) {
        first = true;
        delete client; // from inside hiredis's reply processing
    });
    for (int i = 0; i < 10; ++i)
        client->command({ "PING" }, nullptr, [&](Reply) { ++later; });
    QTRY_VERIFY(first);
    // The rest were answered during the deletion, whether their replies had arrived or not.
    QCOMPARE(later, 10);
    QTest::qWait(50);
}

void TestRedisClient::authenticates()
{
    PasswordRedis server(QStringLiteral("pa ss:w@rd"));
    Options o
        = optionsFor(QStringLiteral("redis://:pa%20ss%3Aw%40rd@127.0.0.1:%1/2").arg(server.port()));
    Client client(o);
    QSignalSpy connected(&client, &Client::connected);
    client.start();
    QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, 5000);
    const auto who = call(client, { "ACL", "WHOAMI" });
    QVERIFY2(who && *who, qPrintable(describe(who)));
    QCOMPARE(who->value().str, QByteArray("default"));

    // An ACL user authenticates with AUTH user password.
    QVERIFY(call(client, { "ACL", "SETUSER", "alice", "on", ">alicepw", "~*", "+@all" })
                .value()
                .has_value());
    Client alice(
        optionsFor(QStringLiteral("redis://alice:alicepw@127.0.0.1:%1").arg(server.port())));
    QVERIFY(connectClient(alice));
    QCOMPARE(call(alice, { "ACL", "WHOAMI" }).value()->str, QByteArray("alice"));
}

void TestRedisClient::wrongPasswordNeverConnects()
{
    PasswordRedis server(QStringLiteral("right"));
    Client client(optionsFor(QStringLiteral("redis://:wrong@127.0.0.1:%1").arg(server.port())));
    QSignalSpy connected(&client, &Client::connected);
    client.start();
    // It keeps retrying with backoff, and is never reported connected.
    QVERIFY(!connected.wait(1000));
    QVERIFY(!client.isConnected());
    const auto r = call(client, { "PING" });
    QCOMPARE(r.value().error().code, ErrorCode::Unavailable);
}

void TestRedisClient::invalidUrlFailsCommands()
{
    Options o;
    o.url = QStringLiteral("http://127.0.0.1:%1").arg(m_server.port());
    Client client(o);
    client.start();
    const auto r = call(client, { "PING" });
    QVERIFY(r.has_value());
    QCOMPARE(r->error().code, ErrorCode::Unavailable);
    QVERIFY2(r->error().message.contains(QLatin1String("scheme")), qPrintable(r->error().message));
}

void TestRedisClient::unixSocket()
{
    // GIVEN a unix:// URL naming the server's socket and database 3
    Client local(optionsFor(QStringLiteral("unix://%1?db=3").arg(m_server.socketPath())));
    QVERIFY(connectClient(local));
    // THEN commands and scripts go through it, to database 3, over the socket (no TCP address)
    const auto info = call(local, { "CLIENT", "INFO" });
    QVERIFY2(info && *info, qPrintable(describe(info)));
    QVERIFY2(info->value().str.contains(" db=3 "), info->value().str.constData());
    QVERIFY2(info->value().str.contains("addr=/"), info->value().str.constData());
    QVERIFY(call(local, { "SET", "via", "socket" }).value().has_value());
    QCOMPARE(call(*m_client, { "GET", "via" }).value()->str, QByteArray("socket"));
    std::optional<Reply> r;
    local.evalScript(Script("return redis.call('GET', KEYS[1])"), { "via" }, {}, nullptr,
        [&r](Reply x) { r.emplace(std::move(x)); });
    QTRY_VERIFY(r.has_value());
    QCOMPARE(r->value().str, QByteArray("socket"));

    // WHEN the server restarts THEN the client connects to the socket again by itself
    QSignalSpy connected(&local, &Client::connected);
    m_server.stop();
    QVERIFY(m_server.start());
    QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, 5000);
    QCOMPARE(call(local, { "GET", "via" }).value()->str, QByteArray("socket"));
}

QTEST_GUILESS_MAIN(TestRedisClient)
#include "tst_redisclient.moc"

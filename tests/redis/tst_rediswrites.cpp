// How commands reach Redis's socket (detail::Connection, under every Client and Subscriber):
// the commands queued in one loop pass are written together when the pass ends, without the
// write notifier; only a write the socket cannot take whole waits for it. Against a
// redis-server of the test's own.
#include "redis/connection_p.h"
#include "support/testenv.h"

#include <QCoreApplication>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QSocketNotifier>
#include <QTest>

#include <algorithm>
#include <optional>

using confab::redis::Options;
using confab::redis::Reply;
using confab::redis::detail::Connection;

class TestRedisWrites : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void commandsOfOnePassLeaveWithoutTheWriteNotifier();
    void aWriteTheSocketCannotTakeWaitsForIt();
    void unixSocketToo();

private:
    bool startConnection(const QString &url);
    [[nodiscard]] int writeNotifiersEnabled() const;

    confab::test::RedisServer m_server;
    std::unique_ptr<Connection> m_conn;
};

void TestRedisWrites::initTestCase()
{
    QVERIFY(m_server.start());
}

void TestRedisWrites::init()
{
    QVERIFY(startConnection(m_server.url()));
}

void TestRedisWrites::cleanup()
{
    m_conn.reset();
}

bool TestRedisWrites::startConnection(const QString &url)
{
    auto o = Options::fromUrl(url);
    if (!o)
        return false;
    o->commandTimeoutMs = 10000;
    m_conn = std::make_unique<Connection>(*o, QStringLiteral("test"));
    QSignalSpy ready(m_conn.get(), &Connection::ready);
    m_conn->start();
    return m_conn->isReady() || ready.wait(5000);
}

int TestRedisWrites::writeNotifiersEnabled() const
{
    const auto notifiers = m_conn->findChildren<QSocketNotifier *>();
    return int(std::count_if(notifiers.begin(), notifiers.end(), [](const QSocketNotifier *n) {
        return n->type() == QSocketNotifier::Write && n->isEnabled();
    }));
}

void TestRedisWrites::commandsOfOnePassLeaveWithoutTheWriteNotifier()
{
    QVERIFY(!m_conn->findChildren<QSocketNotifier *>().isEmpty());
    constexpr int kCommands = 200;
    QList<qint64> got;
    // Should a check fail and return early, the connection goes first: it answers the commands
    // still pending, whose callbacks write to the locals above.
    const auto connectionFirst = qScopeGuard([this] { m_conn.reset(); });
    m_conn->send({ "DEL", "counter" }, [](const Reply &) {});
    for (int i = 0; i < kCommands; ++i) {
        m_conn->send({ "INCR", "counter" }, [&got](const Reply &r) {
            got.append(r && r.value().type == confab::redis::Value::Type::Integer
                    ? r.value().integer
                    : -1);
        });
    }
    // Queued, not yet written: the pass's end writes them, so no notifier was asked for.
    QCOMPARE(writeNotifiersEnabled(), 0);
    QVERIFY(QTest::qWaitFor([&] { return got.size() == kCommands; }, 10000));
    QList<qint64> expected;
    for (int i = 1; i <= kCommands; ++i)
        expected.append(i);
    QCOMPARE(got, expected);
    QCOMPARE(writeNotifiersEnabled(), 0);
}

void TestRedisWrites::aWriteTheSocketCannotTakeWaitsForIt()
{
    // 32 MiB is far more than a socket's send buffer: the first write is partial, and the rest
    // goes as the socket drains (the notifier), with the commands after it in order.
    const QByteArray big(32 * 1024 * 1024, 'x');
    std::optional<Reply> set;
    std::optional<Reply> len;
    const auto connectionFirst = qScopeGuard([this] { m_conn.reset(); }); // before the locals
    m_conn->send({ "SET", "big", big }, [&set](Reply r) { set.emplace(std::move(r)); });
    m_conn->send({ "STRLEN", "big" }, [&len](Reply r) { len.emplace(std::move(r)); });
    // The pass's end: the one write() cannot take 32 MiB, so hiredis asks for the notifier.
    QCOMPARE(writeNotifiersEnabled(), 0);
    QCoreApplication::sendPostedEvents();
    QCOMPARE(writeNotifiersEnabled(), 1);
    QVERIFY2(!set.has_value(), "the whole command went in one write");
    QVERIFY(QTest::qWaitFor([&] { return len.has_value(); }, 20000));
    QVERIFY(set && *set);
    QVERIFY(*len);
    QCOMPARE(len->value().integer, qint64(big.size()));
    QCOMPARE(writeNotifiersEnabled(), 0);
}

void TestRedisWrites::unixSocketToo()
{
    m_conn.reset();
    QVERIFY(startConnection(QStringLiteral("unix://") + m_server.socketPath()));
    std::optional<Reply> pong;
    const auto connectionFirst = qScopeGuard([this] { m_conn.reset(); }); // before the locals
    m_conn->send({ "PING" }, [&pong](Reply r) { pong.emplace(std::move(r)); });
    QCOMPARE(writeNotifiersEnabled(), 0);
    QVERIFY(QTest::qWaitFor([&] { return pong.has_value(); }, 5000));
    QVERIFY(*pong);
    QCOMPARE(pong->value().str, QByteArray("PONG"));
}

QTEST_GUILESS_MAIN(TestRedisWrites)
#include "tst_rediswrites.moc"

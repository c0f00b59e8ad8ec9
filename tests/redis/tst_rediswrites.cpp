// How commands reach Redis's socket (detail::Connection, under every Client and Subscriber):
// the commands queued in one loop pass are written together when the pass ends, without the
// write notifier; only a write the socket cannot take whole waits for it. While a connection
// is busy ([redis] write_hold_above), its writes wait [redis] write_hold and take later passes'
// commands along. Replies the other way: one readiness report reads all the socket holds, not
// hiredis's 16 KB (a loop that holds its wakeups would take one hold per 16 KB). Against a
// redis-server of the test's own.
#include "redis/connection_p.h"
#include "support/testenv.h"

#include <QCoreApplication>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QSocketNotifier>
#include <QTest>
#include <QThread>

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
    void aBusyConnectionHoldsItsWrites_data();
    void aBusyConnectionHoldsItsWrites();
    void aHoldOutlivesALostConnection();
    void aLongReplyIsReadInOnePass();

private:
    bool startConnection(const QString &url, qint64 holdMs = 0, qint64 holdAbovePerS = 0);
    // Reads Redis has made from its clients' sockets (INFO stats), asked on m_probe: the one
    // read that carried this question included.
    [[nodiscard]] std::optional<qint64> readsProcessed();
    [[nodiscard]] int writeNotifiersEnabled() const;

    confab::test::RedisServer m_server;
    std::unique_ptr<Connection> m_conn;
    std::unique_ptr<Connection> m_probe; // no hold
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
    m_probe.reset();
}

namespace
{
// A Connection to url, started and ready; null if it could not get there.
std::unique_ptr<Connection> connected(
    const QString &url, const QString &role, qint64 holdMs = 0, qint64 holdAbovePerS = 0)
{
    auto o = Options::fromUrl(url);
    if (!o)
        return nullptr;
    o->commandTimeoutMs = 10000;
    o->writeHoldMs = holdMs;
    o->writeHoldAbovePerS = holdAbovePerS;
    auto conn = std::make_unique<Connection>(*o, role);
    QSignalSpy ready(conn.get(), &Connection::ready);
    conn->start();
    if (!conn->isReady() && !ready.wait(5000))
        return nullptr;
    return conn;
}
} // namespace

bool TestRedisWrites::startConnection(const QString &url, qint64 holdMs, qint64 holdAbovePerS)
{
    m_conn = connected(url, QStringLiteral("test"), holdMs, holdAbovePerS);
    return m_conn != nullptr;
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

std::optional<qint64> TestRedisWrites::readsProcessed()
{
    if (!m_probe)
        m_probe = connected(m_server.url(), QStringLiteral("probe"));
    if (!m_probe)
        return std::nullopt;
    std::optional<Reply> info;
    m_probe->send({ "INFO", "stats" }, [&info](Reply r) { info.emplace(std::move(r)); });
    if (!QTest::qWaitFor([&] { return info.has_value(); }, 5000) || !*info)
        return std::nullopt;
    for (const QByteArray &line : info->value().str.split('\n')) {
        if (line.startsWith("total_reads_processed:"))
            return line.mid(int(qstrlen("total_reads_processed:"))).trimmed().toLongLong();
    }
    return std::nullopt;
}

void TestRedisWrites::aBusyConnectionHoldsItsWrites_data()
{
    QTest::addColumn<qint64>("aboveRate");
    QTest::addColumn<bool>("held");
    QTest::addRow("busy (line 0: always)") << qint64(0) << true;
    QTest::addRow("below the line") << qint64(1000000000) << false;
}

void TestRedisWrites::aBusyConnectionHoldsItsWrites()
{
    QFETCH(qint64, aboveRate);
    QFETCH(bool, held);
    m_conn.reset();
    QVERIFY(startConnection(m_server.url(), 20, aboveRate));
    const quint64 heldBefore = m_conn->writesHeld();
    const std::optional<qint64> before = readsProcessed();
    QVERIFY(before);

    constexpr int kPasses = 10;
    QList<qint64> got;
    const auto connectionFirst = qScopeGuard([this] { m_conn.reset(); }); // before the locals
    for (int i = 0; i < kPasses; ++i) {
        m_conn->send({ "INCR", "held" }, [&got](const Reply &r) {
            got.append(r && r.value().type == confab::redis::Value::Type::Integer
                    ? r.value().integer
                    : -1);
        });
        if (held) {
            // The pass ends (posted events run): without the hold this would write.
            QCoreApplication::sendPostedEvents();
        } else {
            QVERIFY(QTest::qWaitFor([&] { return got.size() == i + 1; }, 5000));
        }
    }
    QVERIFY(QTest::qWaitFor([&] { return got.size() == kPasses; }, 5000));
    for (int i = 1; i < kPasses; ++i)
        QCOMPARE(got.at(i), got.at(i - 1) + 1); // in order
    const std::optional<qint64> after = readsProcessed();
    QVERIFY(after);
    const qint64 reads = *after - *before - 1; // the probe's second question
    if (held) {
        QCOMPARE(m_conn->writesHeld(), heldBefore + 1);
        QCOMPARE(reads, 1); // ten passes' commands, one write
    } else {
        QCOMPARE(m_conn->writesHeld(), heldBefore);
        QCOMPARE(reads, kPasses);
    }
}

void TestRedisWrites::aHoldOutlivesALostConnection()
{
    // The connection goes away while a write is held: the held commands are answered, and
    // once connected again, commands are written (the hold's flag did not stay set).
    m_conn.reset();
    QVERIFY(startConnection(m_server.url(), 20, 0));
    std::optional<Reply> first;
    std::optional<Reply> kill;
    const std::unique_ptr<Connection> killer = connected(m_server.url(), QStringLiteral("killer"));
    QVERIFY(killer);
    const auto connectionFirst = qScopeGuard([this] { m_conn.reset(); }); // before the locals
    QSignalSpy lost(m_conn.get(), &Connection::lost);
    QSignalSpy ready(m_conn.get(), &Connection::ready);
    m_conn->send({ "PING" }, [&first](Reply r) { first.emplace(std::move(r)); });
    killer->send({ "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes" },
        [&kill](Reply r) { kill.emplace(std::move(r)); });
    QVERIFY(QTest::qWaitFor([&] { return first.has_value() && kill.has_value(); }, 5000));
    QVERIFY(*kill);
    QVERIFY(lost.count() == 1 || lost.wait(5000));
    QVERIFY(ready.count() == 1 || ready.wait(5000));
    for (int i = 0; i < 3; ++i) {
        std::optional<Reply> pong;
        m_conn->send({ "PING" }, [&pong](Reply r) { pong.emplace(std::move(r)); });
        QVERIFY(QTest::qWaitFor([&] { return pong.has_value(); }, 5000));
        QVERIFY(*pong);
        QCOMPARE(pong->value().str, QByteArray("PONG"));
    }
}

void TestRedisWrites::aLongReplyIsReadInOnePass()
{
    // Six of hiredis's reads, and under a Unix socket's buffer (208 KiB by default), so Redis
    // can write all of it before the connection reads any.
    m_conn.reset();
    QVERIFY(startConnection(QStringLiteral("unix://") + m_server.socketPath()));
    const QByteArray value(96 * 1024, 'v');
    std::optional<Reply> set;
    std::optional<Reply> got;
    const auto connectionFirst = qScopeGuard([this] { m_conn.reset(); }); // before the locals
    m_conn->send({ "SET", "long", value }, [&set](Reply r) { set.emplace(std::move(r)); });
    QVERIFY(QTest::qWaitFor([&] { return set.has_value(); }, 5000));
    QVERIFY(*set);
    m_conn->send({ "GET", "long" }, [&got](Reply r) { got.emplace(std::move(r)); });
    QCoreApplication::sendPostedEvents(); // the pass's end: the GET is written
    QThread::msleep(300); // Redis answers meanwhile; nothing is read
    QVERIFY2(!got.has_value(), "the reply was read before the pass");
    QCoreApplication::processEvents(); // one pass
    QVERIFY2(got.has_value(), "one pass read part of the reply");
    QVERIFY(*got);
    QCOMPARE(got->value().str.size(), value.size());
}

QTEST_GUILESS_MAIN(TestRedisWrites)
#include "tst_rediswrites.moc"

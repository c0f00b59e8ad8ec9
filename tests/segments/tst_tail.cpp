// tail::batch and tail::batchEval against a real Redis: replies in order, the window bounds what
// is in flight (counted with redis::Client::commandsSent, not timed), and a connection that goes
// away answers the unsent rest without sending them.
#include "segments/tail.h"

#include "redis/client.h"
#include "redis/script.h"
#include "store/storetest.h"
#include "support/testenv.h"

#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace confab;
using namespace confab::segments;

class TestTail : public QObject
{
    Q_OBJECT

    test::RedisServer m_server;
    std::unique_ptr<redis::Client> m_redis;

    static QList<QList<QByteArray>> increments(int n)
    {
        QList<QList<QByteArray>> out;
        for (int i = 0; i < n; ++i)
            out.append(QList<QByteArray> { "INCR", "tail:counter" });
        return out;
    }

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_server.start());
        auto options = redis::Options::fromUrl(m_server.url());
        QVERIFY(options);
        m_redis = std::make_unique<redis::Client>(*options);
        QSignalSpy connected(m_redis.get(), &redis::Client::connected);
        m_redis->start();
        QVERIFY(connected.wait(10000));
    }

    void cleanup()
    {
        m_redis.reset();
        m_server.stop();
    }

    void windowBoundsWhatIsInFlightAndKeepsOrder()
    {
        const quint64 before = m_redis->commandsSent();
        // WHEN 100 commands go as a batch with a window of 4
        auto running = tail::batch(m_redis.get(), increments(100), 4);
        // THEN only 4 are handed to Redis before any reply
        QCOMPARE(m_redis->commandsSent() - before, quint64(4));
        QVERIFY(test::finish(running));
        // AND every reply comes back, in the order of the commands
        const QList<redis::Reply> replies = running.result();
        QCOMPARE(replies.size(), 100);
        for (int i = 0; i < replies.size(); ++i) {
            QVERIFY(replies[i]);
            QCOMPARE(replies[i]->integer, replies[0]->integer + i);
        }
        QCOMPARE(m_redis->commandsSent() - before, quint64(100));
    }

    void noWindowSendsEverythingAtOnce()
    {
        const quint64 before = m_redis->commandsSent();
        const redis::Script script(QByteArrayLiteral("return redis.call('INCR', KEYS[1])"));
        QList<tail::ScriptCall> calls;
        for (int i = 0; i < 10; ++i)
            calls.append(tail::ScriptCall { { "tail:scripted" }, {} });
        auto running = tail::batchEval(m_redis.get(), script, calls);
        QCOMPARE(m_redis->commandsSent() - before, quint64(10));
        QVERIFY(test::finish(running));
        QCOMPARE(running.result().size(), 10);
        QCOMPARE(running.result().last()->integer, running.result().first()->integer + 9);
    }

    void lostConnectionAnswersTheUnsentRest()
    {
        const quint64 before = m_redis->commandsSent();
        auto running = tail::batch(m_redis.get(), increments(10), 2);
        // WHEN the client closes with two commands in flight
        m_redis->close(QStringLiteral("test"));
        QVERIFY(test::finish(running));
        // THEN all ten are answered unavailable and the other eight were never sent
        const QList<redis::Reply> replies = running.result();
        QCOMPARE(replies.size(), 10);
        for (const redis::Reply &r : replies) {
            QVERIFY(!r);
            QCOMPARE(r.error().code, ErrorCode::Unavailable);
        }
        QCOMPARE(m_redis->commandsSent() - before, quint64(2));
    }

    void emptyBatchIsDoneAtOnce()
    {
        auto running = tail::batch(m_redis.get(), {}, 4);
        QVERIFY(running.isFinished());
        QVERIFY(running.result().isEmpty());
    }
};

QTEST_MAIN(TestTail)
#include "tst_tail.moc"

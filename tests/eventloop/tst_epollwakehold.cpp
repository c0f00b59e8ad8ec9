// EpollEventDispatcher's wake hold ([server] loop_hold, docs/architecture.md): under load a wait
// that would block starts no sooner than the hold after the previous wake, so what arrives
// meanwhile is handled in one pass. Timers end a hold early; a load under the line, or a hold
// its gate refuses, is not held. The bounds checked are the hold's own (a wait that ends before it,
// or a timer that fires long after it), with wide margins: nothing here measures speed.
#include "epolltest.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSocketNotifier>
#include <QTest>
#include <QTimer>

#include <chrono>
#include <thread>

using confab::test::dispatcher;
using confab::test::settle;
using confab::test::SocketPair;

namespace
{

constexpr qint64 kHoldMs = 300;

// A read notifier on one end of `pair` that takes one byte per activation and notes when.
struct ByteReader {
    explicit ByteReader(SocketPair &pair)
        : pair(pair)
        , notifier(pair.fd[0], QSocketNotifier::Read)
    {
        QObject::connect(&notifier, &QSocketNotifier::activated, [this] {
            char c = 0;
            if (::read(this->pair.fd[0], &c, 1) == 1)
                readAtMs.append(clock.elapsed());
        });
        clock.start();
    }
    SocketPair &pair;
    QSocketNotifier notifier;
    QElapsedTimer clock;
    QList<qint64> readAtMs;
};

// Blocks in one pass until `reader` has read `count` bytes (at most 50 passes).
void passUntilRead(ByteReader &reader, qsizetype count)
{
    for (int i = 0; i < 50 && reader.readAtMs.size() < count; ++i)
        dispatcher()->processEvents(QEventLoop::WaitForMoreEvents);
}

// Writes one byte to pair's end 1 from another thread after `afterMs`.
std::thread sendLater(const SocketPair &pair, int afterMs)
{
    return std::thread([fd = pair.fd[1], afterMs] {
        std::this_thread::sleep_for(std::chrono::milliseconds(afterMs));
        const char c = 'x';
        [[maybe_unused]] const ssize_t n = ::write(fd, &c, 1);
    });
}

// Three bytes, each sent 5 ms after the wait for it began, read one pass at a time: how many ms
// from the first read to the third, or -1 if they were not all read.
qint64 readThreeSentLater(const SocketPair &pair, ByteReader &reader)
{
    const qsizetype start = reader.readAtMs.size();
    for (int i = 1; i <= 3; ++i) {
        std::thread t = sendLater(pair, 5);
        passUntilRead(reader, start + i);
        t.join();
    }
    return reader.readAtMs.size() == start + 3 ? reader.readAtMs.last() - reader.readAtMs[start]
                                               : -1;
}

} // namespace

class TestEpollWakeHold : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void offByDefault();
    void aByteThatArrivesDuringTheHoldWaitsForItsEnd();
    void whatArrivesDuringTheHoldIsTakenInOnePass();
    void aTimerEndsTheHoldEarly();
    void underTheLineNothingIsHeld();
    void aHoldThatIsNotAllowedIsSkipped();
};

void TestEpollWakeHold::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
    dispatcher()->setWakeHold(0, 0);
    settle();
}

void TestEpollWakeHold::cleanup()
{
    dispatcher()->setWakeHold(0, 0);
}

void TestEpollWakeHold::offByDefault()
{
    SocketPair pair;
    ByteReader reader(pair);
    const quint64 before = dispatcher()->heldWaits();
    QVERIFY(readThreeSentLater(pair, reader) >= 0);
    QCOMPARE(dispatcher()->heldWaits(), before);
}

void TestEpollWakeHold::aByteThatArrivesDuringTheHoldWaitsForItsEnd()
{
    SocketPair pair;
    ByteReader reader(pair);
    dispatcher()->setWakeHold(kHoldMs, 0);
    pair.send(1);
    passUntilRead(reader, 1); // the wake the hold counts from
    QCOMPARE(reader.readAtMs.size(), 1);
    const quint64 before = dispatcher()->heldWaits();
    std::thread t = sendLater(pair, 20);
    passUntilRead(reader, 2);
    t.join();
    QCOMPARE(reader.readAtMs.size(), 2);
    // The wait that read it started kHoldMs after the first one returned, at the earliest.
    QVERIFY2(reader.readAtMs[1] - reader.readAtMs[0] >= kHoldMs - 5,
        qPrintable(QStringLiteral("read %1 ms after the first")
                       .arg(reader.readAtMs[1] - reader.readAtMs[0])));
    QCOMPARE(dispatcher()->heldWaits(), before + 1);
}

void TestEpollWakeHold::whatArrivesDuringTheHoldIsTakenInOnePass()
{
    SocketPair first, second, third;
    ByteReader a(first), b(second), c(third);
    dispatcher()->setWakeHold(kHoldMs, 0);
    first.send(1);
    passUntilRead(a, 1);
    const quint64 before = dispatcher()->heldWaits();
    std::thread t1 = sendLater(second, 10), t2 = sendLater(third, 20), t3 = sendLater(first, 30);
    t1.join();
    t2.join();
    t3.join();
    dispatcher()->processEvents(QEventLoop::WaitForMoreEvents); // one wakeup
    QCOMPARE(a.readAtMs.size(), 2);
    QCOMPARE(b.readAtMs.size(), 1);
    QCOMPARE(c.readAtMs.size(), 1);
    QCOMPARE(dispatcher()->heldWaits(), before + 1);
}

void TestEpollWakeHold::aTimerEndsTheHoldEarly()
{
    SocketPair pair;
    ByteReader reader(pair);
    dispatcher()->setWakeHold(kHoldMs * 10, 0);
    pair.send(1);
    passUntilRead(reader, 1);
    bool fired = false;
    QTimer::singleShot(50, Qt::PreciseTimer, [&fired] { fired = true; });
    QElapsedTimer clock;
    clock.start();
    for (int i = 0; i < 50 && !fired; ++i)
        dispatcher()->processEvents(QEventLoop::WaitForMoreEvents);
    QVERIFY(fired);
    QVERIFY2(clock.elapsed() < kHoldMs * 5,
        qPrintable(QStringLiteral("fired after %1 ms").arg(clock.elapsed())));
}

void TestEpollWakeHold::underTheLineNothingIsHeld()
{
    SocketPair pair;
    ByteReader reader(pair);
    // A line no test reaches: a million ready sockets a second.
    dispatcher()->setWakeHold(kHoldMs * 10, 1'000'000);
    const quint64 before = dispatcher()->heldWaits();
    const qint64 ms = readThreeSentLater(pair, reader);
    QVERIFY2(ms >= 0 && ms < kHoldMs * 5, qPrintable(QStringLiteral("read in %1 ms").arg(ms)));
    QCOMPARE(dispatcher()->heldWaits(), before);
}

void TestEpollWakeHold::aHoldThatIsNotAllowedIsSkipped()
{
    SocketPair pair;
    ByteReader reader(pair);
    bool allowed = false;
    dispatcher()->setWakeHold(kHoldMs * 10, 0, [&allowed] { return allowed; });
    const quint64 before = dispatcher()->heldWaits();
    const qint64 ms = readThreeSentLater(pair, reader);
    QVERIFY2(ms >= 0 && ms < kHoldMs * 5, qPrintable(QStringLiteral("read in %1 ms").arg(ms)));
    QCOMPARE(dispatcher()->heldWaits(), before);
    // Allowed again: the next wait is held.
    allowed = true;
    std::thread t = sendLater(pair, 5);
    passUntilRead(reader, 4);
    t.join();
    QCOMPARE(dispatcher()->heldWaits(), before + 1);
}

int main(int argc, char **argv)
{
    return confab::test::runOnEpollDispatcher<TestEpollWakeHold>(argc, argv);
}

#include "tst_epollwakehold.moc"

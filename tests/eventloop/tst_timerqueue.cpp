// TimerQueue on a clock the test drives: ordering, coarse rounding and re-entrancy without any
// timing luck.
#include "eventloop/timerqueue.h"

#include <QTest>
#include <QTimerEvent>

#include <functional>

using confab::eventloop::TimerQueue;

namespace
{

constexpr qint64 kMs = 1'000'000;
constexpr qint64 kSecond = 1'000'000'000;
// An arbitrary monotonic "now" that is not on a round boundary.
constexpr qint64 kStart = 1234 * kSecond + 567 * kMs + 891;

// Records the timer events it gets and runs a hook for each.
class Recorder : public QObject
{
public:
    QList<int> fired;
    std::function<void(int)> onTimer;

protected:
    void timerEvent(QTimerEvent *e) override
    {
        fired.append(e->timerId());
        if (onTimer)
            onTimer(e->timerId());
    }
};

} // namespace

class TestTimerQueue : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void firesInDeadlineOrderThenRegistrationOrder();
    void firesOnlyWhenDue();
    void overdueRepeatingTimerFiresOnceAndIsRescheduledFromNow();
    void zeroIntervalTimerFiresOncePerPass();
    void timerKilledByAnotherHandlerDoesNotFire();
    void timerAddedDuringPassWaitsForNextPass();
    void reusedIdDuringPassIsNotConfused();
    void activeTimerIsNotReenteredNorWaitedFor();
    void nestedPassDoesNotFireTwice();
    void interruptStopsThePass();
    void removeAllAndTimersOf();
    void remainingTime();
    void coarseStaysWithinFivePercent_data();
    void coarseStaysWithinFivePercent();
    void coarseRepeatsWithoutDrift();
    void coarseBoundariesBecomePreciseOrVeryCoarse();
    void veryCoarseUsesWholeSeconds();
};

void TestTimerQueue::firesInDeadlineOrderThenRegistrationOrder()
{
    TimerQueue q;
    Recorder r;
    q.add(1, 30, Qt::PreciseTimer, &r, kStart);
    q.add(2, 10, Qt::PreciseTimer, &r, kStart);
    q.add(3, 20, Qt::PreciseTimer, &r, kStart);
    q.add(4, 10, Qt::PreciseTimer, &r, kStart);
    const std::atomic<bool> no { false };
    QCOMPARE(q.activateDue(kStart + 100 * kMs, no), 4);
    QCOMPARE(r.fired, (QList<int> { 2, 4, 3, 1 }));
}

void TestTimerQueue::firesOnlyWhenDue()
{
    TimerQueue q;
    Recorder r;
    const std::atomic<bool> no { false };
    q.add(1, 10, Qt::PreciseTimer, &r, kStart);
    QCOMPARE(q.nsUntilNext(kStart), 10 * kMs);
    QCOMPARE(q.activateDue(kStart + 10 * kMs - 1, no), 0);
    QVERIFY(r.fired.isEmpty());
    QCOMPARE(q.activateDue(kStart + 10 * kMs, no), 1);
    QCOMPARE(r.fired, QList<int> { 1 });
    QCOMPARE(q.deadlineNs(1), kStart + 20 * kMs);
}

void TestTimerQueue::overdueRepeatingTimerFiresOnceAndIsRescheduledFromNow()
{
    TimerQueue q;
    Recorder r;
    const std::atomic<bool> no { false };
    q.add(1, 10, Qt::PreciseTimer, &r, kStart);
    // WHEN the loop was busy for ten intervals
    const qint64 late = kStart + 105 * kMs;
    QCOMPARE(q.activateDue(late, no), 1);
    // THEN it fired once, and the next deadline is an interval from now, not a burst of catch-ups
    QCOMPARE(r.fired.size(), 1);
    QCOMPARE(q.deadlineNs(1), late + 10 * kMs);
    QCOMPARE(q.activateDue(late, no), 0);
}

void TestTimerQueue::zeroIntervalTimerFiresOncePerPass()
{
    TimerQueue q;
    Recorder r;
    const std::atomic<bool> no { false };
    q.add(1, 0, Qt::PreciseTimer, &r, kStart);
    q.activateDue(kStart, no);
    QCOMPARE(r.fired.size(), 1);
    q.activateDue(kStart + 1, no);
    QCOMPARE(r.fired.size(), 2);
    // Zero-interval timers do not count as "processed" (as Qt's QTimerInfoList).
    QCOMPARE(q.activateDue(kStart + 2, no), 0);
}

void TestTimerQueue::timerKilledByAnotherHandlerDoesNotFire()
{
    TimerQueue q;
    Recorder r;
    const std::atomic<bool> no { false };
    q.add(1, 10, Qt::PreciseTimer, &r, kStart);
    q.add(2, 10, Qt::PreciseTimer, &r, kStart);
    r.onTimer = [&](int id) {
        if (id == 1)
            QVERIFY(q.remove(2));
    };
    q.activateDue(kStart + 10 * kMs, no);
    QCOMPARE(r.fired, QList<int> { 1 });
    QCOMPARE(q.size(), 1u);
}

void TestTimerQueue::timerAddedDuringPassWaitsForNextPass()
{
    TimerQueue q;
    Recorder r;
    const std::atomic<bool> no { false };
    q.add(1, 10, Qt::PreciseTimer, &r, kStart);
    r.onTimer = [&](int id) {
        if (id == 1)
            q.add(2, 0, Qt::PreciseTimer, &r, kStart); // already due when added
    };
    q.activateDue(kStart + 10 * kMs, no);
    QCOMPARE(r.fired, QList<int> { 1 });
    r.onTimer = nullptr;
    q.activateDue(kStart + 11 * kMs, no);
    QCOMPARE(r.fired, (QList<int> { 1, 2 }));
}

void TestTimerQueue::reusedIdDuringPassIsNotConfused()
{
    TimerQueue q;
    Recorder r;
    Recorder other;
    const std::atomic<bool> no { false };
    q.add(1, 10, Qt::PreciseTimer, &r, kStart);
    q.add(2, 10, Qt::PreciseTimer, &r, kStart);
    // GIVEN the first handler kills timer 2 and a new timer gets id 2, already due
    r.onTimer = [&](int id) {
        if (id == 1) {
            q.remove(2);
            q.add(2, 0, Qt::PreciseTimer, &other, kStart);
        }
    };
    q.activateDue(kStart + 10 * kMs, no);
    // THEN the new timer 2 is not fired in place of the old one
    QCOMPARE(r.fired, QList<int> { 1 });
    QVERIFY(other.fired.isEmpty());
}

void TestTimerQueue::activeTimerIsNotReenteredNorWaitedFor()
{
    TimerQueue q;
    Recorder r;
    const std::atomic<bool> no { false };
    q.add(1, 0, Qt::PreciseTimer, &r, kStart);
    q.add(2, 50, Qt::PreciseTimer, &r, kStart);
    qint64 waitInside = -2;
    int depth = 0;
    int maxDepth = 0;
    r.onTimer = [&](int id) {
        if (id != 1)
            return;
        maxDepth = std::max(maxDepth, ++depth);
        // WHEN its handler spins a nested loop (a nested pass and a wait computation)
        waitInside = q.nsUntilNext(kStart + 1);
        q.activateDue(kStart + 2, no);
        --depth;
    };
    q.activateDue(kStart, no);
    // THEN the zero timer, due again, is neither re-entered nor what the nested loop waits for
    QCOMPARE(maxDepth, 1);
    QCOMPARE(waitInside, 50 * kMs - 1);
    QCOMPARE(r.fired, QList<int> { 1 });
}

void TestTimerQueue::nestedPassDoesNotFireTwice()
{
    TimerQueue q;
    Recorder r;
    const std::atomic<bool> no { false };
    q.add(1, 10, Qt::PreciseTimer, &r, kStart);
    q.add(2, 10, Qt::PreciseTimer, &r, kStart);
    r.onTimer = [&](int id) {
        if (id == 1 && r.fired.size() == 1)
            q.activateDue(kStart + 10 * kMs, no); // fires 2 from inside 1's handler
    };
    q.activateDue(kStart + 10 * kMs, no);
    QCOMPARE(r.fired, (QList<int> { 1, 2 }));
}

void TestTimerQueue::interruptStopsThePass()
{
    TimerQueue q;
    Recorder r;
    std::atomic<bool> interrupted { false };
    q.add(1, 10, Qt::PreciseTimer, &r, kStart);
    q.add(2, 10, Qt::PreciseTimer, &r, kStart);
    r.onTimer = [&](int) { interrupted = true; };
    q.activateDue(kStart + 10 * kMs, interrupted);
    QCOMPARE(r.fired, QList<int> { 1 });
    interrupted = false;
    r.onTimer = nullptr;
    q.activateDue(kStart + 10 * kMs, interrupted);
    QCOMPARE(r.fired, (QList<int> { 1, 2 }));
}

void TestTimerQueue::removeAllAndTimersOf()
{
    TimerQueue q;
    Recorder a;
    Recorder b;
    q.add(7, 1000, Qt::PreciseTimer, &a, kStart);
    q.add(3, 100, Qt::CoarseTimer, &b, kStart);
    q.add(5, 1499, Qt::VeryCoarseTimer, &a, kStart);
    const auto infos = q.timersOf(&a);
    QCOMPARE(infos.size(), 2);
    QCOMPARE(infos[0].timerId, 7);
    QCOMPARE(infos[0].interval, 1000);
    QCOMPARE(infos[0].timerType, Qt::PreciseTimer);
    QCOMPARE(infos[1].timerId, 5);
    QCOMPARE(infos[1].interval, 1000); // whole seconds
    QCOMPARE(infos[1].timerType, Qt::VeryCoarseTimer);
    QVERIFY(q.removeAll(&a));
    QVERIFY(!q.removeAll(&a));
    QVERIFY(q.timersOf(&a).isEmpty());
    QCOMPARE(q.size(), 1u);
    QCOMPARE(q.timersOf(&b).size(), 1);
    QVERIFY(!q.remove(7));
    QVERIFY(q.remove(3));
    QVERIFY(q.isEmpty());
    QCOMPARE(q.nsUntilNext(kStart), -1);
}

void TestTimerQueue::remainingTime()
{
    TimerQueue q;
    Recorder r;
    q.add(1, 100, Qt::PreciseTimer, &r, kStart);
    QCOMPARE(q.remainingMs(1, kStart), 100);
    QCOMPARE(q.remainingMs(1, kStart + 1), 100); // 99.999999 ms rounds up
    QCOMPARE(q.remainingMs(1, kStart + 40 * kMs), 60);
    QCOMPARE(q.remainingMs(1, kStart + 200 * kMs), 0);
    QCOMPARE(q.remainingMs(2, kStart), -1);
}

void TestTimerQueue::coarseStaysWithinFivePercent_data()
{
    QTest::addColumn<qint64>("interval");
    for (const qint64 ms : { 21, 40, 75, 99, 100, 250, 333, 1000, 1234, 5000, 19999 })
        QTest::addRow("%lld ms", ms) << ms;
}

void TestTimerQueue::coarseStaysWithinFivePercent()
{
    QFETCH(qint64, interval);
    Recorder r;
    for (qint64 offset = 0; offset < kSecond; offset += 7 * kMs + 13) {
        TimerQueue q;
        const qint64 now = kStart + offset;
        q.add(1, interval, Qt::CoarseTimer, &r, now);
        const qint64 ideal = now + interval * kMs;
        const qint64 deadline = q.deadlineNs(1);
        QVERIFY2(std::abs(deadline - ideal) <= interval * kMs / 20,
            qPrintable(QStringLiteral("deadline %1 ns from ideal").arg(deadline - ideal)));
        QCOMPARE(q.timersOf(&r).at(0).timerType, Qt::CoarseTimer);
    }
}

void TestTimerQueue::coarseRepeatsWithoutDrift()
{
    TimerQueue q;
    Recorder r;
    const std::atomic<bool> no { false };
    q.add(1, 333, Qt::CoarseTimer, &r, kStart);
    for (int i = 1; i <= 100; ++i) {
        const qint64 deadline = q.deadlineNs(1);
        QCOMPARE(q.activateDue(deadline, no), 1);
        const qint64 ideal = kStart + (i + 1) * 333 * kMs;
        QVERIFY(std::abs(q.deadlineNs(1) - ideal) <= 333 * kMs / 20);
    }
    QCOMPARE(r.fired.size(), 100);
}

void TestTimerQueue::coarseBoundariesBecomePreciseOrVeryCoarse()
{
    TimerQueue q;
    Recorder r;
    q.add(1, 20, Qt::CoarseTimer, &r, kStart);
    q.add(2, 20000, Qt::CoarseTimer, &r, kStart);
    const auto infos = q.timersOf(&r);
    QCOMPARE(infos[0].timerType, Qt::PreciseTimer);
    QCOMPARE(q.deadlineNs(1), kStart + 20 * kMs);
    QCOMPARE(infos[1].timerType, Qt::VeryCoarseTimer);
    QCOMPARE(q.deadlineNs(2) % kSecond, 0);
}

void TestTimerQueue::veryCoarseUsesWholeSeconds()
{
    TimerQueue q;
    Recorder r;
    const std::atomic<bool> no { false };
    // GIVEN now is 1234.567 s: rounds to 1235 s
    q.add(1, 2400, Qt::VeryCoarseTimer, &r, kStart);
    QCOMPARE(q.timersOf(&r).at(0).interval, 2000);
    QCOMPARE(q.deadlineNs(1), 1237 * kSecond);
    QCOMPARE(q.activateDue(1237 * kSecond - 1, no), 0);
    QCOMPARE(q.activateDue(1237 * kSecond + 300 * kMs, no), 1);
    QCOMPARE(q.deadlineNs(1), 1239 * kSecond);
    // A late pass lands on a whole second from now.
    QCOMPARE(q.activateDue(1250 * kSecond + 400 * kMs, no), 1);
    QCOMPARE(q.deadlineNs(1), 1252 * kSecond);
}

QTEST_GUILESS_MAIN(TestTimerQueue)
#include "tst_timerqueue.moc"

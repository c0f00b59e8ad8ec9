// planFlush: when an app is due and which of its pending conversations a tick flushes
// (docs/storage.md, "Which conversations a tick flushes"), nextScanMs: when a tick needs to
// look again, and planTailReads: how a flush's round reads the tails. Pure logic, no services.

#include "segments/flushplan.h"

#include <QSet>
#include <QTest>

#include <algorithm>
#include <limits>

using namespace confab::segments;

namespace
{

constexpr qint64 kNow = 1'000'000;
constexpr qint64 kRecord = 100; // bytes a message, as the worker estimates them

// The policy of these tests: max_bytes 10 KB (100 messages), max_age 30 s.
FlushPolicy policy(int accumulate)
{
    return FlushPolicy { 10'000, 30'000, accumulate };
}

// A conversation waiting with `waiting` messages, the oldest `ageMs` old.
PendingStream stream(const char *convo, qint64 waiting, qint64 ageMs, bool retrying = false)
{
    return PendingStream { QString::fromLatin1(convo), waiting, kNow - ageMs, retrying };
}

// Plans at accumulate 4 and checks the conversations taken, in order, and their messages.
void expectPick(const QList<PendingStream> &streams, qint64 growth,
    std::initializer_list<const char *> convos, qint64 waiting)
{
    QStringList expected;
    for (const char *c : convos)
        expected.append(QString::fromLatin1(c));
    const FlushPick p = planFlush(streams, policy(4), kNow, kRecord, growth);
    QCOMPARE(p.convos, expected);
    QCOMPARE(p.waiting, waiting);
}

QStringList sorted(QStringList l)
{
    l.sort();
    return l;
}

struct Run {
    double messagesPerConvoFlush = 0;
    qint64 flushed = 0;
    qint64 longestWaitMs = 0;
    int scans = 0; // ticks that read the pending sets and planned
};

// 1,000 conversations each receiving a message every `everyS` seconds, max_bytes 100 KB of
// 40-byte records, max_age 30 s, ticks of 1 s for ten minutes, planned as the worker plans: with
// maxGapMs 0 every tick, otherwise only from the tick nextScanMs() names, with the growth per
// tick since the last look.
Run simulateSteadyLoad(int accumulate, qint64 maxGapMs, int everyS = 1)
{
    QList<PendingStream> s;
    for (int i = 0; i < 1000; ++i)
        s.append(PendingStream { QString::number(i), 0, 0, false });
    const FlushPolicy p { 100'000, 30'000, accumulate };
    constexpr qint64 kTick = 1000, kBytes = 40;
    Run run;
    qint64 touched = 0;
    qint64 lastWaiting = 0, lastScan = 0, next = 0;
    for (int tick = 1; tick <= 600; ++tick) {
        const qint64 now = tick * kTick;
        qint64 waiting = 0;
        for (qsizetype i = 0; i < s.size(); ++i) {
            PendingStream &c = s[i];
            if ((tick + i) % everyS == 0) {
                if (c.waiting == 0)
                    c.sinceMs = now;
                ++c.waiting;
            }
            waiting += c.waiting;
        }
        if (now < next)
            continue;
        ++run.scans;
        QList<PendingStream> pending; // what the pending sets hold: conversations with messages
        for (const PendingStream &c : s) {
            if (c.waiting > 0)
                pending.append(c);
        }
        const qint64 growth
            = std::max<qint64>(0, waiting - lastWaiting) * kTick / std::max(kTick, now - lastScan);
        lastScan = now;
        const FlushPick pick = planFlush(pending, p, now, kBytes, growth);
        lastWaiting = waiting - pick.waiting;
        const QSet<QString> picked(pick.convos.cbegin(), pick.convos.cend());
        AppOutlook left { lastWaiting, growth, kBytes };
        for (const PendingStream &c : pending) {
            if (!picked.contains(c.convoId))
                left.oldestSinceMs = std::min(left.oldestSinceMs, c.sinceMs);
        }
        next = nextScanMs({ left }, std::numeric_limits<qint64>::max(), p, now, kTick, maxGapMs);
        for (PendingStream &c : s) {
            if (picked.contains(c.convoId)) {
                run.longestWaitMs = std::max(run.longestWaitMs, now - c.sinceMs);
                c.waiting = 0;
                ++touched;
            }
        }
        run.flushed += pick.waiting;
    }
    run.messagesPerConvoFlush = double(run.flushed) / double(std::max<qint64>(1, touched));
    return run;
}

} // namespace

class TestFlushPlan : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void notDueBelowAccumulateTimesMaxBytes()
    {
        // 300 messages of 100 bytes: three max_bytes, one short of accumulate 4
        const QList<PendingStream> s = { stream("a", 150, 1000), stream("b", 150, 1000) };
        QVERIFY(planFlush(s, policy(4), kNow, kRecord, 0).convos.isEmpty());
        // ...but what arrived since the last tick is expected again before the next one
        QCOMPARE(planFlush(s, policy(4), kNow, kRecord, 100).convos.size(), 1);
    }

    void dueBySizeTakesTheOldestUpToMaxBytes()
    {
        // 400 messages waiting in five conversations (accumulate x max_bytes exactly): the
        // oldest first until 100 messages (10 KB) are taken: small (20), mid2 (80), and mid,
        // which crosses max_bytes
        expectPick({ stream("small", 20, 5000), stream("big", 150, 1000), stream("mid", 60, 2000),
                       stream("mid2", 60, 3000), stream("rest", 110, 100) },
            0, { "small", "mid2", "mid" }, 140);
        // one conversation past max_bytes is taken alone
        expectPick({ stream("big", 150, 9000), stream("x", 200, 1000), stream("y", 50, 500) }, 0,
            { "big" }, 150);
        // as old as each other, the fullest first (150 waiting, 250 more expected before the
        // next tick)
        expectPick({ stream("a", 40, 1000), stream("b", 50, 1000), stream("c", 30, 1000),
                       stream("d", 20, 1000), stream("e", 10, 1000) },
            250, { "b", "a", "c" }, 120);
    }

    void dueByAgeTakesEveryoneHalfMaxAgeOld()
    {
        // GIVEN a quiet app: one conversation at max_age, two past half of it, two younger
        const QList<PendingStream> s = { stream("old", 1, 30'000), stream("half", 2, 15'000),
            stream("older-half", 1, 20'000), stream("young", 3, 14'999),
            stream("new", 1, 10) };
        // WHEN planned: everything half max_age old, then the others oldest first up to max_bytes
        const FlushPick p = planFlush(s, policy(4), kNow, kRecord, 0);
        // THEN all of it, since together it is far below max_bytes: one object, not one per
        // conversation reaching max_age
        QCOMPARE(sorted(p.convos),
            sorted({ QStringLiteral("old"), QStringLiteral("half"), QStringLiteral("older-half"),
                QStringLiteral("young"), QStringLiteral("new") }));
        QCOMPARE(p.waiting, 8);

        // AND nobody at max_age yet: nothing, however old the rest
        QVERIFY(planFlush(s.mid(1), policy(4), kNow, kRecord, 0).convos.isEmpty());

        // AND the half-old ones are taken even past max_bytes; the younger only up to it
        const QList<PendingStream> big = { stream("old", 90, 30'000), stream("half", 60, 16'000),
            stream("young", 50, 1000) };
        QCOMPARE(sorted(planFlush(big, policy(4), kNow, kRecord, 0).convos),
            sorted({ QStringLiteral("old"), QStringLiteral("half") }));
    }

    void aRetryingConversationMakesItsAppDueAndIsTaken()
    {
        const QList<PendingStream> s = { stream("fine", 5, 1000),
            stream("failed", 1, 1000, true) };
        const FlushPick p = planFlush(s, policy(4), kNow, kRecord, 0);
        QCOMPARE(sorted(p.convos), sorted({ QStringLiteral("failed"), QStringLiteral("fine") }));
    }

    void accumulateOneFlushesEverythingAtMaxBytes()
    {
        const QList<PendingStream> s = { stream("a", 60, 1000), stream("b", 30, 1000),
            stream("c", 10, 1000) };
        const FlushPick p = planFlush(s, policy(1), kNow, kRecord, 0);
        QCOMPARE(p.convos.size(), 3);
        QCOMPARE(p.waiting, 100);
        QVERIFY(planFlush(s.mid(1), policy(1), kNow, kRecord, 0).convos.isEmpty());
        // a nonsense accumulate counts as 1
        QCOMPARE(planFlush(s, policy(0), kNow, kRecord, 0).convos.size(), 3);
    }

    void aSteadyLoadPaysEachConversationsFlushForAccumulateTimesTheMessages()
    {
        // GIVEN the day's load's shape: 1,000 conversations each receiving a message a second,
        // max_bytes filled every 2.5 s, max_age 30 s, planned tick after tick (1 s) as the
        // worker does, for ten minutes
        const Run everyone = simulateSteadyLoad(1, 0);
        const Run four = simulateSteadyLoad(4, 0);
        const QString figures = QStringLiteral("messages per conversation flush %1 -> %2, "
                                               "longest wait %3 -> %4 ms")
                                    .arg(everyone.messagesPerConvoFlush)
                                    .arg(four.messagesPerConvoFlush)
                                    .arg(everyone.longestWaitMs)
                                    .arg(four.longestWaitMs);
        qInfo("%s", qPrintable(figures));
        // THEN all but the last accumulation is flushed either way, each conversation's flush
        // carries about four times the messages with accumulate 4, and no message waits
        // max_age
        QVERIFY2(everyone.flushed >= 590'000 && four.flushed >= 585'000, qPrintable(figures));
        QVERIFY2(four.messagesPerConvoFlush >= 3 * everyone.messagesPerConvoFlush,
            qPrintable(figures));
        QVERIFY2(four.longestWaitMs < 30'000, qPrintable(figures));
        QCOMPARE(four.scans, 600);
    }

    void aSteadyLoadIsLookedAtOnlyWhenAFlushCouldBeDue_data()
    {
        QTest::addColumn<int>("everyS");
        QTest::addColumn<double>("scansAtMost"); // of every tick's
        // near accumulate x max_bytes all the time: a flush every 2.5 ticks, looked at when
        // each is due
        QTest::newRow("a message a second each") << 1 << 0.5;
        // due by age only: looked at every 5 s, and at the ticks around each flush
        QTest::newRow("one every ten seconds each") << 10 << 0.3;
    }

    void aSteadyLoadIsLookedAtOnlyWhenAFlushCouldBeDue()
    {
        // GIVEN the load above, or a tenth of it, with the pending sets read every tick, or only
        // when nextScanMs() says (at most 5 s apart)
        QFETCH(int, everyS);
        QFETCH(double, scansAtMost);
        const Run everyTick = simulateSteadyLoad(4, 0, everyS);
        const Run planned = simulateSteadyLoad(4, 5000, everyS);
        const QString figures = QStringLiteral("scans %1 -> %2, messages flushed %3 -> %4, per "
                                               "conversation flush %5 -> %6, longest wait %7 -> "
                                               "%8 ms")
                                    .arg(everyTick.scans)
                                    .arg(planned.scans)
                                    .arg(everyTick.flushed)
                                    .arg(planned.flushed)
                                    .arg(everyTick.messagesPerConvoFlush)
                                    .arg(planned.messagesPerConvoFlush)
                                    .arg(everyTick.longestWaitMs)
                                    .arg(planned.longestWaitMs);
        qInfo("%s", qPrintable(figures));
        // THEN the ticks that read them are as few as expected, and the flushes are the same:
        // as many messages, as many a conversation's flush, none waiting longer (at most
        // max_age: flushed at the tick that sees it)
        QVERIFY2(planned.scans <= scansAtMost * everyTick.scans, qPrintable(figures));
        QVERIFY2(planned.flushed >= 0.98 * everyTick.flushed, qPrintable(figures));
        QVERIFY2(planned.messagesPerConvoFlush >= 0.9 * everyTick.messagesPerConvoFlush,
            qPrintable(figures));
        QVERIFY2(planned.longestWaitMs <= everyTick.longestWaitMs, qPrintable(figures));
        QVERIFY2(planned.longestWaitMs <= 30'000, qPrintable(figures));
    }

    void theNextLookIsWhenAFlushCouldFirstBeDue()
    {
        const FlushPolicy p = policy(4); // due at 400 messages of 100 bytes, or 30 s old
        const qint64 never = std::numeric_limits<qint64>::max();
        const auto quiet = [](qint64 waiting, qint64 growth, qint64 oldestAgeMs) {
            return AppOutlook { waiting, growth, kRecord, kNow - oldestAgeMs };
        };
        // every tick when there is no gap allowed
        QCOMPARE(nextScanMs({ quiet(10, 0, 1000) }, never, p, kNow, 1000, 0), kNow);
        // nothing pending: the gap
        QCOMPARE(nextScanMs({}, never, p, kNow, 1000, 5000), kNow + 5000);
        // by age: when the oldest reaches max_age
        QCOMPARE(nextScanMs({ quiet(10, 0, 28'000) }, never, p, kNow, 1000, 5000), kNow + 2000);
        // by size: 100 waiting and 50 a tick: due at the tick where 100 + 50 (k + 1) >= 400,
        // k = 5
        QCOMPARE(nextScanMs({ quiet(100, 50, 1000) }, never, p, kNow, 1000, 10'000), kNow + 5000);
        // the earliest of several apps, and a backoff ending first
        QCOMPARE(
            nextScanMs({ quiet(100, 50, 1000), quiet(1, 0, 29'500) }, never, p, kNow, 1000, 10'000),
            kNow + 500);
        QCOMPARE(
            nextScanMs({ quiet(100, 50, 1000) }, kNow + 300, p, kNow, 1000, 10'000), kNow + 300);
        // due at the next tick (300 + 50 * 2 reaches 400), or already: the next tick
        QCOMPARE(nextScanMs({ quiet(300, 50, 1000) }, never, p, kNow, 1000, 10'000), kNow + 1000);
        QCOMPARE(nextScanMs({ quiet(500, 50, 1000) }, never, p, kNow, 1000, 10'000), kNow);
    }

    void tailReadsAreBoundedWhateverTheBacklog_data()
    {
        QTest::addColumn<qsizetype>("conversations");
        QTest::addColumn<qint64>("roundBytes");
        QTest::addColumn<qint64>("share");
        QTest::addColumn<qsizetype>("window");
        // FlushOptions' defaults: 16 MiB a round, 64 KiB a read, 256 KiB ahead, 64 at most
        QTest::newRow("one busy conversation: 64 KiB reads, four at a time")
            << qsizetype(1) << qint64(16 << 20) << qint64(64 << 10) << qsizetype(4);
        QTest::newRow("ten busy ones: the same")
            << qsizetype(10) << qint64(16 << 20) << qint64(64 << 10) << qsizetype(4);
        QTest::newRow("a thousand quiet ones: their share, as many as fit ahead")
            << qsizetype(1000) << qint64(16 << 20) << qint64(16777) << qsizetype(15);
        QTest::newRow("small shares: at most the window's cap")
            << qsizetype(2) << qint64(6144) << qint64(3072) << qsizetype(64);
        QTest::newRow("a share below a byte: at least one record each")
            << qsizetype(100) << qint64(10) << qint64(1) << qsizetype(64);
        QTest::newRow("no conversation counted: one share")
            << qsizetype(0) << qint64(16 << 20) << qint64(64 << 10) << qsizetype(4);
    }

    void tailReadsAreBoundedWhateverTheBacklog()
    {
        QFETCH(qsizetype, conversations);
        QFETCH(qint64, roundBytes);
        QFETCH(qint64, share);
        QFETCH(qsizetype, window);
        const TailReads reads = planTailReads(conversations, roundBytes, 64 << 10, 256 << 10, 64);
        QCOMPARE(reads.share, share);
        QCOMPARE(reads.window, window);
    }

    void aReadLargerThanWhatMayBeAheadGoesAlone()
    {
        const TailReads reads = planTailReads(1, 16 << 20, 1 << 20, 256 << 10, 64);
        QCOMPARE(reads.share, qint64(1 << 20));
        QCOMPARE(reads.window, qsizetype(1));
    }
};

QTEST_APPLESS_MAIN(TestFlushPlan)
#include "tst_flushplan.moc"

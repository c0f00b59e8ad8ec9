// planFlush: when an app is due and which of its pending conversations a tick flushes
// (docs/storage.md, "Which conversations a tick flushes"). Pure logic, no services.

#include "segments/flushplan.h"

#include <QSet>
#include <QTest>

#include <algorithm>

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
        struct Run {
            double messagesPerConvoFlush = 0;
            qint64 flushed = 0;
            qint64 longestWaitMs = 0;
        };
        const auto simulate = [](int accumulate) {
            QList<PendingStream> s;
            for (int i = 0; i < 1000; ++i)
                s.append(PendingStream { QString::number(i), 0, 0, false });
            const FlushPolicy p { 100'000, 30'000, accumulate };
            Run run;
            qint64 touched = 0;
            qint64 lastWaiting = 0;
            for (int tick = 1; tick <= 600; ++tick) {
                const qint64 now = tick * 1000;
                qint64 waiting = 0;
                for (PendingStream &c : s) {
                    if (c.waiting == 0)
                        c.sinceMs = now;
                    ++c.waiting;
                    waiting += c.waiting;
                }
                const FlushPick pick
                    = planFlush(s, p, now, 40, std::max<qint64>(0, waiting - lastWaiting));
                const QSet<QString> picked(pick.convos.cbegin(), pick.convos.cend());
                for (PendingStream &c : s) {
                    if (picked.contains(c.convoId)) {
                        run.longestWaitMs = std::max(run.longestWaitMs, now - c.sinceMs);
                        c.waiting = 0;
                        ++touched;
                    }
                }
                run.flushed += pick.waiting;
                lastWaiting = waiting - pick.waiting;
            }
            run.messagesPerConvoFlush = double(run.flushed) / double(qMax<qint64>(1, touched));
            return run;
        };
        const Run everyone = simulate(1);
        const Run four = simulate(4);
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
    }
};

QTEST_APPLESS_MAIN(TestFlushPlan)
#include "tst_flushplan.moc"

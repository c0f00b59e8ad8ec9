// Retry timing of webhooks: exponential with equal jitter, capped, and bounded by the retry
// window (then a dead letter).
#include "webhooks/backoff.h"

#include <QTest>

using namespace confab::webhooks;

class tst_Backoff : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void doublesWithinJitterBounds_data()
    {
        QTest::addColumn<int>("attempt");
        QTest::addColumn<qint64>("step");
        QTest::addRow("first retry") << 1 << qint64(1000);
        QTest::addRow("second") << 2 << qint64(2000);
        QTest::addRow("fifth") << 5 << qint64(16000);
        QTest::addRow("capped") << 12 << kBackoffCapMs;
        QTest::addRow("huge attempt count stays capped") << 1000 << kBackoffCapMs;
        QTest::addRow("zero is treated as the first") << 0 << qint64(1000);
    }
    void doublesWithinJitterBounds()
    {
        QFETCH(int, attempt);
        QFETCH(qint64, step);
        QCOMPARE(backoffMs(attempt, 0.0), step / 2);
        QCOMPARE(backoffMs(attempt, 1.0), step);
        const qint64 mid = backoffMs(attempt, 0.5);
        QVERIFY(mid > step / 2 && mid < step);
        QCOMPARE(backoffMs(attempt, -3.0), step / 2); // out-of-range jitter is clamped
        QCOMPARE(backoffMs(attempt, 7.0), step);
    }

    void windowEndsInADeadLetter()
    {
        // GIVEN an event created at t=0 with a 10 s window
        // THEN a failure before the end waits its backoff, a late one is clamped to the end,
        // and a failure at or after the end is final
        QCOMPARE(nextAttemptMs(1, 1.0, 1000, 0, 10000), 2000);
        QCOMPARE(nextAttemptMs(4, 1.0, 9000, 0, 10000), 10000);
        QCOMPARE(nextAttemptMs(5, 0.0, 10000, 0, 10000), -1);
        QCOMPARE(nextAttemptMs(5, 0.0, 50000, 0, 10000), -1);
    }
};

QTEST_GUILESS_MAIN(tst_Backoff)
#include "tst_backoff.moc"

#include "core/statshistory.h"

#include <QTest>

using namespace confab::console;

class tst_StatsHistory : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keepsTheLatestInOrder_data()
    {
        QTest::addColumn<int>("capacity");
        QTest::addColumn<int>("appended");
        QTest::addRow("partly filled") << 5 << 3;
        QTest::addRow("exactly full") << 5 << 5;
        QTest::addRow("wrapped once") << 5 << 7;
        QTest::addRow("wrapped many times") << 4 << 23;
        QTest::addRow("capacity one") << 1 << 3;
    }

    void keepsTheLatestInOrder()
    {
        QFETCH(int, capacity);
        QFETCH(int, appended);
        StatsHistory h(capacity);
        for (int i = 1; i <= appended; ++i)
            h.append(StatsSample { i * 1000, i, double(i), 0, 0, 0, {} });
        const int expected = std::min(capacity, appended);
        QCOMPARE(h.size(), expected);
        const QList<StatsSample> s = h.samples();
        QCOMPARE(s.size(), expected);
        for (int i = 0; i < expected; ++i)
            QCOMPARE(s.at(i).streamDepth, appended - expected + 1 + i);
        QCOMPARE(h.latest().streamDepth, appended);
    }

    void samplesSinceCutsByTime()
    {
        StatsHistory h(10);
        for (int i = 1; i <= 10; ++i)
            h.append(StatsSample { i * 1000, i, 0, 0, 0, 0, {} });
        const QList<StatsSample> s = h.samplesSince(7000);
        QCOMPARE(s.size(), 4);
        QCOMPARE(s.first().ts, 7000);
        QCOMPARE(s.last().ts, 10000);
    }

    void takesFiguresFromStats()
    {
        Stats st;
        st.ts = 42;
        st.streamDepth = 7;
        st.ingestPerS = 3.5;
        st.flush.p50Ms = 1;
        st.flush.p95Ms = 2;
        st.flush.p99Ms = 3;
        StatsHistory h;
        h.append(st);
        const StatsSample s = h.latest();
        QCOMPARE(s.ts, 42);
        QCOMPARE(s.streamDepth, 7);
        QCOMPARE(s.ingestPerS, 3.5);
        QCOMPARE(s.flushP99Ms, 3.0);
    }

    void clearEmpties()
    {
        StatsHistory h(3);
        h.append(StatsSample { 1, 1, 0, 0, 0, 0, {} });
        h.clear();
        QVERIFY(h.isEmpty());
        QVERIFY(h.samples().isEmpty());
        h.append(StatsSample { 2, 2, 0, 0, 0, 0, {} });
        QCOMPARE(h.samples().size(), 1);
    }
};

QTEST_GUILESS_MAIN(tst_StatsHistory)
#include "tst_statshistory.moc"

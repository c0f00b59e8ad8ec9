#include "confab/ratelatch.h"

#include <QTest>

using confab::RateLatch;

class TestRateLatch : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void zeroLineIsAlwaysOn()
    {
        RateLatch latch(0);
        QVERIFY(latch.isOn());
        QVERIFY(latch.on(0));
        QVERIFY(latch.on(10000)); // nothing counted, still on
    }

    void switchesOnAtTheLine()
    {
        RateLatch latch(1000); // 100 events per 100 ms
        QVERIFY(!latch.isOn());
        latch.count(99);
        QVERIFY(!latch.on(100)); // 990 a second
        latch.count(100);
        QVERIFY(latch.on(200)); // 1000 a second
        QVERIFY(latch.isOn());
    }

    void decidesAtMostOncePerSpan()
    {
        RateLatch latch(1000);
        latch.count(1000);
        QVERIFY(!latch.on(99)); // not a whole span yet: the first decision (off) stands
        QVERIFY(latch.on(100));
        // Nothing counted since, but the decision is 50 ms old: it stands.
        QVERIFY(latch.on(150));
        QVERIFY(!latch.on(200)); // now a span: 0 a second
    }

    void staysOnDownToThreeQuarters()
    {
        RateLatch latch(1000);
        latch.count(100);
        QVERIFY(latch.on(100));
        latch.count(75);
        QVERIFY(latch.on(200)); // 750 a second: inside the gap, still on
        latch.count(74);
        QVERIFY(!latch.on(300)); // 740: off
        latch.count(99);
        QVERIFY(!latch.on(400)); // 990: inside the gap, still off
    }

    void aLongQuietSpanCountsAsQuiet()
    {
        RateLatch latch(1000);
        latch.count(100);
        QVERIFY(latch.on(100));
        latch.count(100); // 100 events over 10 s after the last decision: 10 a second
        QVERIFY(!latch.on(10100));
    }

    void countsAnyStep()
    {
        RateLatch latch(50000);
        for (int i = 0; i < 5000; ++i)
            latch.count();
        QVERIFY(latch.on(100));
    }
};

QTEST_GUILESS_MAIN(TestRateLatch)
#include "tst_ratelatch.moc"

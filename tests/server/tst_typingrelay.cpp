#include "gateway/typingrelay.h"

#include <QTest>

using confab::gateway::TypingRelay;

namespace {

struct Published {
    QString app;
    QByteArray convo;
    QByteArray user;
    bool start = false;
};

} // namespace

class TestTypingRelay : public QObject
{
    Q_OBJECT

private:
    QList<Published> m_out;
    TypingRelay relay(qint64 intervalMs = 3000)
    {
        return TypingRelay(intervalMs, 10000, [this](const QString &a, const QByteArray &c, const QByteArray &u, bool s) {
            m_out.append({a, c, u, s});
        });
    }

private Q_SLOTS:
    void init() { m_out.clear(); }

    void startsAreCoalescedPerInterval()
    {
        TypingRelay r = relay();
        // GIVEN 100 starts within one interval, WHEN relayed, THEN the members get one
        for (int i = 0; i < 100; ++i)
            r.start(QStringLiteral("a"), "u1", "c1", 1000 + i * 10);
        QCOMPARE(m_out.size(), 1);
        QVERIFY(m_out[0].start);
        QCOMPARE(m_out[0].user, QByteArray("u1"));
        // a start an interval after the last relayed one goes through (keeps peers' 10 s alive)
        r.start(QStringLiteral("a"), "u1", "c1", 4000);
        QCOMPARE(m_out.size(), 2);
    }

    void pairsAreIndependent()
    {
        TypingRelay r = relay();
        r.start(QStringLiteral("a"), "u1", "c1", 0);
        r.start(QStringLiteral("a"), "u1", "c2", 0);
        r.start(QStringLiteral("a"), "u2", "c1", 0);
        r.start(QStringLiteral("b"), "u1", "c1", 0);
        QCOMPARE(m_out.size(), 4);
        QCOMPARE(r.size(), 4);
    }

    void stopOnlyAfterARelayedStart()
    {
        TypingRelay r = relay();
        r.stop(QStringLiteral("a"), "u1", "c1", 0);
        QCOMPARE(m_out.size(), 0);
        r.start(QStringLiteral("a"), "u1", "c1", 0);
        r.stop(QStringLiteral("a"), "u1", "c1", 10);
        r.stop(QStringLiteral("a"), "u1", "c1", 20);
        QCOMPARE(m_out.size(), 2);
        QVERIFY(!m_out[1].start);
        // toggling start/stop fast relays at most a start and a stop per interval
        for (int i = 0; i < 50; ++i) {
            r.start(QStringLiteral("a"), "u1", "c1", 100 + i);
            r.stop(QStringLiteral("a"), "u1", "c1", 100 + i);
        }
        QCOMPARE(m_out.size(), 2);
    }

    void sweepEndsExpiredStartsAndForgets()
    {
        TypingRelay r = relay();
        r.start(QStringLiteral("a"), "u1", "c1", 0);
        r.start(QStringLiteral("a"), "u2", "c1", 0);
        r.stop(QStringLiteral("a"), "u2", "c1", 1);
        r.sweep(2000);
        QCOMPARE(r.size(), 2); // u2 stopped less than an interval ago
        r.sweep(3000);
        QCOMPARE(r.size(), 1);
        // a still-typing user's coalesced starts keep it from expiring
        r.start(QStringLiteral("a"), "u1", "c1", 2500);
        r.sweep(10000);
        QCOMPARE(m_out.size(), 3);
        r.sweep(12500);
        QCOMPARE(m_out.size(), 4);
        QVERIFY(!m_out.last().start);
        QCOMPARE(m_out.last().user, QByteArray("u1"));
        QCOMPARE(r.size(), 0);
    }

    void zeroIntervalRelaysEveryStart()
    {
        TypingRelay r = relay(0);
        for (int i = 0; i < 5; ++i)
            r.start(QStringLiteral("a"), "u1", "c1", 100);
        QCOMPARE(m_out.size(), 5);
    }
};

QTEST_APPLESS_MAIN(TestTypingRelay)
#include "tst_typingrelay.moc"

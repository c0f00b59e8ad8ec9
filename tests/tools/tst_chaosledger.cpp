// The checks of a chaos run (tools/chaos/ledger.h) on made-up histories: each kind of damage
// tools/chaos.sh must catch is caught and lands in the row of the fault it happened in.
#include "ledger.h"

#include <QTest>

using confab::chaos::Fault;
using confab::chaos::Ledger;
using confab::chaos::Report;
using History = std::vector<std::pair<qint64, qint64>>;

class TestChaosLedger : public QObject
{
    Q_OBJECT

private:
    // Three messages in conversation 0, created at 100, 200 and 1100 ms and acked 10 ms later
    // with seq_no 1..3; one fault from 150 to 180 ms (settle 50 ms: its window ends at 230).
    static Ledger threeAcked()
    {
        Ledger l;
        const qint64 created[] = {100, 200, 1100};
        for (qint64 seq = 1; seq <= 3; ++seq) {
            const qint64 id = l.create(0, created[seq - 1]);
            l.sent(id);
            l.acked(id, seq, created[seq - 1] + 10 * seq);
        }
        return l;
    }
    static QList<Fault> oneFault() { return {Fault{QStringLiteral("kill"), 150, 180}}; }
    static History exact() { return {{1, 0}, {2, 1}, {3, 2}}; }

private Q_SLOTS:
    void clientMsgIdsMapBackToIds()
    {
        QCOMPARE(Ledger::clientMsgId(42), QByteArray("m42"));
        QCOMPARE(Ledger::idFromClientMsgId("m42"), 42);
        QCOMPARE(Ledger::idFromClientMsgId("m0"), 0);
        QCOMPARE(Ledger::idFromClientMsgId("m"), -1);
        QCOMPARE(Ledger::idFromClientMsgId("x42"), -1);
        QCOMPARE(Ledger::idFromClientMsgId("m4x"), -1);
        QCOMPARE(Ledger::idFromClientMsgId("m-1"), -1);
    }

    void faultsAreReadFromTabSeparatedLines()
    {
        const auto faults = confab::chaos::parseFaults("kill -9 node2\t100\t350\n\nbad line\nSIGSTOP Redis 5 s\t400\t5400\n");
        QCOMPARE(faults.size(), 2);
        QCOMPARE(faults[0].name, QStringLiteral("kill -9 node2"));
        QCOMPARE(faults[0].startMs, 100);
        QCOMPARE(faults[1].endMs, 5400);
    }

    void aCleanRunPasses()
    {
        Ledger l = threeAcked();
        l.setHistory(0, exact());
        l.addHolder(0, {0, 1, 2});
        l.reconnected(160);
        const Report r = l.check(oneFault(), 50);
        QVERIFY(r.ok());
        QCOMPARE(r.rows.size(), 3);   // kill, no fault, all
        // GIVEN the message created at 200 ms, inside the fault's window (150..230)
        QCOMPARE(r.rows[0].acked, 1u);
        QCOMPARE(r.rows[0].durationMs, 30);
        QCOMPARE(r.rows[0].p99Ms, 20.0);
        QCOMPARE(r.rows[0].reconnects, 1u);
        QCOMPARE(r.rows[1].acked, 2u);
        QCOMPARE(r.rows[2].acked, 3u);
        QCOMPARE(r.rows[2].p99Ms, 30.0);
        QCOMPARE(r.holders, 1u);
        QVERIFY(r.table().contains(QLatin1String("verdict: OK")));
    }

    void anAckedMessageMissingFromHistoryIsLost()
    {
        Ledger l = threeAcked();
        l.setHistory(0, {{1, 0}, {2, 2}});   // the message acked as seq 2 is gone, 3 moved up
        const Report r = l.check(oneFault(), 50);
        QVERIFY(!r.ok());
        QCOMPARE(r.rows[0].lost, 1u);   // created at 200 ms: the fault's row
        QCOMPARE(r.rows[1].lost, 1u);   // acked as seq 3, found at seq 2
        QCOMPARE(r.rows.last().lost, 2u);
        QVERIFY(r.table().contains(QLatin1String("verdict: FAILED")));
    }

    void aClientMsgIdStoredTwiceIsADuplicate()
    {
        Ledger l = threeAcked();
        l.setHistory(0, {{1, 0}, {2, 1}, {3, 2}, {4, 1}});
        const Report r = l.check(oneFault(), 50);
        QVERIFY(!r.ok());
        QCOMPARE(r.rows[0].duplicates, 1u);
        QCOMPARE(r.rows.last().duplicates, 1u);
        QCOMPARE(r.rows.last().lost, 0u);
        QCOMPARE(r.gaps, 0u);
    }

    void missingAndUnorderedSeqNosAreReported()
    {
        Ledger l = threeAcked();
        l.setHistory(0, {{1, 0}, {3, 2}, {2, 1}});
        const Report r = l.check({}, 0);
        QCOMPARE(r.gaps, 1u);
        QCOMPARE(r.disorder, 1u);
        QVERIFY(!r.ok());
    }

    void historyEntriesThisRunNeverSentAreUnknown()
    {
        Ledger l = threeAcked();
        l.setHistory(0, {{1, 0}, {2, 1}, {3, 2}, {4, -1}, {5, 99}});
        const Report r = l.check({}, 0);
        QCOMPARE(r.unknown, 2u);
        QVERIFY(!r.ok());
    }

    void unacknowledgedAndRefusedSendsFailTheRun()
    {
        Ledger l = threeAcked();
        l.sent(l.create(0, 2000));
        const qint64 refused = l.create(0, 2100);
        l.sent(refused);
        l.sent(refused);
        l.refused(refused);
        l.setHistory(0, exact());
        const Report r = l.check({}, 0);
        QCOMPARE(r.unacked, 1u);
        QCOMPARE(r.refused, 1u);
        QCOMPARE(r.rows.last().resent, 1u);
        QVERIFY(!r.ok());
    }

    void aClientHoldingAnotherSequenceFailsTheRun_data()
    {
        QTest::addColumn<std::vector<qint64>>("held");
        QTest::addRow("behind") << std::vector<qint64>{0, 1};
        QTest::addRow("hole") << std::vector<qint64>{0, -1, 2};
        QTest::addRow("swapped") << std::vector<qint64>{1, 0, 2};
        QTest::addRow("extra") << std::vector<qint64>{0, 1, 2, 2};
    }

    void aClientHoldingAnotherSequenceFailsTheRun()
    {
        QFETCH(std::vector<qint64>, held);
        Ledger l = threeAcked();
        l.setHistory(0, exact());
        l.addHolder(0, {0, 1, 2});
        l.addHolder(0, held);
        const Report r = l.check({}, 0);
        QCOMPARE(r.holders, 2u);
        QCOMPARE(r.holderMismatches, 1u);
        QVERIFY(!r.ok());
    }

    void theTimelineGroupsBySecondOfCreation()
    {
        Ledger l;
        l.acked(l.create(0, 10000), 1, 10005);
        l.acked(l.create(0, 10900), 2, 10950);
        l.create(0, 12100);   // never acked
        const QByteArray t = l.timeline({Fault{QStringLiteral("stop S3"), 11500, 12500}});
        QCOMPARE(t, QByteArray("t_s created acked p99_ms max_ms fault\n"
                               "0 2 2 50 50 -\n"
                               "2 1 0 0 0 stop S3\n"));
    }

    void aDuplicateAckKeepsTheFirstAck()
    {
        Ledger l;
        const qint64 id = l.create(0, 0);
        l.acked(id, 1, 5);
        l.acked(id, 1, 900);   // the resend's duplicate ack
        l.setHistory(0, {{1, id}});
        const Report r = l.check({}, 0);
        QVERIFY(r.ok());
        QCOMPARE(r.rows.last().p99Ms, 5.0);
    }
};

QTEST_GUILESS_MAIN(TestChaosLedger)
#include "tst_chaosledger.moc"

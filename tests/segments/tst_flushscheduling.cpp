// Flush scheduling per hash slot (docs/storage.md, "Which conversations need flushing") against
// real PostgreSQL, Redis and S3: the dirty-slot set, an empty slot leaving it without losing a
// racing accept, the sweep that repairs a lost mark, per-slot recovered markers, and the move of
// a previous version's single flush:pending set.

#include "segmentstest.h"

#include "segments/flushworker.h"
#include "segments/pendingslots.h"

using namespace confab;
using namespace confab::segments;
using confab::test::Harness;
using confab::test::quickOptions;

class TestFlushScheduling : public QObject
{
    Q_OBJECT

    std::unique_ptr<Harness> h;

    int slotOf(const QByteArray &convo) const { return schema::convoSlot(h->app, convo); }
    bool isDirty(int slot)
    {
        return h->command({ "SISMEMBER", schema::dirtySlotsKey(), QByteArray::number(slot) })->toInteger() == 1;
    }
    qint64 dirtyCount() { return h->command({ "SCARD", schema::dirtySlotsKey() })->toInteger(); }
    // A conversation name whose slot differs from `other`'s.
    QByteArray otherSlotThan(const QByteArray &other)
    {
        for (int i = 0;; ++i) {
            const QByteArray c = "d" + QByteArray::number(i);
            if (slotOf(c) != slotOf(other))
                return c;
        }
    }

private Q_SLOTS:
    void init()
    {
        h = std::make_unique<Harness>();
        QVERIFY2(h->setUp(), "test services missing; run through ctest");
    }
    void cleanup() { h.reset(); }

    void acceptMarksItsSlotAndAFlushedSlotLeaves()
    {
        // GIVEN two conversations on two slots
        const QByteArray b = otherSlotThan("a");
        QCOMPARE(h->send(QStringLiteral("a"), "1"), 1);
        QCOMPARE(h->send(QString::fromUtf8(b), "1"), 1);
        // THEN each is in its own slot's pending set, and both slots are dirty
        QCOMPARE(h->command({ "ZCARD", schema::pendingKey(slotOf("a")) })->toInteger(), 1);
        QCOMPARE(h->command({ "ZCARD", schema::pendingKey(slotOf(b)) })->toInteger(), 1);
        QVERIFY(isDirty(slotOf("a")) && isDirty(slotOf(b)));
        QCOMPARE(dirtyCount(), 2);
        QCOMPARE(h->command({ "EXISTS", schema::legacyPendingKey() })->toInteger(), 0);

        // WHEN flushed, the pending sets empty; the next read of the dirty slots lets them go
        FlushWorker worker({ h->redis.get(), h->db.get(), h->s3.get(), nullptr }, quickOptions());
        QCOMPARE(*test::run(worker.flushNow()), 1);
        QCOMPARE(h->pendingCount(), 0);
        QCOMPARE(*test::run(worker.flushNow()), 0);
        QCOMPARE(dirtyCount(), 0);

        // AND a later message marks its slot again
        QCOMPARE(h->send(QStringLiteral("a"), "2"), 2);
        QVERIFY(isDirty(slotOf("a")));
        QCOMPARE(dirtyCount(), 1);
    }

    void releasingASlotAnAcceptJustFilledKeepsIt()
    {
        // GIVEN a slot seen empty by a flush cycle, into which an accept then added a
        // conversation (its own SADD was a no-op: the slot was still dirty)
        QCOMPARE(h->send(QStringLiteral("a"), "1"), 1);
        const int slot = slotOf("a");
        QVERIFY(isDirty(slot));
        // WHEN the cycle releases it
        STORE_VERIFY(test::run(pending::releaseEmpty(h->redis.get(), { slot })));
        // THEN its second look finds the member and puts the slot back
        QVERIFY(isDirty(slot));
        FlushWorker worker({ h->redis.get(), h->db.get(), h->s3.get(), nullptr }, quickOptions());
        QCOMPARE(*test::run(worker.flushNow()), 1);
        // ...while a slot really empty goes
        STORE_VERIFY(test::run(pending::releaseEmpty(h->redis.get(), { slot })));
        QVERIFY(!isDirty(slot));
    }

    void sweepRepairsALostDirtyMark()
    {
        // GIVEN a pending conversation whose slot mark was lost (a node died between its
        // accept script and its SADD, or the dirty set's shard lost its data)
        QCOMPARE(h->send(QStringLiteral("a"), "1"), 1);
        QVERIFY(h->command({ "DEL", schema::dirtySlotsKey() }));
        FlushWorker worker({ h->redis.get(), h->db.get(), h->s3.get(), nullptr }, quickOptions());
        // ...a flush does not see it
        QCOMPARE(*test::run(worker.flushNow()), 0);
        QCOMPARE(h->pendingCount(), 1);
        // WHEN the sweep runs, it finds the one non-empty pending set of 16,384
        const Expected<int> swept = test::run(pending::sweep(h->redis.get()));
        STORE_VERIFY(swept);
        QCOMPARE(*swept, 1);
        QVERIFY(isDirty(slotOf("a")));
        QCOMPARE(*test::run(worker.flushNow()), 1);
    }

    void sweepTimerFlushesALostMarkByItself()
    {
        QCOMPARE(h->send(QStringLiteral("a"), "1"), 1);
        QVERIFY(h->command({ "DEL", schema::dirtySlotsKey() }));
        FlushOptions o = quickOptions();
        o.maxAgeMs = 0;
        o.sweepIntervalMs = 200;
        FlushWorker worker({ h->redis.get(), h->db.get(), h->s3.get(), nullptr }, o);
        QSignalSpy written(&worker, &FlushWorker::segmentWritten);
        worker.start();
        QVERIFY(written.wait(10000));
        worker.stop();
        QCOMPARE(h->sqlCount(QStringLiteral("SELECT flushed_seq FROM flush_state")), 1);
    }

    void aSlotWithoutItsMarkerRefusesAlone()
    {
        // GIVEN one slot's recovered marker gone (its shard lost its data)
        const QByteArray b = otherSlotThan("a");
        QVERIFY(h->command({ "DEL", schema::recoveredKey(slotOf("a")) }));
        // THEN sends on that slot are refused, nothing applied, and other slots accept
        QCOMPARE(h->send(QStringLiteral("a"), "1"), 0);
        QCOMPARE(h->command({ "EXISTS", test::mkeys::seq(h->app, "a") })->toInteger(), 0);
        QCOMPARE(h->send(QString::fromUtf8(b), "1"), 1);
        // WHEN recovery runs, every slot has its marker again
        FlushWorker worker({ h->redis.get(), h->db.get(), h->s3.get(), nullptr }, quickOptions());
        STORE_VERIFY(test::run(worker.recover()));
        for (int s = 0; s < redis::kSlotCount; s += 1021)
            QCOMPARE(h->command({ "EXISTS", schema::recoveredKey(s) })->toInteger(), 1);
        QCOMPARE(h->send(QStringLiteral("a"), "1"), 1);
    }

    void everySlotMarkedRecoveredEitherWay_data()
    {
        QTest::addColumn<bool>("oneCommand");
        QTest::newRow("MSET (one Redis)") << true;
        QTest::newRow("pipelined SETs (cluster)") << false;
    }
    void everySlotMarkedRecoveredEitherWay()
    {
        QFETCH(bool, oneCommand);
        QVERIFY(h->command({ "FLUSHALL" }));
        STORE_VERIFY(test::run(pending::markRecovered(h->redis.get(), 42, oneCommand)));
        QList<QByteArray> mget { QByteArrayLiteral("MGET") };
        for (int s = 0; s < redis::kSlotCount; ++s)
            mget.append(schema::recoveredKey(s));
        const redis::Reply values = h->command(mget);
        QCOMPARE(values->elements.size(), qsizetype(redis::kSlotCount));
        for (const redis::Value &v : values->elements)
            QCOMPARE(v.str, QByteArray("42"));
        QCOMPARE(h->command({ "DBSIZE" })->toInteger(), qint64(redis::kSlotCount));
    }

    void recoveryMovesThePreviousVersionsPendingSet()
    {
        // GIVEN a Redis written by the previous version: messages whose conversation sits in the
        // deployment-wide flush:pending (PostgreSQL does not know the conversation, so only the
        // move can find it), and a member that names nothing
        for (int i = 1; i <= 5; ++i)
            QCOMPARE(h->send(QStringLiteral("old"), QByteArray::number(i), false), i);
        QCOMPARE(h->pendingCount(), 0);
        const qint64 ts = QDateTime::currentMSecsSinceEpoch() - 5000;
        QVERIFY(h->command({ "ZADD", schema::legacyPendingKey(), QByteArray::number(ts),
            schema::pendingMember(h->app, "old") }));
        QVERIFY(h->command({ "ZADD", schema::legacyPendingKey(), "1", "malformed" }));
        QVERIFY(h->command({ "SET", schema::legacyRecoveredKey(), "1" }));

        // WHEN a node of this version recovers
        FlushWorker worker({ h->redis.get(), h->db.get(), h->s3.get(), nullptr }, quickOptions());
        STORE_VERIFY(test::run(worker.recover()));

        // THEN the old set is gone, its conversation pending in its slot with its old score
        QCOMPARE(h->command({ "EXISTS", schema::legacyPendingKey() })->toInteger(), 0);
        const redis::Reply score = h->command(
            { "ZSCORE", schema::pendingKey(slotOf("old")), schema::pendingMember(h->app, "old") });
        QCOMPARE(score->str.toLongLong(), ts);
        QVERIFY(isDirty(slotOf("old")));
        // AND it is flushed
        QCOMPARE(*test::run(worker.flushNow()), 1);
        QCOMPARE(h->sqlCount(QStringLiteral("SELECT flushed_seq FROM flush_state")), 5);
    }

    void racingAcceptsAndCyclesLeaveNoPendingSlotUnmarked()
    {
        // Accepts on a few slots issued while flush cycles read and release the dirty slots;
        // the interleavings vary, the invariant may not: a non-empty pending set's slot is dirty.
        FlushWorker worker({ h->redis.get(), h->db.get(), h->s3.get(), nullptr }, quickOptions());
        const QList<QByteArray> convos { "r1", "r2", "r3", "r4" };
        for (int round = 0; round < 40; ++round) {
            auto cycle = worker.flushNow();
            for (int i = 0; i < round % 4 + 1; ++i)
                QVERIFY(h->send(QString::fromUtf8(convos[(round + i) % 4]), QByteArray::number(round)) > 0);
            QVERIFY(test::run(std::move(cycle)).has_value());
            for (const QByteArray &c : convos) {
                const int slot = slotOf(c);
                if (h->command({ "EXISTS", schema::pendingKey(slot) })->toInteger() == 1)
                    QVERIFY2(isDirty(slot), c.constData());
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestFlushScheduling)
#include "tst_flushscheduling.moc"

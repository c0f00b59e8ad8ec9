// RetentionWorker against real PostgreSQL, Redis and S3, with segments written by the real flush
// worker from messages accepted by the real accept script: expired objects and their index rows
// go, fresh and partly fresh segments stay, tails are trimmed only below the cutoff, counters
// and read watermarks stay, nodes take turns through the lock, and a store that is down keeps
// its rows for the next pass.

#include "segmentstest.h"

#include "retention/expiry.h"
#include "retention/retentionworker.h"
#include "segments/flushworker.h"
#include "segments/historystore.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>

using namespace confab;
using namespace confab::retention;
using confab::test::Harness;

namespace
{

constexpr qint64 kHourMs = 3600000;

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

segments::FlushOptions flushOptions()
{
    segments::FlushOptions o;
    o.maxAgeMs = 600000; // only flushNow() flushes
    o.tickMs = 50;
    o.hotWindow = 4;
    return o;
}

RetentionOptions hourOptions()
{
    RetentionOptions o;
    o.maxAgeMs = kHourMs;
    o.intervalMs = 200;
    return o;
}

// What the envelope writer produces, with a ts of our choosing; "ts" inside content must not
// be mistaken for the accept time.
QByteArray envelope(qint64 seq, qint64 ts)
{
    return "{\"server_msg_id\":\"m" + QByteArray::number(seq) + "\",\"convo_id\":\"c\",\"seq_no\":"
        + QByteArray::number(seq) + ",\"sender_id\":\"u1\",\"ts\":" + QByteArray::number(ts)
        + ",\"content\":{\"text\":\"x\",\"ts\":1}}";
}

} // namespace

class TestRetentionWorker : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void cutoff_data();
    void cutoff();
    void tailScript_data();
    void tailScript();
    void passDeletesWhatExpiredAndKeepsTheRest();
    void batchesCoverEverything();
    void storeDownKeepsRowsAndReportsError();
    void waitsForAnotherNodesLock();
    void lockWaitIsBounded();
    void runNowDuringAPassRunsAnother();
    void timerRunsPasses();

private:
    // Harness::send with the accept time chosen by the test.
    qint64 sendAt(const QString &convo, const QByteArray &text, qint64 ts, bool pending = true)
    {
        return h->send(convo, text, pending, ts);
    }
    [[nodiscard]] bool addConversations(const QStringList &ids);
    [[nodiscard]] QList<qint64> tailSeqs(const QString &convo);
    [[nodiscard]] QList<qint64> historySeqs(const QString &convo);
    [[nodiscard]] bool objectExists(const QString &key);
    [[nodiscard]] RetentionDeps deps(objectstore::ObjectStore *store = nullptr);

    std::unique_ptr<Harness> h;
};

void TestRetentionWorker::init()
{
    h = std::make_unique<Harness>();
    QVERIFY2(h->setUp(), "test services missing; run through ctest");
}

void TestRetentionWorker::cleanup()
{
    h.reset();
}

// Rows in the conversations table, which is where retention finds the tails.
bool TestRetentionWorker::addConversations(const QStringList &ids)
{
    auto inserting = h->db->run<int>([app = h->app, ids](QSqlDatabase &conn) -> Expected<int> {
        for (const QString &id : ids) {
            QSqlQuery q(conn);
            q.prepare(QStringLiteral(
                "INSERT INTO conversations (app_id, id, kind) VALUES (:a, :c, 'group')"));
            q.bindValue(QStringLiteral(":a"), app);
            q.bindValue(QStringLiteral(":c"), id);
            if (!q.exec())
                return Error::internal(q.lastError().text());
        }
        return int(ids.size());
    });
    return test::finish(inserting) && inserting.result();
}

QList<qint64> TestRetentionWorker::tailSeqs(const QString &convo)
{
    QList<qint64> out;
    for (const auto &entry : h->tailOf(convo))
        out.append(entry.first);
    return out;
}

// What a reader with the retention period set sees, oldest first.
QList<qint64> TestRetentionWorker::historySeqs(const QString &convo)
{
    segments::HistoryOptions o;
    o.retentionMs = kHourMs;
    segments::HistoryStore history(h->redis.get(), h->db.get(), h->s3.get(), nullptr, o);
    const Expected<segments::Page> page = test::run(history.after(h->app, convo.toUtf8(), 0, 200));
    QList<qint64> out;
    if (!page)
        return { -1 };
    for (const QByteArray &m : page->messages)
        out.append(QJsonDocument::fromJson(m).object().value(QStringLiteral("seq_no")).toInteger());
    return out;
}

bool TestRetentionWorker::objectExists(const QString &key)
{
    const Expected<objectstore::ObjectInfo> info = test::run(h->s3->head(key));
    if (!info && info.error().code != ErrorCode::NotFound)
        qWarning() << "head" << key << "failed:" << info.error().message;
    return bool(info);
}

RetentionDeps TestRetentionWorker::deps(objectstore::ObjectStore *store)
{
    return RetentionDeps { h->redis.get(), h->db.get(), store ? store : h->s3.get(), &h->metrics };
}

void TestRetentionWorker::cutoff_data()
{
    QTest::addColumn<qint64>("nowMs");
    QTest::addColumn<qint64>("maxAgeMs");
    QTest::addColumn<qint64>("cutoff");
    QTest::addRow("one hour") << qint64(10 * kHourMs) << kHourMs << qint64(9 * kHourMs);
    QTest::addRow("30 days") << qint64(1732240000000) << Config::kMaxRetentionMs
                             << qint64(1732240000000 - 30LL * 86400000);
    QTest::addRow("negative age is no age") << qint64(5000) << qint64(-1) << qint64(5000);
}

void TestRetentionWorker::cutoff()
{
    QFETCH(qint64, nowMs);
    QFETCH(qint64, maxAgeMs);
    QFETCH(qint64, cutoff);
    QCOMPARE(cutoffMs(nowMs, maxAgeMs), cutoff);
}

void TestRetentionWorker::tailScript_data()
{
    // ts per entry relative to the cutoff: -1 expired, 0 exactly at the cutoff, 1 fresh,
    // 2 no readable ts. The counter is the number of entries unless `counter` says otherwise.
    QTest::addColumn<QList<int>>("ages");
    QTest::addColumn<qint64>("counter");
    QTest::addColumn<int>("budget");
    QTest::addColumn<qint64>("blockSeq");
    QTest::addColumn<qint64>("blockTs"); // relative, as above
    QTest::addColumn<qint64>("trimmed");
    QTest::addColumn<bool>("more");
    QTest::addColumn<qint64>("receipts");
    QTest::addColumn<QList<qint64>>("left");

    QTest::addRow("all expired") << QList<int> { -1, -1, -1 } << qint64(-1) << 100 << qint64(0)
                                 << qint64(0) << qint64(3) << false << qint64(1)
                                 << QList<qint64> {};
    QTest::addRow("expired then fresh")
        << QList<int> { -1, -1, 1, 1 } << qint64(-1) << 100 << qint64(0) << qint64(0) << qint64(2)
        << false << qint64(0) << QList<qint64> { 3, 4 };
    QTest::addRow("at the cutoff is kept")
        << QList<int> { -1, 0, -1 } << qint64(-1) << 100 << qint64(0) << qint64(0) << qint64(1)
        << false << qint64(0) << QList<qint64> { 2, 3 };
    QTest::addRow("out of order keeps what follows")
        << QList<int> { -1, 1, -1 } << qint64(-1) << 100 << qint64(0) << qint64(0) << qint64(1)
        << false << qint64(0) << QList<qint64> { 2, 3 };
    QTest::addRow("unreadable ts is kept")
        << QList<int> { -1, 2, -1 } << qint64(-1) << 100 << qint64(0) << qint64(0) << qint64(1)
        << false << qint64(0) << QList<qint64> { 2, 3 };
    QTest::addRow("budget runs out")
        << QList<int> { -1, -1, -1, -1, -1 } << qint64(-1) << 2 << qint64(0) << qint64(0)
        << qint64(2) << true << qint64(0) << QList<qint64> { 3, 4, 5 };
    QTest::addRow("several chunks")
        << QList<int>(250, -1) << qint64(-1) << 1000 << qint64(0) << qint64(0) << qint64(250)
        << false << qint64(1) << QList<qint64> {};
    QTest::addRow("empty tail, expired newest block")
        << QList<int> {} << qint64(5) << 100 << qint64(5) << qint64(-1) << qint64(0) << false
        << qint64(1) << QList<qint64> {};
    QTest::addRow("empty tail, fresh newest block")
        << QList<int> {} << qint64(5) << 100 << qint64(5) << qint64(1) << qint64(0) << false
        << qint64(0) << QList<qint64> {};
    QTest::addRow("empty tail, counter past the newest block")
        << QList<int> {} << qint64(6) << 100 << qint64(5) << qint64(-1) << qint64(0) << false
        << qint64(0) << QList<qint64> {};
    QTest::addRow("trimmed empty, counter past the trimmed")
        << QList<int> { -1, -1 } << qint64(3) << 100 << qint64(0) << qint64(0) << qint64(2) << false
        << qint64(0) << QList<qint64> {};
}

void TestRetentionWorker::tailScript()
{
    QFETCH(QList<int>, ages);
    QFETCH(qint64, counter);
    QFETCH(int, budget);
    QFETCH(qint64, blockSeq);
    QFETCH(qint64, blockTs);
    QFETCH(qint64, trimmed);
    QFETCH(bool, more);
    QFETCH(qint64, receipts);
    QFETCH(QList<qint64>, left);

    // GIVEN a tail with those entries, its counter and a delivery receipt
    const qint64 cut = 1700000000000;
    const TailTarget target { h->app, QStringLiteral("c"), blockSeq, blockSeq ? cut + blockTs : 0 };
    const QList<QByteArray> keys = tailExpiryKeys(target);
    for (qsizetype i = 0; i < ages.size(); ++i) {
        const qint64 seq = i + 1;
        const QByteArray m
            = ages[i] == 2 ? QByteArray("{\"seq_no\":1}") : envelope(seq, cut + ages[i]);
        QVERIFY(h->command({ "XADD", keys[0], QByteArray::number(seq) + "-0", "m", m }));
    }
    QVERIFY(
        h->command({ "SET", keys[1], QByteArray::number(counter < 0 ? ages.size() : counter) }));
    QVERIFY(h->command({ "HSET", keys[2], "u1", "1" }));

    // WHEN the script runs once
    const redis::Reply r
        = test::run(h->redis->eval(tailExpiryScript(), keys, tailExpiryArgs(target, cut, budget)));
    STORE_VERIFY(r);
    const TailExpiry e = parseTailExpiry(*r);

    // THEN it trimmed exactly the expired prefix, and dropped the receipts only of a
    // conversation with nothing left
    QCOMPARE(e.trimmed, trimmed);
    QCOMPARE(e.more, more);
    QCOMPARE(e.receiptsDeleted, receipts);
    QCOMPARE(tailSeqs(QStringLiteral("c")), left);
    QCOMPARE(h->command({ "EXISTS", keys[2] })->integer, 1 - receipts);
    QCOMPARE(
        h->command({ "GET", keys[1] })->toInteger(), counter < 0 ? qint64(ages.size()) : counter);
}

void TestRetentionWorker::passDeletesWhatExpiredAndKeepsTheRest()
{
    const qint64 old = now() - 2 * kHourMs;
    segments::FlushWorker flush(
        { h->redis.get(), h->db.get(), h->s3.get(), nullptr }, flushOptions());
    QSignalSpy written(&flush, &segments::FlushWorker::segmentWritten);

    // GIVEN a segment holding only expired records (old: 10 messages, 7..10 still in the tail)
    for (int i = 1; i <= 10; ++i)
        QCOMPARE(sendAt(QStringLiteral("old"), "o", old + i), i);
    QCOMPARE(*test::run(flush.flushNow()), 1);
    // ...a segment with an expired block (shared: 4 old messages, all still in the tail) and a
    // block with expired and fresh records (mix: 5 old, 3 fresh; 5..8 still in the tail)
    for (int i = 1; i <= 4; ++i)
        QCOMPARE(sendAt(QStringLiteral("shared"), "s", old + i), i);
    for (int i = 1; i <= 5; ++i)
        QCOMPARE(sendAt(QStringLiteral("mix"), "m", old + i), i);
    for (int i = 6; i <= 8; ++i)
        QCOMPARE(sendAt(QStringLiteral("mix"), "m", now()), i);
    QCOMPARE(*test::run(flush.flushNow()), 1);
    QCOMPARE(written.size(), 2);
    const QString expiredKey = written.at(0).at(1).toString();
    const QString mixedKey = written.at(1).at(1).toString();
    // ...an unflushed tail with 3 expired and 2 fresh messages
    for (int i = 1; i <= 3; ++i)
        QCOMPARE(sendAt(QStringLiteral("tail"), "t", old + i, false), i);
    for (int i = 4; i <= 5; ++i)
        QCOMPARE(sendAt(QStringLiteral("tail"), "t", now(), false), i);
    const QStringList convos { QStringLiteral("old"), QStringLiteral("shared"),
        QStringLiteral("mix"), QStringLiteral("tail") };
    QVERIFY(addConversations(convos));
    for (const QString &c : convos) {
        QVERIFY(h->command({ "HSET", test::mkeys::delivered(h->app, c.toUtf8()), "u1", "1" }));
        QVERIFY(h->command({ "HSET", test::mkeys::read(h->app, c.toUtf8()), "u1", "1" }));
    }
    QCOMPARE(tailSeqs(QStringLiteral("old")), (QList<qint64> { 7, 8, 9, 10 }));

    // ...which readers already see without the expired records, before any pass
    QCOMPARE(historySeqs(QStringLiteral("old")), QList<qint64> {});
    QCOMPARE(historySeqs(QStringLiteral("mix")), (QList<qint64> { 6, 7, 8 }));
    QCOMPARE(historySeqs(QStringLiteral("tail")), (QList<qint64> { 4, 5 }));

    // WHEN a pass runs
    RetentionWorker worker(deps(), hourOptions());
    QSignalSpy finished(&worker, &RetentionWorker::passFinished);
    const Expected<qint64> deleted = test::run(worker.runNow());
    STORE_VERIFY(deleted);

    // THEN only the all-expired object is gone, with its index rows
    QCOMPARE(*deleted, 1);
    QVERIFY(!objectExists(expiredKey));
    QVERIFY(objectExists(mixedKey));
    QCOMPARE(h->sqlCount(QStringLiteral("SELECT count(*) FROM segments")), 1);
    QCOMPARE(h->sqlCount(QStringLiteral("SELECT count(*) FROM segment_blocks")), 2);
    QCOMPARE(h->sqlCount(QStringLiteral("SELECT count(*) FROM segment_blocks WHERE segment_key = '")
                 + expiredKey + QLatin1Char('\'')),
        0);
    // ...the tails lost exactly their expired entries (4 + 4 + 1 + 3)
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.first().at(0).toLongLong(), 1);
    QCOMPARE(finished.first().at(1).toLongLong(), 12);
    QCOMPARE(tailSeqs(QStringLiteral("old")), QList<qint64> {});
    QCOMPARE(tailSeqs(QStringLiteral("shared")), QList<qint64> {});
    QCOMPARE(tailSeqs(QStringLiteral("mix")), (QList<qint64> { 6, 7, 8 }));
    QCOMPARE(tailSeqs(QStringLiteral("tail")), (QList<qint64> { 4, 5 }));
    // ...counters, read watermarks and flush watermarks stay; delivery receipts go only where
    // nothing is left to read
    const QList<qint64> counters { 10, 4, 8, 5 };
    const QList<qint64> delivered { 0, 0, 1, 1 };
    for (qsizetype i = 0; i < convos.size(); ++i) {
        const QByteArray c = convos[i].toUtf8();
        QCOMPARE(h->command({ "GET", test::mkeys::seq(h->app, c) })->toInteger(), counters[i]);
        QCOMPARE(
            h->command({ "EXISTS", test::mkeys::delivered(h->app, c) })->integer, delivered[i]);
        QCOMPARE(h->command({ "EXISTS", test::mkeys::read(h->app, c) })->integer, 1);
    }
    QCOMPARE(h->sqlCount(QStringLiteral("SELECT count(*) FROM flush_state")), 3);
    QCOMPARE(h->command({ "EXISTS", "retention:lock" })->integer, 0);
    // ...reads are unchanged, and the counter grew
    QCOMPARE(historySeqs(QStringLiteral("old")), QList<qint64> {});
    QCOMPARE(historySeqs(QStringLiteral("shared")), QList<qint64> {});
    QCOMPARE(historySeqs(QStringLiteral("mix")), (QList<qint64> { 6, 7, 8 }));
    QCOMPARE(historySeqs(QStringLiteral("tail")), (QList<qint64> { 4, 5 }));
    QVERIFY(h->metrics.render().contains("\nconfab_retention_deleted_segments_total 1\n"));

    // AND a second pass finds nothing to do
    const Expected<qint64> again = test::run(worker.runNow());
    STORE_VERIFY(again);
    QCOMPARE(*again, 0);
    QCOMPARE(finished.size(), 2);
    QCOMPARE(finished.last().at(1).toLongLong(), 0);
    QCOMPARE(h->sqlCount(QStringLiteral("SELECT count(*) FROM segments")), 1);
    QVERIFY(h->metrics.render().contains("\nconfab_retention_deleted_segments_total 1\n"));
}

void TestRetentionWorker::batchesCoverEverything()
{
    // GIVEN 5 expired segments and 5 conversations with 10 expired tail entries each
    const qint64 old = now() - 2 * kHourMs;
    segments::FlushOptions fo = flushOptions();
    fo.hotWindow = 10;
    segments::FlushWorker flush({ h->redis.get(), h->db.get(), h->s3.get(), nullptr }, fo);
    QStringList convos;
    for (int c = 0; c < 5; ++c) {
        convos.append(QStringLiteral("c%1").arg(c));
        for (int i = 1; i <= 10; ++i)
            QCOMPARE(sendAt(convos.last(), "x", old + i), i);
        QCOMPARE(*test::run(flush.flushNow()), 1);
    }
    QVERIFY(addConversations(convos));

    // WHEN a pass runs in batches smaller than that
    RetentionOptions o = hourOptions();
    o.segmentBatch = 2;
    o.conversationBatch = 2;
    o.concurrentDeletes = 3;
    o.tailScanPerCall = 3;
    RetentionWorker worker(deps(), o);
    QSignalSpy finished(&worker, &RetentionWorker::passFinished);
    const Expected<qint64> deleted = test::run(worker.runNow());

    // THEN every one of them is covered
    STORE_VERIFY(deleted);
    QCOMPARE(*deleted, 5);
    QCOMPARE(finished.first().at(1).toLongLong(), 50);
    QCOMPARE(h->sqlCount(QStringLiteral("SELECT count(*) FROM segments")), 0);
    QCOMPARE(h->sqlCount(QStringLiteral("SELECT count(*) FROM segment_blocks")), 0);
    for (const QString &c : convos)
        QCOMPARE(tailSeqs(c), QList<qint64> {});
}

void TestRetentionWorker::storeDownKeepsRowsAndReportsError()
{
    // GIVEN an expired segment in a store that then goes away
    test::OwnS3 s3(h->env);
    QVERIFY(s3.start());
    objectstore::S3Store store(Harness::s3Options(s3.endpoint(), test::OwnS3::bucket()), &h->nam);
    const qint64 old = now() - 2 * kHourMs;
    for (int i = 1; i <= 6; ++i)
        QCOMPARE(sendAt(QStringLiteral("c"), "x", old + i), i);
    segments::FlushWorker flush({ h->redis.get(), h->db.get(), &store, nullptr }, flushOptions());
    QCOMPARE(*test::run(flush.flushNow()), 1);
    QVERIFY(addConversations({ QStringLiteral("c") }));
    s3.stop();

    // WHEN a pass runs
    RetentionWorker worker(deps(&store), hourOptions());
    QSignalSpy finished(&worker, &RetentionWorker::passFinished);
    QSignalSpy failed(&worker, &RetentionWorker::passFailed);
    const Expected<qint64> down = test::run(worker.runNow());

    // THEN it reports the failure, keeps the rows of the object it could not delete, and still
    // expires the tail
    QVERIFY(!down);
    QCOMPARE(down.error().code, ErrorCode::Unavailable);
    QVERIFY2(down.error().message.contains(QStringLiteral("deleting expired segment")),
        qPrintable(down.error().message));
    QCOMPARE(failed.size(), 1);
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.first().at(0).toLongLong(), 0);
    QCOMPARE(finished.first().at(1).toLongLong(), 4);
    QCOMPARE(h->sqlCount(QStringLiteral("SELECT count(*) FROM segments")), 1);
    QCOMPARE(h->sqlCount(QStringLiteral("SELECT count(*) FROM segment_blocks")), 1);
    QCOMPARE(tailSeqs(QStringLiteral("c")), QList<qint64> {});
    QVERIFY(h->metrics.render().contains("\nconfab_retention_deleted_segments_total 0\n"));

    // AND once the store is back the next pass deletes it
    QVERIFY(s3.start());
    const Expected<qint64> back = test::run(worker.runNow());
    STORE_VERIFY(back);
    QCOMPARE(*back, 1);
    QCOMPARE(h->sqlCount(QStringLiteral("SELECT count(*) FROM segments")), 0);
    QCOMPARE(h->sqlCount(QStringLiteral("SELECT count(*) FROM segment_blocks")), 0);
    const Expected<objectstore::ListPage> listed
        = test::run(store.list(QStringLiteral("segments/") + h->app + QLatin1Char('/'), {}, 100));
    STORE_VERIFY(listed);
    QCOMPARE(listed->objects.size(), 0);
    QVERIFY(h->metrics.render().contains("\nconfab_retention_deleted_segments_total 1\n"));
}

void TestRetentionWorker::waitsForAnotherNodesLock()
{
    // GIVEN another node's pass, holding the lock for 400 ms more
    QVERIFY(h->command({ "SET", "retention:lock", "other", "PX", "400" }));
    RetentionWorker worker(deps(), hourOptions());

    // WHEN runNow() is called here, THEN it waits for it and runs its own pass
    QElapsedTimer waited;
    waited.start();
    const Expected<qint64> deleted = test::run(worker.runNow());
    STORE_VERIFY(deleted);
    QVERIFY2(waited.elapsed() >= 300, qPrintable(QString::number(waited.elapsed())));
    QCOMPARE(h->command({ "EXISTS", "retention:lock" })->integer, 0);
}

void TestRetentionWorker::lockWaitIsBounded()
{
    QVERIFY(h->command({ "SET", "retention:lock", "other", "PX", "60000" }));
    RetentionOptions o = hourOptions();
    o.lockWaitMs = 300;
    RetentionWorker worker(deps(), o);
    QSignalSpy finished(&worker, &RetentionWorker::passFinished);
    const Expected<qint64> r = test::run(worker.runNow());
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::Unavailable);
    QCOMPARE(finished.size(), 0);
    // the other node's lock is left alone
    QCOMPARE(h->command({ "GET", "retention:lock" })->str, QByteArray("other"));
}

void TestRetentionWorker::runNowDuringAPassRunsAnother()
{
    RetentionWorker worker(deps(), hourOptions());
    QSignalSpy finished(&worker, &RetentionWorker::passFinished);
    QCoro::Task<Expected<qint64>> first = worker.runNow();
    QVERIFY(worker.isRunning());
    const Expected<qint64> second = test::run(worker.runNow());
    STORE_VERIFY(second);
    const Expected<qint64> firstResult = test::run(std::move(first));
    STORE_VERIFY(firstResult);
    QCOMPARE(finished.size(), 2);
    QVERIFY(!worker.isRunning());
}

void TestRetentionWorker::timerRunsPasses()
{
    // GIVEN an expired segment
    const qint64 old = now() - 2 * kHourMs;
    for (int i = 1; i <= 3; ++i)
        QCOMPARE(sendAt(QStringLiteral("c"), "x", old + i), i);
    segments::FlushWorker flush(
        { h->redis.get(), h->db.get(), h->s3.get(), nullptr }, flushOptions());
    QCOMPARE(*test::run(flush.flushNow()), 1);

    // WHEN the worker is started, THEN its passes delete it, and mark that a pass ran
    RetentionWorker worker(deps(), hourOptions());
    QSignalSpy finished(&worker, &RetentionWorker::passFinished);
    worker.start();
    QTRY_VERIFY(finished.size() >= 1);
    QTRY_COMPARE(h->sqlCount(QStringLiteral("SELECT count(*) FROM segments")), 0);
    QVERIFY(h->command({ "PTTL", "retention:recent" })->integer <= 200);
    QTRY_VERIFY(finished.size() >= 2);
    worker.stop();
    QTRY_VERIFY(!worker.isRunning());
}

QTEST_GUILESS_MAIN(TestRetentionWorker)
#include "tst_retentionworker.moc"

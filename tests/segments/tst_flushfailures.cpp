// FlushWorker when things fail, against real PostgreSQL, Redis and S3: dead letters while
// storage is down and their retries, one failing conversation beside healthy ones, and recovery
// after a Redis loss.

#include "segmentstest.h"

#include "segments/deadletters.h"
#include "segments/flushworker.h"
#include "segments/historystore.h"

using namespace confab;
using namespace confab::segments;
using namespace confab::test;

class TestFlushFailures : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void storageDownBecomesDeadLettersThenRecovers();
    void explicitRetryOfDeadLetter();
    void retriesWaitingTogetherTryOnce();
    void recoveryRebuildsCountersAfterRedisLoss();
    void recoveryFindsUnmarkedConversations();
    void oneFailingConversationDoesNotHoldBackItsApp();
    void outageDeadLetterLargerThanASegmentRetries();

private:
    std::unique_ptr<Harness> h;
};

void TestFlushFailures::init()
{
    h = std::make_unique<Harness>();
    QVERIFY2(h->setUp(), "test services missing; run through ctest");
}

void TestFlushFailures::cleanup()
{
    h.reset();
}

void TestFlushFailures::storageDownBecomesDeadLettersThenRecovers()
{
    // GIVEN an S3 server that goes away
    test::OwnS3 s3(h->env);
    QVERIFY(s3.start());
    objectstore::S3Store store(Harness::s3Options(s3.endpoint(), test::OwnS3::bucket()), &h->nam);
    for (int i = 1; i <= 30; ++i) {
        QCOMPARE(h->send(QStringLiteral("a"), QByteArray::number(i)), i);
        QCOMPARE(h->send(QStringLiteral("b"), QByteArray::number(i)), i);
    }
    s3.stop();

    // WHEN the worker tries to flush
    FlushOptions o = quickOptions();
    o.maxAgeMs = 0;
    o.deadLetterRetryMs = 500;
    FlushWorker worker({ h->redis.get(), h->db.get(), &store, &h->metrics }, o);
    QSignalSpy failed(&worker, &FlushWorker::flushFailed);
    QSignalSpy dead(&worker, &FlushWorker::deadLettered);
    worker.start();

    // THEN after its retries each conversation has a dead letter, nothing is trimmed, and
    // history still answers from the tail
    QVERIFY(dead.wait(20000));
    QVERIFY(failed.size() >= 2);
    STORE_AWAIT(letters, worker.deadLetters()->list(100));
    STORE_VERIFY(letters);
    QCOMPARE(letters->size(), 2);
    for (const DeadLetter &dl : *letters) {
        QCOMPARE(dl.kind, QStringLiteral("segment_flush"));
        QCOMPARE(dl.appId, h->app);
        QCOMPARE(dl.firstSeq, 1);
        QCOMPARE(dl.lastSeq, 30);
        QVERIFY(dl.attempts >= 2);
        QVERIFY(!dl.error.isEmpty());
        QVERIFY(dl.lastAttemptMs >= dl.createdMs);
        const QByteArray json = toJson(dl);
        QVERIFY(json.contains("\"kind\":\"segment_flush\""));
        QVERIFY(json.contains("\"first_seq\":1"));
    }
    QTRY_VERIFY(h->metrics.render().contains("confab_dead_letters 2"));
    QCOMPARE(h->tailOf(QStringLiteral("a")).size(), 30);
    QCOMPARE(h->tailOf(QStringLiteral("b")).size(), 30);
    HistoryStore history(h->redis.get(), h->db.get(), &store, nullptr, {});
    const Expected<segments::Page> during = test::run(history.latest(h->app, "a", 200));
    STORE_VERIFY(during);
    QCOMPARE(during->messages.size(), 30);

    // AND once storage is back the automatic retry writes everything and resolves them
    QVERIFY(s3.start());
    QTRY_COMPARE_WITH_TIMEOUT(
        h->sqlCount(QStringLiteral("SELECT count(*) FROM dead_letters WHERE resolved_at IS NULL")),
        0, 20000);
    QTRY_COMPARE(
        h->sqlCount(QStringLiteral("SELECT count(*) FROM flush_state WHERE flushed_seq = 30")), 2);
    QTRY_VERIFY(h->metrics.render().contains("confab_dead_letters 0"));
    QCOMPARE(h->tailOf(QStringLiteral("a")).size(), 20);
    worker.stop();
    const Expected<segments::Page> after = test::run(history.after(h->app, "a", 0, 200));
    STORE_VERIFY(after);
    QCOMPARE(after->messages.size(), 30);
    QCOMPARE(after->firstSeq, 1);
    QCOMPARE(after->lastSeq, 30);
}

void TestFlushFailures::explicitRetryOfDeadLetter()
{
    test::OwnS3 s3(h->env);
    QVERIFY(s3.start());
    objectstore::S3Store store(Harness::s3Options(s3.endpoint(), test::OwnS3::bucket()), &h->nam);
    for (int i = 1; i <= 5; ++i)
        QCOMPARE(h->send(QStringLiteral("c"), QByteArray::number(i)), i);
    s3.stop();

    FlushOptions o = quickOptions();
    o.retryWindowMs = 0; // the first failure is already the last
    FlushWorker worker({ h->redis.get(), h->db.get(), &store, nullptr }, o);
    const Expected<int> failed = test::run(worker.flushNow());
    QVERIFY(!failed);
    QCOMPARE(failed.error().code, ErrorCode::Unavailable);
    STORE_AWAIT(letters, worker.deadLetters()->list(10));
    STORE_VERIFY(letters);
    QCOMPARE(letters->size(), 1);
    const QString id = letters->first().id;

    // a retry while storage is still down fails and counts
    const Status stillDown = test::run(worker.retryDeadLetter(id));
    QVERIFY(!stillDown);
    STORE_AWAIT(again, worker.deadLetters()->get(id));
    STORE_VERIFY(again);
    QVERIFY(again->attempts >= 2);

    QVERIFY(s3.start());
    const Status retried = test::run(worker.retryDeadLetter(id));
    STORE_VERIFY(retried);
    STORE_AWAIT(count, worker.deadLetters()->count());
    STORE_VERIFY(count);
    QCOMPARE(*count, 0);
    QCOMPARE(test::run(worker.retryDeadLetter(id)).error().code, ErrorCode::NotFound);
    QCOMPARE(h->sqlCount(QStringLiteral("SELECT flushed_seq FROM flush_state")), 5);
}

void TestFlushFailures::retriesWaitingTogetherTryOnce()
{
    // GIVEN two dead letters of one app while storage is down
    test::OwnS3 s3(h->env);
    QVERIFY(s3.start());
    objectstore::S3Store store(Harness::s3Options(s3.endpoint(), test::OwnS3::bucket()), &h->nam);
    QCOMPARE(h->send(QStringLiteral("c"), "1"), 1);
    QCOMPARE(h->send(QStringLiteral("d"), "1"), 1);
    s3.stop();
    FlushOptions o = quickOptions();
    o.retryWindowMs = 0;
    FlushWorker worker({ h->redis.get(), h->db.get(), &store, nullptr }, o);
    QVERIFY(!test::run(worker.flushNow()));
    STORE_AWAIT(letters, worker.deadLetters()->list(10));
    STORE_VERIFY(letters);
    QCOMPARE(letters->size(), 2);

    // WHEN an operator retries both at once
    QSignalSpy failed(&worker, &FlushWorker::flushFailed);
    QCoro::Task<Status> first = worker.retryDeadLetter(letters->at(0).id);
    QCoro::Task<Status> second = worker.retryDeadLetter(letters->at(1).id);
    const Status a = test::run(std::move(first));
    const Status b = test::run(std::move(second));

    // THEN one flush was attempted and both answer its failure
    QVERIFY(!a);
    QVERIFY(!b);
    QCOMPARE(b.error().code, ErrorCode::Unavailable);
    QCOMPARE(b.error().message, a.error().message);
    QCOMPARE(failed.size(), 1);

    // ...and a retry asked after that failure tries again, for its own conversation only
    QVERIFY(s3.start());
    STORE_VERIFY(test::run(worker.retryDeadLetter(letters->at(1).id)));
    STORE_AWAIT(count, worker.deadLetters()->count());
    STORE_VERIFY(count);
    QCOMPARE(*count, 1);
    STORE_VERIFY(test::run(worker.retryDeadLetter(letters->at(0).id)));
    STORE_AWAIT(none, worker.deadLetters()->count());
    STORE_VERIFY(none);
    QCOMPARE(*none, 0);
}

void TestFlushFailures::recoveryRebuildsCountersAfterRedisLoss()
{
    for (int i = 1; i <= 30; ++i)
        QCOMPARE(h->send(QStringLiteral("c"), QByteArray::number(i)), i);
    FlushWorker worker({ h->redis.get(), h->db.get(), h->s3.get(), nullptr }, quickOptions());
    QCOMPARE(*test::run(worker.flushNow()), 1);

    // GIVEN Redis loses everything
    QVERIFY(h->command({ "FLUSHALL" }));
    // ...a send before recovery is refused, so no seq_no is handed out twice
    QCOMPARE(h->send(QStringLiteral("c"), "too early"), 0);
    QCOMPARE(h->command({ "EXISTS", test::mkeys::seq(h->app, "c") })->toInteger(), 0);
    // WHEN recovery runs (start-up, or the client reconnecting)
    STORE_VERIFY(test::run(worker.recover()));
    // THEN the counter continues after the highest seq in segments
    QCOMPARE(h->command({ "GET", test::mkeys::seq(h->app, "c") })->toInteger(), 30);
    QCOMPARE(h->send(QStringLiteral("c"), "after the loss"), 31);
    // ...and history is whole: segments, then the new tail
    HistoryStore history(h->redis.get(), h->db.get(), h->s3.get(), nullptr, {});
    const Expected<segments::Page> page = test::run(history.after(h->app, "c", 0, 200));
    STORE_VERIFY(page);
    QCOMPARE(page->messages.size(), 31);
    QCOMPARE(page->lastSeq, 31);
    QVERIFY(page->messages.last().contains("after the loss"));
    // a counter that is already ahead is left alone
    STORE_VERIFY(test::run(worker.recover()));
    QCOMPARE(h->command({ "GET", test::mkeys::seq(h->app, "c") })->toInteger(), 31);
}

void TestFlushFailures::recoveryFindsUnmarkedConversations()
{
    // GIVEN messages whose pending mark was lost (a crash, or an accept script without it),
    // of a conversation PostgreSQL knows
    for (int i = 1; i <= 7; ++i)
        QCOMPARE(h->send(QStringLiteral("c"), QByteArray::number(i), false), i);
    QCOMPARE(h->pendingCount(), 0);
    STORE_AWAIT(inserted, h->db->run<int>([app = h->app](QSqlDatabase &conn) -> Expected<int> {
        QSqlQuery q(conn);
        q.prepare(QStringLiteral(
            "INSERT INTO conversations (app_id, id, kind) VALUES (:a, 'c', 'group')"));
        q.bindValue(QStringLiteral(":a"), app);
        if (!q.exec())
            return Error::internal(q.lastError().text());
        return 1;
    }));
    STORE_VERIFY(inserted);

    FlushWorker worker({ h->redis.get(), h->db.get(), h->s3.get(), nullptr }, quickOptions());
    STORE_VERIFY(test::run(worker.recover()));
    QCOMPARE(h->pendingCount(), 1);
    QCOMPARE(*test::run(worker.flushNow()), 1);
    QCOMPARE(h->sqlCount(QStringLiteral("SELECT flushed_seq FROM flush_state")), 7);
}

void TestFlushFailures::oneFailingConversationDoesNotHoldBackItsApp()
{
    // GIVEN CBOR records and a conversation whose tail holds an entry that is not JSON (a record
    // the codec refuses), beside a healthy conversation of the same app
    const QByteArray bad = "bad";
    QVERIFY(h->command({ "XADD", test::mkeys::log(h->app, bad), "1-0", "m", "not json" }));
    QVERIFY(h->command({ "SET", test::mkeys::seq(h->app, bad), "1" }));
    QVERIFY(h->markPending(bad, 1));
    for (int i = 1; i <= 10; ++i)
        QCOMPARE(h->send(QStringLiteral("good"), QByteArray::number(i)), i);
    FlushOptions o = quickOptions();
    o.encoding = segment::RecordEncoding::Cbor;
    o.maxAgeMs = 0;
    o.retryWindowMs = 0;
    FlushWorker worker({ h->redis.get(), h->db.get(), h->s3.get(), &h->metrics }, o);
    QSignalSpy dead(&worker, &FlushWorker::deadLettered);

    // WHEN flushed: the healthy one is written, the other alone becomes a dead letter
    const Expected<int> n = test::run(worker.flushNow());
    QVERIFY(!n);
    QCOMPARE(n.error().code, ErrorCode::BadRequest);
    QCOMPARE(
        h->sqlCount(QStringLiteral("SELECT flushed_seq FROM flush_state WHERE convo_id = 'good'")),
        10);
    STORE_AWAIT(letters, worker.deadLetters()->list(10));
    STORE_VERIFY(letters);
    QCOMPARE(letters->size(), 1);
    QCOMPARE(letters->first().convoId, QStringLiteral("bad"));
    QVERIFY(letters->first().error.contains(QStringLiteral("bad")));
    QCOMPARE(dead.size(), 1);
    QCOMPARE(dead.first().at(1).toInt(), 1);

    // AND while it keeps failing, the worker keeps flushing the app's other conversation
    worker.start();
    for (int i = 11; i <= 20; ++i)
        QCOMPARE(h->send(QStringLiteral("good"), QByteArray::number(i)), i);
    QTRY_COMPARE_WITH_TIMEOUT(
        h->sqlCount(QStringLiteral("SELECT flushed_seq FROM flush_state WHERE convo_id = 'good'")),
        20, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(dead.size() >= 2, 10000); // retried on its own, still failing
    worker.stop();
    QCOMPARE(
        h->sqlCount(QStringLiteral("SELECT count(*) FROM dead_letters WHERE resolved_at IS NULL")),
        1);
    QCOMPARE(
        h->sqlCount(QStringLiteral("SELECT count(*) FROM flush_state WHERE convo_id = 'bad'")), 0);

    // AND once the cause is gone (here: JSON records, which store any bytes) a retry writes it
    FlushWorker fixed({ h->redis.get(), h->db.get(), h->s3.get(), nullptr }, quickOptions());
    STORE_VERIFY(test::run(fixed.retryDeadLetter(letters->first().id)));
    QCOMPARE(
        h->sqlCount(QStringLiteral("SELECT count(*) FROM dead_letters WHERE resolved_at IS NULL")),
        0);
    QCOMPARE(
        h->sqlCount(QStringLiteral("SELECT flushed_seq FROM flush_state WHERE convo_id = 'bad'")),
        1);
}

void TestFlushFailures::outageDeadLetterLargerThanASegmentRetries()
{
    // GIVEN a conversation larger than several segments and a small one, while storage is down
    test::OwnS3 s3(h->env);
    QVERIFY(s3.start());
    objectstore::S3Store store(Harness::s3Options(s3.endpoint(), test::OwnS3::bucket()), &h->nam);
    for (int i = 1; i <= 80; ++i)
        QCOMPARE(h->send(QStringLiteral("big"), textOf(i, 400)), i);
    for (int i = 1; i <= 3; ++i)
        QCOMPARE(h->send(QStringLiteral("small"), QByteArray::number(i)), i);
    const QList<QPair<qint64, QByteArray>> big = h->tailOf(QStringLiteral("big"));
    s3.stop();
    FlushOptions o = quickOptions();
    o.retryWindowMs = 0;
    o.hotWindow = 0;
    o.maxBytes = 4096;
    o.readBytes = 8192;
    FlushWorker worker({ h->redis.get(), h->db.get(), &store, nullptr }, o);

    // WHEN the flush fails: every conversation of the batch gets its own dead letter
    const Expected<int> failed = test::run(worker.flushNow());
    QVERIFY(!failed);
    QCOMPARE(failed.error().code, ErrorCode::Unavailable);
    STORE_AWAIT(letters, worker.deadLetters()->list(10));
    STORE_VERIFY(letters);
    QCOMPARE(letters->size(), 2);
    const DeadLetter bigLetter
        = letters->at(0).convoId == QStringLiteral("big") ? letters->at(0) : letters->at(1);
    QCOMPARE(bigLetter.convoId, QStringLiteral("big"));
    QCOMPARE(bigLetter.firstSeq, 1);
    QCOMPARE(bigLetter.lastSeq, 80);

    // THEN once storage is back, the big one retried on its own is written in many segments
    QVERIFY(s3.start());
    STORE_VERIFY(test::run(worker.retryDeadLetter(bigLetter.id)));
    QVERIFY(blockRanges(*h, QStringLiteral("big")).size() >= 8);
    QCOMPARE(
        h->sqlCount(QStringLiteral("SELECT flushed_seq FROM flush_state WHERE convo_id = 'big'")),
        80);
    QCOMPARE(
        h->sqlCount(QStringLiteral("SELECT count(*) FROM dead_letters WHERE resolved_at IS NULL")),
        1);
    HistoryStore history(h->redis.get(), h->db.get(), &store, nullptr, {});
    QVERIFY(readsAsTail(history, h->app, "big", big, 30));
    // ...and the other one's dead letter is still there, to retry on its own
    STORE_AWAIT(left, worker.deadLetters()->list(10));
    STORE_VERIFY(left);
    QCOMPARE(left->size(), 1);
    QCOMPARE(left->first().convoId, QStringLiteral("small"));
    STORE_VERIFY(test::run(worker.retryDeadLetter(left->first().id)));
    QCOMPARE(
        h->sqlCount(QStringLiteral("SELECT count(*) FROM dead_letters WHERE resolved_at IS NULL")),
        0);
}

QTEST_GUILESS_MAIN(TestFlushFailures)
#include "tst_flushfailures.moc"

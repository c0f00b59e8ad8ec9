// FlushWorker against real PostgreSQL, Redis and S3: segments per app, watermarks, trimming,
// idempotent indexing, dead letters while storage is down, and recovery after a Redis loss.

#include "segmentstest.h"

#include "segments/deadletters.h"
#include "segments/flushworker.h"
#include "segments/historystore.h"
#include "segments/segmentindex.h"
#include "segments/tail.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace confab;
using namespace confab::segments;
using confab::test::Harness;

namespace
{

FlushOptions quickOptions()
{
    FlushOptions o;
    o.maxAgeMs = 60000; // nothing flushes by itself unless a test asks
    o.tickMs = 50;
    o.hotWindow = 20;
    o.retryWindowMs = 1000;
    o.retryBaseMs = 100;
    o.deadLetterRetryMs = 300;
    return o;
}

// A text of about `bytes` bytes that tells its message apart.
QByteArray textOf(int i, int bytes)
{
    const QByteArray head = "m" + QByteArray::number(i) + " ";
    return head + QByteArray(qMax(0, bytes - int(head.size())), char('a' + i % 26));
}

} // namespace

class TestFlushWorker : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void oneSegmentPerAppAndTrimKeepsHotWindow();
    void secondFlushChangesNothing();
    void sameBlockIndexedTwiceIsNotDuplicated();
    void maxAgeSealsByItself();
    void storageDownBecomesDeadLettersThenRecovers();
    void explicitRetryOfDeadLetter();
    void retriesWaitingTogetherTryOnce();
    void cborSegmentsReadTheSame();
    void recoveryRebuildsCountersAfterRedisLoss();
    void recoveryFindsUnmarkedConversations();
    void largeConversationSpansSegmentsAndReadsTheSame();
    void moreThanTheCodecLimitInOneConversation();
    void oneFailingConversationDoesNotHoldBackItsApp();
    void outageDeadLetterLargerThanASegmentRetries();

private:
    std::unique_ptr<Harness> h;
};

void TestFlushWorker::init()
{
    h = std::make_unique<Harness>();
    QVERIFY2(h->setUp(), "test services missing; run through ctest");
}

void TestFlushWorker::cleanup()
{
    h.reset();
}

void TestFlushWorker::oneSegmentPerAppAndTrimKeepsHotWindow()
{
    // GIVEN three conversations of one app with 50 messages each
    for (int i = 1; i <= 50; ++i)
        for (const char *c : { "c1", "c2", "c3" })
            QCOMPARE(h->send(QLatin1String(c), QByteArray::number(i)), i);
    QCOMPARE(h->pendingCount(), 3);

    // WHEN the worker flushes
    FlushWorker worker({ h->redis.get(), h->db.get(), h->s3.get(), &h->metrics }, quickOptions());
    QSignalSpy written(&worker, &FlushWorker::segmentWritten);
    const Expected<int> n = test::run(worker.flushNow());
    STORE_VERIFY(n);

    // THEN one object holds all three conversations, indexed, watermarks at 50
    QCOMPARE(*n, 1);
    QCOMPARE(written.size(), 1);
    const QString key = written.first().at(1).toString();
    QVERIFY(key.startsWith(QStringLiteral("segments/") + h->app + QLatin1Char('/')));
    QVERIFY(key.endsWith(QStringLiteral(".seg")));
    const Expected<objectstore::ObjectInfo> info = test::run(h->s3->head(key));
    STORE_VERIFY(info);
    QCOMPARE(info->size, written.first().at(2).toLongLong());
    QCOMPARE(h->sqlCount(QStringLiteral("SELECT count(*) FROM segment_blocks")), 3);
    QCOMPARE(
        h->sqlCount(QStringLiteral("SELECT count(DISTINCT segment_key) FROM segment_blocks")), 1);
    QCOMPARE(h->sqlCount(QStringLiteral("SELECT min(flushed_seq) FROM flush_state")), 50);
    // ...the tail keeps the hot window (31..50) and the pending set is empty
    for (const char *c : { "c1", "c2", "c3" }) {
        const auto t = h->tailOf(QLatin1String(c));
        QCOMPARE(t.size(), 20);
        QCOMPARE(t.first().first, 31);
        QCOMPARE(t.last().first, 50);
    }
    QCOMPARE(h->pendingCount(), 0);

    // AND a message accepted afterwards is pending again and is never trimmed unflushed
    QCOMPARE(h->send(QStringLiteral("c1"), "late"), 51);
    QCOMPARE(h->pendingCount(), 1);
    QCOMPARE(h->tailOf(QStringLiteral("c1")).last().first, 51);
}

void TestFlushWorker::secondFlushChangesNothing()
{
    for (int i = 1; i <= 30; ++i)
        QCOMPARE(h->send(QStringLiteral("c"), QByteArray::number(i)), i);
    FlushWorker worker({ h->redis.get(), h->db.get(), h->s3.get(), nullptr }, quickOptions());
    QCOMPARE(*test::run(worker.flushNow()), 1);
    const Expected<int> again = test::run(worker.flushNow());
    STORE_VERIFY(again);
    QCOMPARE(*again, 0);
    QCOMPARE(h->sqlCount(QStringLiteral("SELECT count(*) FROM segment_blocks")), 1);
    QCOMPARE(h->sqlCount(QStringLiteral("SELECT count(*) FROM segments")), 1);
}

void TestFlushWorker::sameBlockIndexedTwiceIsNotDuplicated()
{
    for (int i = 1; i <= 40; ++i)
        QCOMPARE(h->send(QStringLiteral("c"), QByteArray::number(i)), i);
    FlushOptions o = quickOptions();
    o.hotWindow = 0;
    FlushWorker worker({ h->redis.get(), h->db.get(), h->s3.get(), nullptr }, o);
    QSignalSpy written(&worker, &FlushWorker::segmentWritten);
    QCOMPARE(*test::run(worker.flushNow()), 1);
    const QString key = written.first().at(1).toString();

    // GIVEN the object a crashed node wrote, put again under a new key and indexed again, as a
    // node that died between its PUT and its own bookkeeping would on its next attempt
    const Expected<QByteArray> bytes = test::run(h->s3->get(key, std::nullopt));
    STORE_VERIFY(bytes);
    const Expected<QList<segment::BlockInfo>> blocks = segment::readDirectory(*bytes);
    STORE_VERIFY(blocks);
    const QString copy = key + QStringLiteral(".again");
    STORE_VERIFY(test::run(h->s3->put(copy, *bytes, "application/octet-stream")));
    for (const QString &k : { key, copy }) {
        STORE_AWAIT(committed, worker.index()->commit(k, bytes->size(), *blocks));
        STORE_VERIFY(committed);
        QCOMPARE(committed->value(QStringLiteral("c")), 40);
    }

    // THEN the index still has one block for the range, and history reads each message once
    QCOMPARE(h->sqlCount(QStringLiteral("SELECT count(*) FROM segment_blocks")), 1);
    QCOMPARE(h->sqlCount(QStringLiteral("SELECT flushed_seq FROM flush_state")), 40);
    QCOMPARE(h->tailOf(QStringLiteral("c")).size(), 0);
    HistoryStore history(h->redis.get(), h->db.get(), h->s3.get(), nullptr, {});
    const Expected<segments::Page> page = test::run(history.after(h->app, "c", 0, 200));
    STORE_VERIFY(page);
    QCOMPARE(page->messages.size(), 40);
    QCOMPARE(page->firstSeq, 1);
    QCOMPARE(page->lastSeq, 40);
    QVERIFY(!page->hasMore);
}

void TestFlushWorker::maxAgeSealsByItself()
{
    FlushOptions o = quickOptions();
    o.maxAgeMs = 300;
    FlushWorker worker({ h->redis.get(), h->db.get(), h->s3.get(), &h->metrics }, o);
    worker.start();
    QSignalSpy written(&worker, &FlushWorker::segmentWritten);
    QCOMPARE(h->send(QStringLiteral("c"), "one"), 1);
    QCOMPARE(h->send(QStringLiteral("d"), "two"), 1);
    QVERIFY(written.wait(10000));
    QTRY_COMPARE(h->sqlCount(QStringLiteral("SELECT count(*) FROM segment_blocks")), 2);
    QCOMPARE(written.size(), 1); // both conversations in one object
    QVERIFY(h->metrics.render().contains("confab_segments_written_total 1"));
}

void TestFlushWorker::storageDownBecomesDeadLettersThenRecovers()
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

void TestFlushWorker::explicitRetryOfDeadLetter()
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

void TestFlushWorker::recoveryRebuildsCountersAfterRedisLoss()
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

void TestFlushWorker::recoveryFindsUnmarkedConversations()
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

void TestFlushWorker::retriesWaitingTogetherTryOnce()
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

void TestFlushWorker::cborSegmentsReadTheSame()
{
    // GIVEN [segments] encoding = cbor and messages whose content uses every JSON type
    for (int i = 1; i <= 12; ++i)
        QCOMPARE(h->send(QStringLiteral("c"),
                     "caf\xc3\xa9 \"" + QByteArray::number(i) + "\" \\ \xf0\x9f\x98\x80"),
            i);
    const QList<QPair<qint64, QByteArray>> tail = h->tailOf(QStringLiteral("c"));
    QCOMPARE(tail.size(), 12);
    FlushOptions o = quickOptions();
    o.hotWindow = 0;
    o.encoding = segment::RecordEncoding::Cbor;
    FlushWorker worker({ h->redis.get(), h->db.get(), h->s3.get(), nullptr }, o);

    // WHEN they are flushed (and leave the tail)
    QCOMPARE(*test::run(worker.flushNow()), 1);
    QCOMPARE(h->tailOf(QStringLiteral("c")).size(), 0);

    // THEN history from the CBOR segment answers the same JSON values the tail held (CBOR
    // keeps values, not key order: docs/segment-format.md)
    HistoryStore history(h->redis.get(), h->db.get(), h->s3.get(), nullptr, {});
    const Expected<segments::Page> page = test::run(history.after(h->app, "c", 0, 200));
    STORE_VERIFY(page);
    QCOMPARE(page->messages.size(), 12);
    for (int i = 0; i < 12; ++i)
        QCOMPARE(QJsonDocument::fromJson(page->messages[i]).object(),
            QJsonDocument::fromJson(tail[i].second).object());
    QCOMPARE(FlushOptions::fromConfig(Config::Segments { .cborRecords = true }).encoding,
        segment::RecordEncoding::Cbor);
}

// Every block of a conversation in the index, by first_seq: "first-last" each.
static QStringList blockRanges(Harness &h, const QString &convo)
{
    QStringList out;
    auto f = h.db->run<QStringList>([app = h.app, convo](
                                        QSqlDatabase &conn) -> Expected<QStringList> {
        QSqlQuery q(conn);
        q.prepare(QStringLiteral("SELECT first_seq, last_seq FROM segment_blocks WHERE app_id = :a"
                                 " AND convo_id = :c ORDER BY first_seq"));
        q.bindValue(QStringLiteral(":a"), app);
        q.bindValue(QStringLiteral(":c"), convo);
        if (!q.exec())
            return Error::internal(q.lastError().text());
        QStringList r;
        while (q.next())
            r.append(
                QStringLiteral("%1-%2").arg(q.value(0).toLongLong()).arg(q.value(1).toLongLong()));
        return r;
    });
    if (test::finish(f) && f.result())
        out = *f.result();
    return out;
}

// Reads a conversation's whole history forward with pages of `limit`, and backward from the
// newest: both must give `expected` (seq, envelope) exactly.
static bool readsAsTail(HistoryStore &history, const QString &app, const QByteArray &convo,
    const QList<QPair<qint64, QByteArray>> &expected, int limit)
{
    QList<QPair<qint64, QByteArray>> forward;
    qint64 after = 0;
    for (int guard = 0; guard < 10000; ++guard) {
        const Expected<segments::Page> page = test::run(history.after(app, convo, after, limit));
        if (!page)
            return false;
        for (qsizetype i = 0; i < page->messages.size(); ++i)
            forward.append({ page->firstSeq + i, page->messages[i] });
        if (page->messages.isEmpty())
            break;
        after = page->lastSeq;
    }
    QList<QPair<qint64, QByteArray>> backward;
    Expected<segments::Page> page = test::run(history.latest(app, convo, limit));
    for (int guard = 0; guard < 10000 && page && !page->messages.isEmpty(); ++guard) {
        QList<QPair<qint64, QByteArray>> chunk;
        for (qsizetype i = 0; i < page->messages.size(); ++i)
            chunk.append({ page->firstSeq + i, page->messages[i] });
        backward = chunk + backward;
        if (!page->hasMore)
            break;
        page = test::run(history.before(app, convo, page->firstSeq, limit));
    }
    if (forward != expected)
        qWarning("forward read with pages of %d: %d messages, expected %d", limit,
            int(forward.size()), int(expected.size()));
    if (backward != expected)
        qWarning("backward read with pages of %d: %d messages, expected %d", limit,
            int(backward.size()), int(expected.size()));
    return forward == expected && backward == expected;
}

void TestFlushWorker::largeConversationSpansSegmentsAndReadsTheSame()
{
    // GIVEN a busy conversation of 150 messages of about 300 bytes (45 KB) and a quiet one, with
    // max_bytes 4 KiB and rounds of reading of 6 KiB
    for (int i = 1; i <= 150; ++i)
        QCOMPARE(h->send(QStringLiteral("big"), textOf(i, 300)), i);
    for (int i = 1; i <= 5; ++i)
        QCOMPARE(h->send(QStringLiteral("quiet"), textOf(i, 20)), i);
    const QList<QPair<qint64, QByteArray>> big = h->tailOf(QStringLiteral("big"));
    const QList<QPair<qint64, QByteArray>> quiet = h->tailOf(QStringLiteral("quiet"));
    FlushOptions o = quickOptions();
    o.hotWindow = 0;
    o.maxBytes = 4096;
    o.readBytes = 6144;
    FlushWorker worker({ h->redis.get(), h->db.get(), h->s3.get(), nullptr }, o);
    QSignalSpy written(&worker, &FlushWorker::segmentWritten);

    // WHEN flushed
    const Expected<int> n = test::run(worker.flushNow());
    STORE_VERIFY(n);

    // THEN it spans many objects, each within max_bytes of records, its blocks back to back
    QVERIFY2(*n >= 10, qPrintable(QString::number(*n)));
    QCOMPARE(written.size(), *n);
    for (const QList<QVariant> &w : written) {
        const Expected<QByteArray> bytes = test::run(h->s3->get(w.at(1).toString(), std::nullopt));
        STORE_VERIFY(bytes);
        const Expected<QList<segment::BlockInfo>> dir = segment::readDirectory(*bytes);
        STORE_VERIFY(dir);
        qint64 raw = 0;
        for (const segment::BlockInfo &b : *dir) {
            const Expected<segment::Block> block
                = segment::decodeBlock(QByteArrayView(*bytes).sliced(b.offset, b.length));
            STORE_VERIFY(block);
            for (const segment::Record &r : block->records)
                raw += 20 + r.payload.size();
        }
        QVERIFY2(raw <= 4096, qPrintable(QString::number(raw)));
    }
    const QStringList ranges = blockRanges(*h, QStringLiteral("big"));
    QVERIFY(ranges.size() >= 10);
    qint64 next = 1;
    for (const QString &r : ranges) {
        QCOMPARE(r.section(QLatin1Char('-'), 0, 0).toLongLong(), next);
        next = r.section(QLatin1Char('-'), 1, 1).toLongLong() + 1;
    }
    QCOMPARE(next, 151);
    QCOMPARE(blockRanges(*h, QStringLiteral("quiet")), QStringList { QStringLiteral("1-5") });
    QCOMPARE(h->tailOf(QStringLiteral("big")).size(), 0);

    // AND history reads identical to the tail, forward and backward, whatever the page size
    HistoryStore history(h->redis.get(), h->db.get(), h->s3.get(), nullptr, { 64 * 1024, 0, 3 });
    for (int limit : { 1, 7, 50, 200 })
        QVERIFY(readsAsTail(history, h->app, "big", big, limit));
    QVERIFY(readsAsTail(history, h->app, "quiet", quiet, 2));

    // AND blocks written twice, one with the same range and one cut elsewhere (two nodes whose
    // leases overlapped, with other max_bytes), leave history as it was
    segment::SegmentWriter writer(h->app);
    QList<segment::Record> overlap;
    for (const auto &[seq, envelope] : big) {
        const segment::Record r { seq, tail::envelopeTs(envelope), envelope };
        if (seq >= 5 && seq <= 40)
            overlap.append(r);
    }
    STORE_VERIFY(writer.addBlock(QStringLiteral("big"), overlap));
    const Expected<segment::SealedSegment> sealed = writer.finish();
    STORE_VERIFY(sealed);
    const QString extra = QStringLiteral("segments/%1/extra.seg").arg(h->app);
    STORE_VERIFY(test::run(h->s3->put(extra, sealed->bytes, "application/octet-stream")));
    STORE_AWAIT(committed, worker.index()->commit(extra, sealed->bytes.size(), sealed->blocks));
    STORE_VERIFY(committed);
    QCOMPARE(committed->value(QStringLiteral("big")), 150);
    const QString first = written.first().at(1).toString();
    const Expected<QByteArray> firstBytes = test::run(h->s3->get(first, std::nullopt));
    STORE_VERIFY(firstBytes);
    STORE_AWAIT(again,
        worker.index()->commit(first + QStringLiteral(".again"), firstBytes->size(),
            *segment::readDirectory(*firstBytes)));
    STORE_VERIFY(again);
    QCOMPARE(blockRanges(*h, QStringLiteral("big")).size(), ranges.size() + 1);
    HistoryStore fresh(h->redis.get(), h->db.get(), h->s3.get(), nullptr, { 64 * 1024, 0, 3 });
    for (int limit : { 1, 9, 200 })
        QVERIFY(readsAsTail(fresh, h->app, "big", big, limit));
}

void TestFlushWorker::moreThanTheCodecLimitInOneConversation()
{
    // GIVEN the probe of issue 12 in one conversation: 1,200 messages of 60 KB, 72 MB, more than
    // one codec block may hold (64 MiB), with max_bytes at its largest (1 GiB), and a message of
    // another conversation of the same app
    const qint64 start = QDateTime::currentMSecsSinceEpoch();
    for (int i = 1; i <= 1200; ++i)
        QCOMPARE(h->send(QStringLiteral("busy"), textOf(i, 60000)), i);
    QCOMPARE(h->send(QStringLiteral("other"), "hello"), 1);
    FlushOptions o = quickOptions();
    o.maxBytes = 1LL << 30;
    FlushWorker worker({ h->redis.get(), h->db.get(), h->s3.get(), &h->metrics }, o);
    QSignalSpy failed(&worker, &FlushWorker::flushFailed);

    // WHEN flushed
    const Expected<int> n = test::run(worker.flushNow());

    // THEN it is written in two objects, no failure, no dead letter, watermarks at the end
    STORE_VERIFY(n);
    QCOMPARE(*n, 2);
    QCOMPARE(failed.size(), 0);
    QCOMPARE(h->sqlCount(QStringLiteral("SELECT count(*) FROM dead_letters")), 0);
    QCOMPARE(blockRanges(*h, QStringLiteral("busy")).size(), 2);
    QCOMPARE(
        h->sqlCount(QStringLiteral("SELECT flushed_seq FROM flush_state WHERE convo_id = 'busy'")),
        1200);
    QCOMPARE(
        h->sqlCount(QStringLiteral("SELECT flushed_seq FROM flush_state WHERE convo_id = 'other'")),
        1);
    QCOMPARE(h->pendingCount(), 0);

    // AND every message reads back in order across the two blocks
    HistoryStore history(h->redis.get(), h->db.get(), h->s3.get(), nullptr, {});
    qint64 after = 0;
    while (after < 1200) {
        const Expected<segments::Page> page = test::run(history.after(h->app, "busy", after, 200));
        STORE_VERIFY(page);
        QVERIFY(!page->messages.isEmpty());
        QCOMPARE(page->firstSeq, after + 1);
        for (qsizetype i = 0; i < page->messages.size(); ++i)
            QVERIFY(page->messages[i].contains(
                "\"text\":\"m" + QByteArray::number(after + 1 + i) + " "));
        after = page->lastSeq;
    }
    qInfo("1,200 x 60 KB sent, flushed and read back in %lld ms",
        QDateTime::currentMSecsSinceEpoch() - start);
}

void TestFlushWorker::oneFailingConversationDoesNotHoldBackItsApp()
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

void TestFlushWorker::outageDeadLetterLargerThanASegmentRetries()
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

QTEST_GUILESS_MAIN(TestFlushWorker)
#include "tst_flushworker.moc"

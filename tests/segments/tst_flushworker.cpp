// FlushWorker against real PostgreSQL, Redis and S3: segments per app, watermarks, trimming,
// idempotent indexing, and conversations larger than a segment. When things fail:
// tst_flushfailures.cpp.

#include "segmentstest.h"
#include "support/redisinfo.h"

#include "segments/flushworker.h"
#include "segments/historystore.h"
#include "segments/segmentindex.h"
#include "segments/tail.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>

using namespace confab;
using namespace confab::segments;
using namespace confab::test;

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
    void aQuietAppIsLookedAtOnlyWhenItCouldBeDue();
    void aBusyAppFlushesItsOldestConversations_data();
    void aBusyAppFlushesItsOldestConversations();
    void cborSegmentsReadTheSame();
    void largeConversationSpansSegmentsAndReadsTheSame();
    void aBusyTailIsReadInBoundedPieces();
    void moreThanTheCodecLimitInOneConversation();

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

// How many times a worker read the dirty slots (one SMEMBERS per look at the pending sets).
static qint64 looks(Harness &h)
{
    return commandCalls(h.command({ "INFO", "commandstats" })->str, "smembers");
}

void TestFlushWorker::aQuietAppIsLookedAtOnlyWhenItCouldBeDue()
{
    // GIVEN a worker ticking every 50 ms, max_age 2 s, planning its looks at most 1 s apart
    FlushOptions o = quickOptions();
    o.maxAgeMs = 2000;
    o.maxScanGapMs = 1000;
    FlushWorker worker({ h->redis.get(), h->db.get(), h->s3.get(), &h->metrics }, o);
    QSignalSpy written(&worker, &FlushWorker::segmentWritten);
    QElapsedTimer sent;
    sent.start();
    QCOMPARE(h->send(QStringLiteral("c"), "one"), 1);
    STORE_VERIFY(h->command({ "CONFIG", "RESETSTAT" }));
    // WHEN it runs until the message is max_age old
    worker.start();
    QVERIFY(written.wait(10000));
    // THEN it was flushed at max_age, not before, after a few looks instead of one a tick
    // (about 40): the first tick's, one a second later, and the one at max_age
    QVERIFY2(sent.elapsed() >= 2000, qPrintable(QString::number(sent.elapsed())));
    const qint64 n = looks(*h);
    QVERIFY2(n >= 2 && n <= 6, qPrintable(QString::number(n)));
    QTRY_COMPARE(h->sqlCount(QStringLiteral("SELECT count(*) FROM segment_blocks")), 1);
}

void TestFlushWorker::aBusyAppFlushesItsOldestConversations_data()
{
    QTest::addColumn<int>("accumulate");
    QTest::addColumn<QStringList>("flushed");
    QTest::newRow("accumulate 4: the oldest first, up to max_bytes")
        << 4 << QStringList { QStringLiteral("c60") };
    QTest::newRow("accumulate 1: every waiting conversation") << 1
        << QStringList { QStringLiteral("c10"), QStringLiteral("c20"), QStringLiteral("c5"),
               QStringLiteral("c60") };
}

void TestFlushWorker::aBusyAppFlushesItsOldestConversations()
{
    // GIVEN max_bytes 4 KiB and an app whose conversations wait with 60, 20, 10 and 5 messages
    // of about 200 bytes: about 19 KiB, past accumulate x max_bytes either way
    QFETCH(int, accumulate);
    QFETCH(QStringList, flushed);
    const QList<std::pair<QString, int>> waiting = { { QStringLiteral("c60"), 60 },
        { QStringLiteral("c20"), 20 }, { QStringLiteral("c10"), 10 },
        { QStringLiteral("c5"), 5 } };
    for (const auto &[convo, n] : waiting)
        for (int i = 1; i <= n; ++i)
            QCOMPARE(h->send(convo, textOf(i, 20)), i);
    FlushOptions o = quickOptions();
    o.maxBytes = 4096;
    o.accumulate = accumulate;

    // WHEN the worker's ticks run (max_age is a minute: only size makes the app due)
    FlushWorker worker({ h->redis.get(), h->db.get(), h->s3.get(), nullptr }, o);
    QSignalSpy written(&worker, &FlushWorker::segmentWritten);
    worker.start();
    QVERIFY(written.wait(10000));
    QSignalSpy cycles(&worker, &FlushWorker::cycleFinished);
    QTRY_VERIFY(cycles.size() >= 4);

    // THEN with accumulate the oldest conversation alone is in segments (its 12 KiB fill
    // max_bytes) and what is left (7 KiB) is not enough to make the app due again; without it
    // the first due tick took every conversation
    QStringList inSegments;
    for (const auto &[convo, n] : waiting) {
        const qint64 wm = h->sqlCount(
            QStringLiteral("SELECT coalesce(max(flushed_seq), 0) FROM flush_state WHERE convo_id = '%1'")
                .arg(convo));
        if (wm != 0) {
            QCOMPARE(wm, n);
            inSegments.append(convo);
        }
    }
    inSegments.sort();
    QCOMPARE(inSegments, flushed);
    QCOMPARE(h->pendingCount(), waiting.size() - flushed.size());

    // AND flushNow still writes everything pending
    STORE_VERIFY(test::run(worker.flushNow()));
    QCOMPARE(h->pendingCount(), 0);
    QCOMPARE(h->sqlCount(QStringLiteral("SELECT count(*) FROM flush_state")), waiting.size());
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
    QCOMPARE(backToBackEnd(*h, QStringLiteral("big")), 151);
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

void TestFlushWorker::aBusyTailIsReadInBoundedPieces()
{
    // GIVEN a conversation of 150 messages of about 300 bytes (45 KB), and reads of at most
    // 4 KiB, two ahead at a time (the defaults would read it all at once)
    for (int i = 1; i <= 150; ++i)
        QCOMPARE(h->send(QStringLiteral("busy"), textOf(i, 300)), i);
    const QList<QPair<qint64, QByteArray>> tail = h->tailOf(QStringLiteral("busy"));
    FlushOptions o = quickOptions();
    o.hotWindow = 0;
    o.readCallBytes = 4096;
    o.readAheadBytes = 8192;
    FlushWorker worker({ h->redis.get(), h->db.get(), h->s3.get(), nullptr }, o);
    QVERIFY(h->command({ "CONFIG", "RESETSTAT" }));

    // WHEN flushed
    const Expected<int> n = test::run(worker.flushNow());
    STORE_VERIFY(n);

    // THEN the tail was read in at least 45 KB / 4 KiB = 11 reads (the module's command, or the
    // script where Redis lacks the module)
    const QByteArray stats = h->command({ "INFO", "commandstats" })->str;
    const qint64 reads = commandCalls(stats, "confab.read_tail") + commandCalls(stats, "evalsha");
    QVERIFY2(reads >= 11, qPrintable(QString::number(reads)));

    // AND the pieces make up the whole conversation, back to back, read as the tail was
    QCOMPARE(backToBackEnd(*h, QStringLiteral("busy")), 151);
    QCOMPARE(h->tailOf(QStringLiteral("busy")).size(), 0);
    HistoryStore history(h->redis.get(), h->db.get(), h->s3.get(), nullptr, { 64 * 1024, 0, 3 });
    QVERIFY(readsAsTail(history, h->app, "busy", tail, 50));
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

QTEST_GUILESS_MAIN(TestFlushWorker)
#include "tst_flushworker.moc"

// HistoryStore: pages read the same across the Redis tail / segment boundary, forwards and
// backwards, with blocks fetched by Range GET through the cache.

#include "segmentstest.h"

#include "segments/flushworker.h"
#include "segments/historystore.h"

using namespace confab;
using namespace confab::segments;
using confab::test::Harness;

class TestHistoryStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void pagesAcrossTheBoundary_data();
    void pagesAcrossTheBoundary();
    void segmentsOnlyAfterRedisLoss();
    void emptyAndOutOfRange();

private:
    // GIVEN `total` messages with a flush after `flushAt` (hot window `hot`); answers the
    // envelopes as they were in the tail before any trim, by seq.
    QList<QByteArray> fill(int total, int flushAt, qint64 hot, FlushWorker *worker);
    QList<QByteArray> readForward(HistoryStore &history, int limit);
    QList<QByteArray> readBackward(HistoryStore &history, int limit);

    std::unique_ptr<Harness> h;
};

void TestHistoryStore::init()
{
    h = std::make_unique<Harness>();
    QVERIFY2(h->setUp(), "test services missing; run through ctest");
}

void TestHistoryStore::cleanup()
{
    h.reset();
}

QList<QByteArray> TestHistoryStore::fill(
    int total, int flushAt, qint64 /*hot*/, FlushWorker *worker)
{
    QList<QByteArray> expected;
    for (int i = 1; i <= total; ++i) {
        if (h->send(QStringLiteral("c"), "message " + QByteArray::number(i)) != i)
            return {};
        if (i == flushAt) {
            for (const auto &e : h->tailOf(QStringLiteral("c")))
                expected.append(e.second);
            const Expected<int> n = test::run(worker->flushNow());
            if (!n || *n != 1)
                return {};
        }
    }
    const auto rest = h->tailOf(QStringLiteral("c"));
    for (const auto &e : rest) {
        if (e.first > flushAt)
            expected.append(e.second);
    }
    return expected;
}

QList<QByteArray> TestHistoryStore::readForward(HistoryStore &history, int limit)
{
    QList<QByteArray> out;
    qint64 after = 0;
    for (int guard = 0; guard < 1000; ++guard) {
        const Expected<segments::Page> page = test::run(history.after(h->app, "c", after, limit));
        if (!page)
            return {};
        out += page->messages;
        if (!page->hasMore)
            break;
        if (page->messages.size() != limit || page->lastSeq != after + limit)
            return {}; // every full page is exactly the next `limit` seqs
        after = page->lastSeq;
    }
    return out;
}

QList<QByteArray> TestHistoryStore::readBackward(HistoryStore &history, int limit)
{
    QList<QByteArray> out;
    Expected<segments::Page> page = test::run(history.latest(h->app, "c", limit));
    for (int guard = 0; guard < 1000 && page; ++guard) {
        out = page->messages + out;
        if (!page->hasMore)
            return out;
        if (page->messages.size() != limit)
            return {};
        const qint64 before = page->firstSeq;
        page = test::run(history.before(h->app, "c", before, limit));
    }
    return {};
}

void TestHistoryStore::pagesAcrossTheBoundary_data()
{
    QTest::addColumn<int>("limit");
    QTest::addColumn<qint64>("hotWindow");
    QTest::addRow("limit 1, no hot window") << 1 << qint64(0);
    QTest::addRow("limit 7, hot window 10") << 7 << qint64(10);
    QTest::addRow("limit 50, hot window 0") << 50 << qint64(0);
    QTest::addRow("limit 200, hot window 30") << 200 << qint64(30);
    QTest::addRow("limit above max") << 500 << qint64(5);
}

void TestHistoryStore::pagesAcrossTheBoundary()
{
    QFETCH(int, limit);
    QFETCH(qint64, hotWindow);
    FlushOptions o;
    o.hotWindow = hotWindow;
    FlushWorker worker({ h->redis.get(), h->db.get(), h->s3.get(), nullptr }, o);
    const QList<QByteArray> expected = fill(150, 80, hotWindow, &worker);
    QCOMPARE(expected.size(), 150);
    // the boundary is where the test means it to be
    const auto tail = h->tailOf(QStringLiteral("c"));
    QCOMPARE(tail.first().first, 80 - hotWindow + 1);

    HistoryStore history(h->redis.get(), h->db.get(), h->s3.get(), &h->metrics, {});
    const int effective = qMin(limit, HistoryStore::kMaxLimit);
    const QList<QByteArray> forward = readForward(history, effective);
    QCOMPARE(forward.size(), expected.size());
    QCOMPARE(forward, expected);
    const QList<QByteArray> backward = readBackward(history, effective);
    QCOMPARE(backward.size(), expected.size());
    QCOMPARE(backward, expected);

    // a page straddling the boundary, both ways
    const Expected<segments::Page> mid = test::run(history.after(h->app, "c", 60, 40));
    STORE_VERIFY(mid);
    QCOMPARE(mid->firstSeq, 61);
    QCOMPARE(mid->lastSeq, 100);
    QCOMPARE(mid->messages, expected.mid(60, 40));
    QVERIFY(mid->hasMore);
    const Expected<segments::Page> back = test::run(history.before(h->app, "c", 101, 40));
    STORE_VERIFY(back);
    QCOMPARE(back->messages, expected.mid(60, 40));
    QVERIFY(back->hasMore);

    // a limit above the maximum is the maximum
    const Expected<segments::Page> big = test::run(history.after(h->app, "c", 0, limit));
    STORE_VERIFY(big);
    QCOMPARE(big->messages.size(), qMin(150, effective));

    // a second flush writes nothing new, and history is unchanged
    QCOMPARE(*test::run(worker.flushNow()), 1); // 81..150 were still pending
    QCOMPARE(*test::run(worker.flushNow()), 0);
    QCOMPARE(h->sqlCount(QStringLiteral("SELECT count(*) FROM segment_blocks")), 2);
    QCOMPARE(readForward(history, effective), expected);
    QCOMPARE(readBackward(history, effective), expected);
    QVERIFY(h->metrics.render().contains(
        "confab_history_read_duration_seconds_count{source=\"mixed\"}"));
}

void TestHistoryStore::segmentsOnlyAfterRedisLoss()
{
    FlushOptions o;
    o.hotWindow = 0;
    FlushWorker worker({ h->redis.get(), h->db.get(), h->s3.get(), nullptr }, o);
    const QList<QByteArray> expected = fill(120, 120, 0, &worker);
    QCOMPARE(expected.size(), 120);
    QVERIFY(h->command({ "FLUSHALL" }));

    HistoryStore history(h->redis.get(), h->db.get(), h->s3.get(), nullptr, {});
    QCOMPARE(readForward(history, 25), expected);
    QCOMPARE(history.blockFetches(), 1); // one Range GET of the one block, then the cache
    QCOMPARE(readBackward(history, 25), expected);
    QCOMPARE(history.blockFetches(), 1);
    QVERIFY(history.cacheHits() > 0);
    const Expected<segments::Page> latest = test::run(history.latest(h->app, "c", 3));
    STORE_VERIFY(latest);
    QCOMPARE(latest->firstSeq, 118);
    QCOMPARE(latest->lastSeq, 120);
    QVERIFY(latest->hasMore);
}

void TestHistoryStore::emptyAndOutOfRange()
{
    HistoryStore history(h->redis.get(), h->db.get(), h->s3.get(), nullptr, {});
    const Expected<segments::Page> none = test::run(history.latest(h->app, "nothing", 50));
    STORE_VERIFY(none);
    QVERIFY(none->messages.isEmpty());
    QVERIFY(!none->hasMore);
    QCOMPARE(h->send(QStringLiteral("c"), "only"), 1);
    const Expected<segments::Page> beyond = test::run(history.after(h->app, "c", 5, 50));
    STORE_VERIFY(beyond);
    QVERIFY(beyond->messages.isEmpty());
    const Expected<segments::Page> first = test::run(history.before(h->app, "c", 1, 50));
    STORE_VERIFY(first);
    QVERIFY(first->messages.isEmpty());
    const Expected<segments::Page> one = test::run(history.before(h->app, "c", 2, 50));
    STORE_VERIFY(one);
    QCOMPARE(one->messages.size(), 1);
    QVERIFY(!one->hasMore);
}

QTEST_GUILESS_MAIN(TestHistoryStore)
#include "tst_historystore.moc"

// BlockCache: least recently used out first, bounded by bytes.

#include "segments/blockcache.h"

#include <QTest>

using namespace confab::segments;
using confab::segment::Record;

namespace
{

BlockCache::Records block(qint64 firstSeq, int count, int payloadBytes)
{
    QList<Record> records;
    for (int i = 0; i < count; ++i)
        records.append(Record { firstSeq + i, 1000 + i, QByteArray(payloadBytes, 'x') });
    return std::make_shared<const QList<Record>>(std::move(records));
}

qint64 costOf(int count, int payloadBytes)
{
    return qint64(count) * (payloadBytes + qint64(sizeof(Record)));
}

} // namespace

class TestBlockCache : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void findsWhatWasInserted();
    void evictsLeastRecentlyUsed();
    void refusesBlocksLargerThanTheCache();
    void reinsertReplaces();
};

void TestBlockCache::findsWhatWasInserted()
{
    BlockCache cache(1 << 20);
    QVERIFY(!cache.find(QStringLiteral("k"), 0));
    cache.insert(QStringLiteral("k"), 0, block(1, 3, 10));
    cache.insert(QStringLiteral("k"), 500, block(4, 2, 10));
    const auto a = cache.find(QStringLiteral("k"), 0);
    QVERIFY(a);
    QCOMPARE(a->size(), 3);
    QCOMPARE(a->first().seq, 1);
    QCOMPARE(cache.find(QStringLiteral("k"), 500)->first().seq, 4);
    QVERIFY(!cache.find(QStringLiteral("other"), 0));
    QCOMPARE(cache.bytes(), costOf(3, 10) + costOf(2, 10));
}

void TestBlockCache::evictsLeastRecentlyUsed()
{
    // GIVEN room for exactly three blocks
    BlockCache cache(3 * costOf(1, 100));
    cache.insert(QStringLiteral("a"), 0, block(1, 1, 100));
    cache.insert(QStringLiteral("b"), 0, block(1, 1, 100));
    cache.insert(QStringLiteral("c"), 0, block(1, 1, 100));
    // WHEN a is used again and a fourth block arrives
    QVERIFY(cache.find(QStringLiteral("a"), 0));
    cache.insert(QStringLiteral("d"), 0, block(1, 1, 100));
    // THEN b, the least recently used, is the one gone
    QVERIFY(cache.find(QStringLiteral("a"), 0));
    QVERIFY(!cache.find(QStringLiteral("b"), 0));
    QVERIFY(cache.find(QStringLiteral("c"), 0));
    QVERIFY(cache.find(QStringLiteral("d"), 0));
    QCOMPARE(cache.count(), 3);
    QVERIFY(cache.bytes() <= cache.maxBytes());
}

void TestBlockCache::refusesBlocksLargerThanTheCache()
{
    BlockCache cache(costOf(1, 100));
    cache.insert(QStringLiteral("small"), 0, block(1, 1, 10));
    cache.insert(QStringLiteral("huge"), 0, block(1, 10, 100));
    QVERIFY(!cache.find(QStringLiteral("huge"), 0));
    QVERIFY(cache.find(QStringLiteral("small"), 0));
}

void TestBlockCache::reinsertReplaces()
{
    BlockCache cache(1 << 20);
    cache.insert(QStringLiteral("k"), 0, block(1, 1, 10));
    cache.insert(QStringLiteral("k"), 0, block(1, 2, 10));
    QCOMPARE(cache.count(), 1);
    QCOMPARE(cache.bytes(), costOf(2, 10));
}

QTEST_GUILESS_MAIN(TestBlockCache)
#include "tst_blockcache.moc"

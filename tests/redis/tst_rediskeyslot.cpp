// Key -> hash slot, with the vectors of the Redis Cluster specification and CLUSTER KEYSLOT's
// documentation.
#include "redis/keyslot.h"

#include <QTest>

using namespace confab::redis;

class TestRedisKeySlot : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void crcOfTheSpecificationsExample() { QCOMPARE(crc16("123456789"), quint16(0x31C3)); }

    void slotsOfTheDocumentedKeys()
    {
        QCOMPARE(keySlot("somekey"), 11058);
        QCOMPARE(keySlot("foo{hash_tag}"), 2515);
        QCOMPARE(keySlot("bar{hash_tag}"), 2515);
    }

    void hashTagRules_data()
    {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QByteArray>("hashed");
        QTest::addColumn<bool>("tagged");
        QTest::newRow("no braces") << QByteArray("foo") << QByteArray("foo") << false;
        QTest::newRow("tag") << QByteArray("{user1000}.following") << QByteArray("user1000") << true;
        QTest::newRow("first tag only") << QByteArray("foo{bar}{zap}") << QByteArray("bar") << true;
        QTest::newRow("empty tag: whole key") << QByteArray("foo{}{bar}") << QByteArray("foo{}{bar}") << false;
        QTest::newRow("brace inside") << QByteArray("foo{{bar}}zap") << QByteArray("{bar") << true;
        QTest::newRow("unclosed") << QByteArray("foo{bar") << QByteArray("foo{bar") << false;
        QTest::newRow("confab convo") << QByteArray("c:{app:c1}:seq") << QByteArray("app:c1") << true;
    }
    void hashTagRules()
    {
        QFETCH(QByteArray, key);
        QFETCH(QByteArray, hashed);
        QFETCH(bool, tagged);
        QCOMPARE(keySlot(key), crc16(hashed) & (kSlotCount - 1));
        QCOMPARE(hasHashTag(key), tagged);
    }

    void everySlotHasATag()
    {
        for (int s = 0; s < kSlotCount; ++s) {
            const QByteArray tag = slotTag(s);
            QVERIFY(!tag.isEmpty());
            QCOMPARE(keySlot("flush:pending:{" + tag + '}'), s);
        }
        QCOMPARE(slotTag(keySlot("0")), QByteArray("0"));
    }
};

QTEST_APPLESS_MAIN(TestRedisKeySlot)
#include "tst_rediskeyslot.moc"

#include "redis/slotmap.h"
#include "values.h"

#include <QTest>

using confab::HostPort;
using confab::redis::keySlot;
using confab::redis::Value;
using namespace confab::redis::cluster;
using Args = QList<QByteArray>;
using namespace confab::redis::test;

namespace
{

// One CLUSTER SLOTS range as Redis 7 sends it: start, end, master, one replica.
Value range(int start, int end, const QByteArray &host, int port)
{
    return array(
        { integer(start), integer(end), array({ string(host), integer(port), string("id") }),
            array({ string(host), integer(port + 100), string("replica") }) });
}

} // namespace

class TestRedisSlotMap : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parsesClusterSlots();
    void emptyHostIsTheSeed();
    void refusesMalformed_data();
    void refusesMalformed();
    void setOwnerAddsMasters();
    void parsesRedirects_data();
    void parsesRedirects();
    void routes_data();
    void routes();
};

void TestRedisSlotMap::parsesClusterSlots()
{
    // GIVEN three masters, the second with two ranges
    const Value reply
        = array({ range(0, 5460, "10.0.0.1", 7000), range(5461, 10922, "10.0.0.2", 7001),
            range(10923, 16000, "10.0.0.3", 7002), range(16001, 16383, "10.0.0.2", 7001) });
    const auto map = SlotMap::fromClusterSlots(reply, QStringLiteral("seed"));
    QVERIFY(map);
    QCOMPARE(map->masters().size(), 3);
    QCOMPARE(map->masters().at(1).host, QStringLiteral("10.0.0.2"));
    QCOMPARE(map->masters().at(1).port, quint16(7001));
    QCOMPARE(map->ownerOf(0), 0);
    QCOMPARE(map->ownerOf(5460), 0);
    QCOMPARE(map->ownerOf(5461), 1);
    QCOMPARE(map->ownerOf(16383), 1);
    QCOMPARE(map->ownerOf(12000), 2);
    QVERIFY(map->coversAllSlots());
}

void TestRedisSlotMap::emptyHostIsTheSeed()
{
    const auto map
        = SlotMap::fromClusterSlots(array({ range(0, 100, "", 7000) }), QStringLiteral("seed"));
    QVERIFY(map);
    QCOMPARE(map->masters().at(0).host, QStringLiteral("seed"));
    QVERIFY(!map->coversAllSlots());
    QCOMPARE(map->ownerOf(101), -1);
}

void TestRedisSlotMap::refusesMalformed_data()
{
    QTest::addColumn<Value>("reply");
    QTest::addRow("not an array") << string("x");
    QTest::addRow("empty") << array({});
    QTest::addRow("short range") << array({ array({ integer(0), integer(1) }) });
    QTest::addRow("end before start") << array({ range(10, 5, "h", 1) });
    QTest::addRow("slot out of range") << array({ range(0, 16384, "h", 1) });
    QTest::addRow("port 0") << array({ range(0, 1, "h", 0) });
}

void TestRedisSlotMap::refusesMalformed()
{
    QFETCH(Value, reply);
    const auto map = SlotMap::fromClusterSlots(reply, QStringLiteral("seed"));
    QVERIFY(!map);
    QVERIFY(map.error().message.startsWith(QLatin1String("parsing CLUSTER SLOTS")));
}

void TestRedisSlotMap::setOwnerAddsMasters()
{
    auto map = SlotMap::fromClusterSlots(array({ range(0, 16383, "h", 1) }), QString());
    QVERIFY(map);
    QCOMPARE(map->setOwner(42, HostPort { QStringLiteral("h"), 2 }), 1);
    QCOMPARE(map->ownerOf(42), 1);
    QCOMPARE(map->ownerOf(43), 0);
    QCOMPARE(map->setOwner(43, HostPort { QStringLiteral("h"), 2 }), 1);
    QCOMPARE(map->masters().size(), 2);
}

void TestRedisSlotMap::parsesRedirects_data()
{
    QTest::addColumn<QString>("error");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<bool>("moved");
    QTest::addColumn<int>("slot");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addRow("moved") << "MOVED 3999 127.0.0.1:6381" << true << true << 3999 << "127.0.0.1"
                           << 6381;
    QTest::addRow("ask, our prefix")
        << "redis: ASK 12 10.1.2.3:7000" << true << false << 12 << "10.1.2.3" << 7000;
    QTest::addRow("ipv6") << "MOVED 1 [::1]:7000" << true << true << 1 << "::1" << 7000;
    QTest::addRow("other error") << "redis: ERR wrong number" << false << false << 0 << "" << 0;
    QTest::addRow("slot too big") << "MOVED 16384 h:1" << false << false << 0 << "" << 0;
    QTest::addRow("no port") << "MOVED 1 host" << false << false << 0 << "" << 0;
    QTest::addRow("bad port") << "ASK 1 host:99999" << false << false << 0 << "" << 0;
    QTest::addRow("truncated") << "MOVED 1" << false << false << 0 << "" << 0;
}

void TestRedisSlotMap::parsesRedirects()
{
    QFETCH(QString, error);
    QFETCH(bool, valid);
    const auto r = Redirect::parse(error);
    QCOMPARE(r.has_value(), valid);
    if (!valid)
        return;
    QFETCH(bool, moved);
    QFETCH(int, slot);
    QFETCH(QString, host);
    QFETCH(int, port);
    QCOMPARE(r->kind == Redirect::Kind::Moved, moved);
    QCOMPARE(r->slot, slot);
    QCOMPARE(r->node.host, host);
    QCOMPARE(int(r->node.port), port);
}

void TestRedisSlotMap::routes_data()
{
    QTest::addColumn<Args>("args");
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("slot");
    const int slot = keySlot("{c1}");
    QTest::addRow("get") << Args { "GET", "{c1}:x" } << int(Route::Kind::Slot) << slot;
    QTest::addRow("evalsha first key") << Args { "EVALSHA", "sha", "2", "{c1}:a", "{c1}:b", "arg" }
                                       << int(Route::Kind::Slot) << slot;
    QTest::addRow("eval cross slot")
        << Args { "EVAL", "s", "2", "{c1}:a", "{c2}:b" } << int(Route::Kind::CrossSlot) << -1;
    QTest::addRow("eval no keys") << Args { "EVAL", "s", "0", "arg" } << int(Route::Kind::Any)
                                  << -1;
    QTest::addRow("module command's keys after numkeys") << Args { "confab.accept", "2", "{c1}:a",
        "{c1}:b", "arg" } << int(Route::Kind::Slot) << slot;
    QTest::addRow("module command cross slot")
        << Args { "CONFAB.ACCEPT", "2", "{c1}:a", "{c2}:b" } << int(Route::Kind::CrossSlot) << -1;
    QTest::addRow("del cross slot")
        << Args { "DEL", "a", "b" } << int(Route::Kind::CrossSlot) << -1;
    QTest::addRow("del one slot") << Args { "DEL", "{c1}a", "{c1}b" } << int(Route::Kind::Slot)
                                  << slot;
    QTest::addRow("mset") << Args { "MSET", "{c1}a", "1", "{c1}b", "2" } << int(Route::Kind::Slot)
                          << slot;
    QTest::addRow("publish untagged")
        << Args { "PUBLISH", "confab:control", "x" } << int(Route::Kind::Slot)
        << keySlot("confab:control");
    QTest::addRow("spublish") << Args { "SPUBLISH", "{c1}:ch", "x" } << int(Route::Kind::Slot)
                              << slot;
    QTest::addRow("ping") << Args { "PING" } << int(Route::Kind::All) << -1;
    QTest::addRow("info") << Args { "INFO", "memory" } << int(Route::Kind::Any) << -1;
    QTest::addRow("script flush") << Args { "SCRIPT", "FLUSH" } << int(Route::Kind::All) << -1;
    QTest::addRow("lower case") << Args { "get", "{c1}" } << int(Route::Kind::Slot) << slot;
}

void TestRedisSlotMap::routes()
{
    QFETCH(Args, args);
    QFETCH(int, kind);
    QFETCH(int, slot);
    const Route r = routeOf(args);
    QCOMPARE(int(r.kind), kind);
    QCOMPARE(r.slot, slot);
}

QTEST_APPLESS_MAIN(TestRedisSlotMap)
#include "tst_redisslotmap.moc"

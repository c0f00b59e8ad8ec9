// Parsing Sentinel's replies and +switch-master events (server/redis/sentinel.h).
#include "redis/sentinel.h"
#include "values.h"

#include <QTest>

using namespace confab::redis;
using namespace confab::redis::test;

Q_DECLARE_METATYPE(confab::redis::Value)


class tst_RedisSentinel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void masterAddress()
    {
        const auto addr = sentinel::parseMasterAddr(array({string("10.0.0.7"), string("6380")}));
        QVERIFY(addr.has_value());
        QCOMPARE(addr->host, QStringLiteral("10.0.0.7"));
        QCOMPARE(addr->port, quint16(6380));
    }

    void masterAddressRefused_data()
    {
        QTest::addColumn<Value>("reply");
        QTest::addRow("nil: unknown master name") << Value{};
        QTest::addRow("one element") << array({string("h")});
        QTest::addRow("three elements") << array({string("h"), string("1"), string("2")});
        QTest::addRow("port not a number") << array({string("h"), string("x")});
        QTest::addRow("port zero") << array({string("h"), string("0")});
        QTest::addRow("port too big") << array({string("h"), string("65536")});
        QTest::addRow("empty host") << array({string(""), string("6379")});
        Value integerPort;
        integerPort.type = Value::Type::Integer;
        integerPort.integer = 6379;
        QTest::addRow("integer port") << array({string("h"), integerPort});
    }
    void masterAddressRefused()
    {
        QFETCH(Value, reply);
        QVERIFY(!sentinel::parseMasterAddr(reply).has_value());
    }

    void switchMaster()
    {
        const auto sw = sentinel::parseSwitchMaster("confab 127.0.0.1 6379 127.0.0.2 6380");
        QVERIFY(sw.has_value());
        QCOMPARE(sw->masterName, QStringLiteral("confab"));
        QCOMPARE(sw->from.host, QStringLiteral("127.0.0.1"));
        QCOMPARE(sw->from.port, quint16(6379));
        QCOMPARE(sw->to.host, QStringLiteral("127.0.0.2"));
        QCOMPARE(sw->to.port, quint16(6380));
    }

    void switchMasterRefused_data()
    {
        QTest::addColumn<QByteArray>("payload");
        QTest::addRow("empty") << QByteArray();
        QTest::addRow("four fields") << QByteArray("m 1.2.3.4 1 1.2.3.5");
        QTest::addRow("six fields") << QByteArray("m 1.2.3.4 1 1.2.3.5 2 x");
        QTest::addRow("double space") << QByteArray("m  1.2.3.4 1 1.2.3.5 2");
        QTest::addRow("bad new port") << QByteArray("m 1.2.3.4 1 1.2.3.5 port");
        QTest::addRow("bad old port") << QByteArray("m 1.2.3.4 70000 1.2.3.5 2");
    }
    void switchMasterRefused()
    {
        QFETCH(QByteArray, payload);
        QVERIFY(!sentinel::parseSwitchMaster(payload).has_value());
    }

    void role()
    {
        Value offset;
        offset.type = Value::Type::Integer;
        QVERIFY(sentinel::isMasterRole(array({string("master"), offset, array({})})));
        QVERIFY(!sentinel::isMasterRole(array({string("slave"), string("127.0.0.1"), offset})));
        QVERIFY(!sentinel::isMasterRole(array({string("sentinel"), array({})})));
        QVERIFY(!sentinel::isMasterRole(Value{}));
    }

    void readOnly()
    {
        QVERIFY(sentinel::isReadOnlyError(QStringLiteral("redis: READONLY You can't write against a read only replica.")));
        QVERIFY(!sentinel::isReadOnlyError(QStringLiteral("redis: NOSCRIPT No matching script.")));
    }
};

QTEST_MAIN(tst_RedisSentinel)
#include "tst_redissentinel.moc"

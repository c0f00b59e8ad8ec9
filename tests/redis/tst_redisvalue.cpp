#include "redis/script.h"
#include "redis/value.h"

#include <QTest>

using confab::redis::Script;
using confab::redis::Value;

class TestRedisValue : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void toInteger_data();
    void toInteger();
    void predicates();
    void scriptSha1();
};

void TestRedisValue::toInteger_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<qint64>("integer");
    QTest::addColumn<QByteArray>("str");
    QTest::addColumn<qint64>("expected");

    QTest::addRow("integer") << int(Value::Type::Integer) << qint64(42) << QByteArray()
                             << qint64(42);
    QTest::addRow("negative integer")
        << int(Value::Type::Integer) << qint64(-7) << QByteArray() << qint64(-7);
    QTest::addRow("digits") << int(Value::Type::String) << qint64(0)
                            << QByteArray("9007199254740993") << qint64(9007199254740993LL);
    QTest::addRow("not digits") << int(Value::Type::String) << qint64(0) << QByteArray("12abc")
                                << qint64(-1);
    QTest::addRow("empty string") << int(Value::Type::String) << qint64(0) << QByteArray()
                                  << qint64(-1);
    QTest::addRow("nil") << int(Value::Type::Nil) << qint64(0) << QByteArray() << qint64(-1);
    QTest::addRow("status") << int(Value::Type::Status) << qint64(0) << QByteArray("5")
                            << qint64(-1);
}

void TestRedisValue::toInteger()
{
    QFETCH(int, type);
    Value v;
    v.type = Value::Type(type);
    QFETCH(qint64, integer);
    QFETCH(QByteArray, str);
    v.integer = integer;
    v.str = str;
    QTEST(v.toInteger(-1), "expected");
}

void TestRedisValue::predicates()
{
    Value v;
    QVERIFY(v.isNil());
    QVERIFY(!v.isError());
    v.type = Value::Type::Error;
    QVERIFY(v.isError());
    QVERIFY(!v.isNil());
}

void TestRedisValue::scriptSha1()
{
    // The digest Redis itself reports for SCRIPT LOAD "return 1".
    const Script s(QByteArrayLiteral("return 1"));
    QCOMPARE(s.sha1(), QByteArrayLiteral("e0e1f9fabfc9d4800c877a703b823ac0578ff8db"));
    QCOMPARE(s.source(), QByteArrayLiteral("return 1"));
}

QTEST_GUILESS_MAIN(TestRedisValue)
#include "tst_redisvalue.moc"

#include "json/strictjson.h"

#include <QTest>

using namespace confab::json;

Q_DECLARE_METATYPE(confab::json::Problem::Kind)

class TestStrictJson : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void accepted_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addRow("object") << QByteArray(R"({"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]})");
        QTest::addRow("same key in sibling objects") << QByteArray(R"([{"k":1},{"k":2}])");
        QTest::addRow("int64 min") << QByteArray("[-9223372036854775808]");
        QTest::addRow("uint64 max") << QByteArray("[18446744073709551615]");
        QTest::addRow("double max") << QByteArray("[1.7976931348623157e308]");
        QTest::addRow("underflow rounds to zero") << QByteArray("[1e-400]");
        QTest::addRow("scalar") << QByteArray("true");
    }
    void accepted()
    {
        QFETCH(QByteArray, text);
        const auto problem = check(text);
        QVERIFY2(!problem, qPrintable(problem ? problem->message : QString()));
    }

    void refused_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<Problem::Kind>("kind");
        QTest::addColumn<QString>("message");
        QTest::addColumn<QByteArray>("req");
        const QString range = QStringLiteral("(integers must fit in 64 bits, decimals in a double)");
        QTest::addRow("duplicate") << QByteArray(R"({"req":"r","a":1,"a":2})") << Problem::Kind::DuplicateKey
                                   << QStringLiteral("duplicate key 'a'") << QByteArray("r");
        QTest::addRow("nested duplicate") << QByteArray(R"({"x":[{"b":1,"c":0,"b":1}]})") << Problem::Kind::DuplicateKey
                                          << QStringLiteral("duplicate key 'b'") << QByteArray();
        QTest::addRow("escaped duplicate") << QByteArray(R"({"a":1,"\u0061":2})") << Problem::Kind::DuplicateKey
                                           << QStringLiteral("duplicate key 'a'") << QByteArray();
        QTest::addRow("duplicate req") << QByteArray(R"({"req":"r","req":"s"})") << Problem::Kind::DuplicateKey
                                       << QStringLiteral("duplicate key 'req'") << QByteArray();
        QTest::addRow("2^64") << QByteArray(R"({"req":"r7","ttl_s":18446744073709551616})") << Problem::Kind::NumberOutOfRange
                              << QStringLiteral("field 'ttl_s' holds a number out of range %1").arg(range) << QByteArray("r7");
        QTest::addRow("-2^63-1") << QByteArray(R"({"n":-9223372036854775809})") << Problem::Kind::NumberOutOfRange
                                 << QStringLiteral("field 'n' holds a number out of range %1").arg(range) << QByteArray();
        QTest::addRow("1e309") << QByteArray(R"({"a":{"size":1e309}})") << Problem::Kind::NumberOutOfRange
                               << QStringLiteral("field 'size' holds a number out of range %1").arg(range) << QByteArray();
        QTest::addRow("in an array of a key") << QByteArray(R"({"a":{"b":1},"list":[1, 99999999999999999999999]})")
                                              << Problem::Kind::NumberOutOfRange
                                              << QStringLiteral("field 'list' holds a number out of range %1").arg(range) << QByteArray();
        QTest::addRow("top level") << QByteArray("[1e400]") << Problem::Kind::NumberOutOfRange
                                   << QStringLiteral("a number is out of range %1").arg(range) << QByteArray();
        QTest::addRow("leading zero") << QByteArray(R"({"a":01})") << Problem::Kind::NotJson << QStringLiteral("not JSON") << QByteArray();
        QTest::addRow("garbage") << QByteArray("{{") << Problem::Kind::NotJson << QStringLiteral("not JSON") << QByteArray();
        QTest::addRow("empty") << QByteArray() << Problem::Kind::NotJson << QStringLiteral("not JSON") << QByteArray();
    }
    void refused()
    {
        QFETCH(QByteArray, text);
        QFETCH(Problem::Kind, kind);
        QFETCH(QString, message);
        QFETCH(QByteArray, req);
        const auto problem = check(text);
        QVERIFY(problem);
        QCOMPARE(problem->kind, kind);
        QCOMPARE(problem->message, message);
        QCOMPARE(problem->req.has_value(), !req.isEmpty());
        if (problem->req)
            QCOMPARE(*problem->req, req);
    }

    void scanFindsOnlyTheTopLevelReq()
    {
        QCOMPARE(scanTopLevelReq(R"({"a":{"req":"inner"},"req" : "outer"})"), std::optional<QByteArray>("outer"));
        QCOMPARE(scanTopLevelReq(R"({"a":"req","b":"x"})"), std::nullopt);
        QCOMPARE(scanTopLevelReq(R"({"req":5})"), std::nullopt);
        QCOMPARE(scanTopLevelReq(R"({"req":"with \" escape"})"), std::nullopt);
        QCOMPARE(scanTopLevelReq(R"({"req":"unterminated)"), std::nullopt);
    }

    void keysInMessagesAreCut()
    {
        const QByteArray longKey(500, 'k');
        const auto problem = check("{\"" + longKey + "\":1,\"" + longKey + "\":2}");
        QVERIFY(problem);
        QCOMPARE(problem->message, QStringLiteral("duplicate key '%1'").arg(QString(64, u'k')));
    }
};

QTEST_APPLESS_MAIN(TestStrictJson)
#include "tst_strictjson.moc"

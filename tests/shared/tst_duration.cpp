#include "confab/duration.h"

#include <QTest>

using namespace confab;

class TestDuration : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<qint64>("ms");
        QTest::addRow("ms") << QStringLiteral("250ms") << true << qint64(250);
        QTest::addRow("s") << QStringLiteral("5s") << true << qint64(5000);
        QTest::addRow("m") << QStringLiteral("10m") << true << qint64(600000);
        QTest::addRow("h") << QStringLiteral("2h") << true << qint64(7200000);
        QTest::addRow("d") << QStringLiteral("30d") << true << qint64(2592000000);
        QTest::addRow("spaces") << QStringLiteral(" 5s ") << true << qint64(5000);
        QTest::addRow("zero") << QStringLiteral("0s") << true << qint64(0);
        QTest::addRow("no unit") << QStringLiteral("5") << false << qint64(0);
        QTest::addRow("unknown unit") << QStringLiteral("5w") << false << qint64(0);
        QTest::addRow("negative") << QStringLiteral("-5s") << false << qint64(0);
        QTest::addRow("fraction") << QStringLiteral("1.5s") << false << qint64(0);
        QTest::addRow("empty") << QString() << false << qint64(0);
        QTest::addRow("unit only") << QStringLiteral("ms") << false << qint64(0);
        QTest::addRow("overflow") << QStringLiteral("99999999999999999999d") << false << qint64(0);
        QTest::addRow("big overflow") << QStringLiteral("9000000000000000d") << false << qint64(0);
        QTest::addRow("space inside") << QStringLiteral("5 s") << false << qint64(0);
    }
    void parse()
    {
        QFETCH(QString, text);
        QFETCH(bool, ok);
        QFETCH(qint64, ms);
        const auto r = parseDuration(text);
        QCOMPARE(r.has_value(), ok);
        if (ok)
            QCOMPARE(*r, ms);
        else
            QVERIFY(!r.error().message.isEmpty());
    }
    void format()
    {
        QCOMPARE(formatDuration(30LL * 86400000), QStringLiteral("30d"));
        QCOMPARE(formatDuration(1500), QStringLiteral("1500ms"));
        QCOMPARE(formatDuration(0), QStringLiteral("0ms"));
        QCOMPARE(formatDuration(120000), QStringLiteral("2m"));
    }
};

QTEST_APPLESS_MAIN(TestDuration)
#include "tst_duration.moc"

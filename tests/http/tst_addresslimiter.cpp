#include "http/addresslimiter.h"

#include <QHostAddress>
#include <QTest>

using confab::http::AddressLimiter;

class TestAddressLimiter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keys_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<bool>("same");
        QTest::addRow("same IPv4") << "192.0.2.1" << "192.0.2.1" << true;
        QTest::addRow("IPv4 neighbours differ") << "192.0.2.1" << "192.0.2.2" << false;
        QTest::addRow("IPv4-mapped IPv6 is IPv4") << "::ffff:192.0.2.1" << "192.0.2.1" << true;
        QTest::addRow("one IPv6 /64") << "2001:db8:1:2::1" << "2001:db8:1:2:ffff::9" << true;
        QTest::addRow("another /64") << "2001:db8:1:2::1" << "2001:db8:1:3::1" << false;
    }
    void keys()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(bool, same);
        QCOMPARE(AddressLimiter::keyOf(QHostAddress(a)) == AddressLimiter::keyOf(QHostAddress(b)), same);
    }

    void exemptions()
    {
        const AddressLimiter limiter(1, {QStringLiteral("127.0.0.0/8"), QStringLiteral("::1/128"), QStringLiteral("192.0.2.7")});
        QVERIFY(limiter.isExempt(QHostAddress(QStringLiteral("127.3.4.5"))));
        QVERIFY(limiter.isExempt(QHostAddress(QStringLiteral("::ffff:127.0.0.1"))));
        QVERIFY(limiter.isExempt(QHostAddress(QStringLiteral("::1"))));
        QVERIFY(limiter.isExempt(QHostAddress(QStringLiteral("192.0.2.7"))));
        QVERIFY(!limiter.isExempt(QHostAddress(QStringLiteral("192.0.2.8"))));
        QVERIFY(!limiter.isExempt(QHostAddress(QStringLiteral("2001:db8::1"))));
    }
};

QTEST_APPLESS_MAIN(TestAddressLimiter)
#include "tst_addresslimiter.moc"

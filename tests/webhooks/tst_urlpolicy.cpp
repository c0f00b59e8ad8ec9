// Where webhooks may go: https:// to public addresses only, unless allow_private.
#include "webhooks/urlpolicy.h"

#include <QTest>

using namespace confab;
using namespace confab::webhooks;

class tst_UrlPolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void addresses_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<bool>("isPublic");
        QTest::addRow("public v4") << "93.184.216.34" << true;
        QTest::addRow("public v6") << "2606:2800:220:1:248:1893:25c8:1946" << true;
        QTest::addRow("loopback") << "127.0.0.1" << false;
        QTest::addRow("loopback elsewhere in 127/8") << "127.8.9.10" << false;
        QTest::addRow("rfc1918 10") << "10.1.2.3" << false;
        QTest::addRow("rfc1918 172.16") << "172.31.255.255" << false;
        QTest::addRow("just outside 172.16/12") << "172.32.0.1" << true;
        QTest::addRow("rfc1918 192.168") << "192.168.1.1" << false;
        QTest::addRow("cgnat") << "100.64.0.1" << false;
        QTest::addRow("link-local, cloud metadata") << "169.254.169.254" << false;
        QTest::addRow("this network") << "0.0.0.0" << false;
        QTest::addRow("documentation") << "203.0.113.5" << false;
        QTest::addRow("multicast") << "224.0.0.1" << false;
        QTest::addRow("broadcast") << "255.255.255.255" << false;
        QTest::addRow("v6 loopback") << "::1" << false;
        QTest::addRow("v6 unspecified") << "::" << false;
        QTest::addRow("v6 unique local") << "fd00::1" << false;
        QTest::addRow("v6 link-local") << "fe80::1" << false;
        QTest::addRow("v6 multicast") << "ff02::1" << false;
        QTest::addRow("v6 documentation") << "2001:db8::1" << false;
        QTest::addRow("v4-mapped loopback") << "::ffff:127.0.0.1" << false;
        QTest::addRow("v4-mapped public") << "::ffff:93.184.216.34" << true;
        QTest::addRow("nat64 of a private address") << "64:ff9b::10.0.0.1" << false;
    }
    void addresses()
    {
        QFETCH(QString, address);
        QFETCH(bool, isPublic);
        const QHostAddress a(address);
        QVERIFY(!a.isNull());
        QCOMPARE(isPublicAddress(a), isPublic);
    }

    void urls_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("allowPrivate");
        QTest::addColumn<bool>("accepted");
        QTest::addRow("https public name") << "https://hooks.example.com/confab" << false << true;
        QTest::addRow("https public literal") << "https://93.184.216.34/x" << false << true;
        QTest::addRow("http refused") << "http://hooks.example.com/" << false << false;
        QTest::addRow("http with allow_private") << "http://127.0.0.1:9000/" << true << true;
        QTest::addRow("ftp even with allow_private") << "ftp://example.com/" << true << false;
        QTest::addRow("loopback literal") << "https://127.0.0.1/" << false << false;
        QTest::addRow("v6 loopback literal") << "https://[::1]/" << false << false;
        QTest::addRow("localhost") << "https://localhost/" << false << false;
        QTest::addRow("sub.localhost") << "https://a.localhost/" << false << false;
        QTest::addRow("metadata service") << "https://169.254.169.254/latest" << false << false;
        QTest::addRow("user info") << "https://u:p@example.com/" << false << false;
        QTest::addRow("fragment") << "https://example.com/#x" << false << false;
        QTest::addRow("relative") << "/hook" << true << false;
        QTest::addRow("no host") << "https:///hook" << true << false;
    }
    void urls()
    {
        QFETCH(QString, url);
        QFETCH(bool, allowPrivate);
        QFETCH(bool, accepted);
        const Status s = checkUrl(QUrl(url), allowPrivate);
        QCOMPARE(bool(s), accepted);
        if (!s)
            QCOMPARE(s.error().code, confab::ErrorCode::BadRequest);
    }

    void resolvedAddresses()
    {
        const QHostAddress pub(QStringLiteral("93.184.216.34"));
        const QHostAddress priv(QStringLiteral("10.0.0.7"));
        QVERIFY(checkResolved(QStringLiteral("h"), {pub}, false));
        // one private address among public ones is enough to refuse (DNS rebinding)
        QVERIFY(!checkResolved(QStringLiteral("h"), {pub, priv}, false));
        QVERIFY(checkResolved(QStringLiteral("h"), {pub, priv}, true));
        QVERIFY(!checkResolved(QStringLiteral("h"), {}, true));
    }
};

QTEST_GUILESS_MAIN(tst_UrlPolicy)
#include "tst_urlpolicy.moc"

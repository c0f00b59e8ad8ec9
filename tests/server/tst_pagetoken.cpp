#include "api/appapi.h"

#include <QTest>

using namespace confab::api;

class TestPageToken : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void roundTrip()
    {
        const QByteArray t = encodePageToken(PageCursor{'b', 1234}, "secret", "app1", "c1");
        const auto c = decodePageToken(t, "secret", "app1", "c1");
        QVERIFY(c);
        QCOMPARE(c->direction, 'b');
        QCOMPARE(c->seq, 1234);
        QVERIFY(!t.contains('='));
    }

    void boundToConversationAndApp()
    {
        const QByteArray t = encodePageToken(PageCursor{'a', 5}, "secret", "app1", "c1");
        QVERIFY(!decodePageToken(t, "secret", "app1", "c2"));
        QVERIFY(!decodePageToken(t, "secret", "app2", "c1"));
        QVERIFY(!decodePageToken(t, "other", "app1", "c1"));
    }

    void tampered_data()
    {
        QTest::addColumn<QByteArray>("token");
        const QByteArray good = encodePageToken(PageCursor{'a', 5}, "secret", "app1", "c1");
        const qsizetype dot = good.indexOf('.');
        QByteArray flipped = good;
        flipped[0] = flipped[0] == 'Y' ? 'Z' : 'Y';
        QTest::addRow("payload changed") << flipped;
        QTest::addRow("mac cut") << good.left(dot + 3);
        QTest::addRow("no mac") << good.left(dot);
        QTest::addRow("empty") << QByteArray();
        QTest::addRow("junk") << QByteArray("!!!.???");
        QTest::addRow("huge") << QByteArray(5000, 'a');
        QTest::addRow("forged payload") << QByteArray("YTk5.") + good.mid(dot + 1);
    }
    void tampered()
    {
        QFETCH(QByteArray, token);
        const auto c = decodePageToken(token, "secret", "app1", "c1");
        QVERIFY(!c);
        QCOMPARE(c.error().code, confab::ErrorCode::BadRequest);
    }
};

QTEST_APPLESS_MAIN(TestPageToken)
#include "tst_pagetoken.moc"

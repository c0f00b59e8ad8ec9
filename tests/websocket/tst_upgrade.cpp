// What a WebSocket endpoint takes from the upgrade request: the credential.
#include "websocket/upgrade.h"

#include <QTest>

using namespace confab::websocket;

class TestUpgrade : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void credential_data()
    {
        QTest::addColumn<QByteArray>("authorization");
        QTest::addColumn<QByteArray>("query");
        QTest::addColumn<QByteArray>("credential");
        QTest::addRow("bearer") << QByteArray("Bearer abc.def") << QByteArray()
                                << QByteArray("abc.def");
        QTest::addRow("scheme case")
            << QByteArray("bEaReR  tok ") << QByteArray() << QByteArray("tok");
        QTest::addRow("basic is not bearer")
            << QByteArray("Basic dTpw") << QByteArray() << QByteArray();
        QTest::addRow("query") << QByteArray() << QByteArray("a=1&access_token=x.y%2Bz")
                               << QByteArray("x.y+z");
        QTest::addRow("first of two")
            << QByteArray() << QByteArray("access_token=1&access_token=2") << QByteArray("1");
        QTest::addRow("header wins")
            << QByteArray("Bearer h") << QByteArray("access_token=q") << QByteArray("h");
        QTest::addRow("similar name")
            << QByteArray() << QByteArray("access_tokens=1") << QByteArray();
        QTest::addRow("no value") << QByteArray() << QByteArray("access_token") << QByteArray();
        QTest::addRow("encoded name")
            << QByteArray() << QByteArray("access%5Ftoken=t") << QByteArray("t");
        QTest::addRow("none") << QByteArray() << QByteArray() << QByteArray();
    }
    void credential()
    {
        QFETCH(QByteArray, authorization);
        QFETCH(QByteArray, query);
        QFETCH(QByteArray, credential);
        Upgrade u;
        u.authorization = authorization;
        u.rawQuery = query;
        QCOMPARE(u.credential(), credential);
    }
};

QTEST_APPLESS_MAIN(TestUpgrade)
#include "tst_upgrade.moc"

// The WebSocket part of the opening handshake (RFC 6455 sections 1.3 and 4.2), on bytes.
#include "websocket/handshake.h"

#include <QTest>

using namespace confab::websocket;

using Headers = QList<QPair<QByteArray, QByteArray>>;

class TestHandshake : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void rfcAcceptKey()
    {
        // RFC 6455 section 1.3
        QCOMPARE(acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), QByteArray("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    }

    void keys_data()
    {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<bool>("valid");
        QTest::addRow("rfc sample") << QByteArray("dGhlIHNhbXBsZSBub25jZQ==") << true;
        QTest::addRow("16 zero bytes") << QByteArray(16, '\0').toBase64() << true;
        QTest::addRow("short") << QByteArray("short") << false;
        QTest::addRow("empty") << QByteArray() << false;
        QTest::addRow("15 bytes") << QByteArray(15, 'a').toBase64() << false;
        QTest::addRow("17 bytes") << QByteArray(17, 'a').toBase64() << false;
        QTest::addRow("no padding") << QByteArray("dGhlIHNhbXBsZSBub25jZQ") << false;
        QTest::addRow("bad character") << QByteArray("dGhlIHNhbXBsZSBub25jZ*==") << false;
        QTest::addRow("base64url") << QByteArray("dGhlIHNhbXBsZSBub25j_-==") << false;
        QTest::addRow("24 bytes of garbage") << QByteArray("!!!!!!!!!!!!!!!!!!!!!!!!") << false;
    }
    void keys()
    {
        QFETCH(QByteArray, key);
        QFETCH(bool, valid);
        QCOMPARE(isValidKey(key), valid);
    }

    void accepted()
    {
        const Handshake h
            = answerHandshake(Headers { { "host", "x" }, { "sec-websocket-version", "13" },
                { "sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==" } });
        QCOMPARE(h.status, 101);
        QCOMPARE(h.response,
            QByteArray("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                       "Connection: Upgrade\r\n"
                       "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"));
    }

    void refused_data()
    {
        QTest::addColumn<Headers>("headers");
        QTest::addColumn<int>("status");
        const QPair<QByteArray, QByteArray> key { "sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==" };
        const QPair<QByteArray, QByteArray> v13 { "sec-websocket-version", "13" };
        QTest::addRow("no version") << Headers { key } << 426;
        QTest::addRow("version 8") << Headers { key, { "sec-websocket-version", "8" } } << 426;
        QTest::addRow("version list")
            << Headers { key, { "sec-websocket-version", "13, 8" } } << 426;
        QTest::addRow("two versions")
            << Headers { key, v13, { "sec-websocket-version", "8" } } << 426;
        QTest::addRow("no key") << Headers { v13 } << 400;
        QTest::addRow("short key") << Headers { v13, { "sec-websocket-key", "short" } } << 400;
        QTest::addRow("empty key") << Headers { v13, { "sec-websocket-key", "" } } << 400;
        QTest::addRow("two keys") << Headers { v13, key, key } << 400;
    }
    void refused()
    {
        QFETCH(Headers, headers);
        QFETCH(int, status);
        const Handshake h = answerHandshake(headers);
        QCOMPARE(h.status, status);
        QVERIFY(!h.message.isEmpty());
        QVERIFY(h.response.isEmpty());
    }
};

QTEST_APPLESS_MAIN(TestHandshake)
#include "tst_handshake.moc"

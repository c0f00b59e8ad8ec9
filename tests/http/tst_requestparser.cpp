#include "http/requestparser.h"

#include <QTest>

using namespace confab::http;

class tst_RequestParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void headLength_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<qsizetype>("length");
        QTest::addRow("incomplete") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n") << qsizetype(-1);
        QTest::addRow("complete") << QByteArray("GET / HTTP/1.1\r\n\r\n") << qsizetype(18);
        QTest::addRow("with body after") << QByteArray("GET / HTTP/1.1\r\n\r\nxyz") << qsizetype(18);
        QTest::addRow("bare LF is not an end") << QByteArray("GET / HTTP/1.1\n\n") << qsizetype(-1);
    }
    void headLength()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(qsizetype, length);
        QCOMPARE(parser::headLength(bytes), length);
    }

    void plausibleStart_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("plausible");
        QTest::addRow("empty") << QByteArray() << true;
        QTest::addRow("method so far") << QByteArray("GE") << true;
        QTest::addRow("method and space") << QByteArray("GET ") << true;
        QTest::addRow("path") << QByteArray("GET /v1") << true;
        QTest::addRow("absolute form") << QByteArray("GET http://x/") << true;
        QTest::addRow("binary") << QByteArray("\x16\x03\x01\x02", 4) << false;
        QTest::addRow("space first") << QByteArray(" GET /") << false;
        QTest::addRow("bad target") << QByteArray("GET %") << false;
        QTest::addRow("endless method") << QByteArray(40, 'A') << false;
    }
    void plausibleStart()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(bool, plausible);
        QCOMPARE(parser::plausibleStart(bytes), plausible);
    }

    void parseGood()
    {
        // GIVEN a request with a query, odd header spacing and repeated Content-Length
        const QByteArray head = "post /v1/a%20b?x=1&y=%C3%A9 HTTP/1.1\r\n"
                                "Host: example\r\n"
                                "X-Thing:   spaced value \t\r\n"
                                "Content-Length: 5\r\n"
                                "content-length: 5\r\n"
                                "\r\n";
        // WHEN it is parsed
        const auto r = parser::parseHead(head);
        // THEN the pieces come out normalised but still encoded
        QVERIFY(r);
        QCOMPARE(r->method, QByteArray("POST"));
        QCOMPARE(r->rawPath, QByteArray("/v1/a%20b"));
        QCOMPARE(r->rawQuery, QByteArray("x=1&y=%C3%A9"));
        QCOMPARE(r->minorVersion, 1);
        QCOMPARE(r->contentLength, 5);
        QVERIFY(r->keepAlive);
        QVERIFY(!r->webSocketUpgrade);
        QCOMPARE(r->headers.size(), 4);
        QCOMPARE(r->headers.at(1).first, QByteArray("x-thing"));
        QCOMPARE(r->headers.at(1).second, QByteArray("spaced value"));
    }

    void flags_data()
    {
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<bool>("keepAlive");
        QTest::addColumn<bool>("upgrade");
        QTest::addColumn<bool>("transferEncoding");
        QTest::addColumn<bool>("expectContinue");
        QTest::addRow("1.1 default") << QByteArray("GET / HTTP/1.1\r\n\r\n") << true << false
                                     << false << false;
        QTest::addRow("1.0 closes") << QByteArray("GET / HTTP/1.0\r\n\r\n") << false << false
                                    << false << false;
        QTest::addRow("close token")
            << QByteArray("GET / HTTP/1.1\r\nConnection: foo, Close\r\n\r\n") << false << false
            << false << false;
        QTest::addRow("websocket upgrade")
            << QByteArray("GET /ws HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\n"
                          "Upgrade: WebSocket\r\n\r\n")
            << true << true << false << false;
        QTest::addRow("upgrade needs GET")
            << QByteArray("POST /ws HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n")
            << true << false << false << false;
        QTest::addRow("upgrade needs connection token")
            << QByteArray("GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n") << true << false
            << false << false;
        QTest::addRow("chunked") << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
                                 << true << false << true << false;
        QTest::addRow("expect") << QByteArray("POST / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n")
                                << true << false << false << true;
    }
    void flags()
    {
        QFETCH(QByteArray, head);
        const auto r = parser::parseHead(head);
        QVERIFY(r);
        QTEST(r->keepAlive, "keepAlive");
        QTEST(r->webSocketUpgrade, "upgrade");
        QTEST(r->hasTransferEncoding, "transferEncoding");
        QTEST(r->expectContinue, "expectContinue");
    }

    void absoluteForm()
    {
        const auto r = parser::parseHead("GET http://host:8080/a/b?c=d HTTP/1.1\r\n\r\n");
        QVERIFY(r);
        QCOMPARE(r->rawPath, QByteArray("/a/b"));
        QCOMPARE(r->rawQuery, QByteArray("c=d"));
    }

    void parseBad_data()
    {
        QTest::addColumn<QByteArray>("head");
        QTest::addRow("garbage") << QByteArray("hello\r\n\r\n");
        QTest::addRow("two words") << QByteArray("GET /\r\n\r\n");
        QTest::addRow("extra word") << QByteArray("GET / x HTTP/1.1\r\n\r\n");
        QTest::addRow("http 2") << QByteArray("GET / HTTP/2.0\r\n\r\n");
        QTest::addRow("lower-case version") << QByteArray("GET / http/1.1\r\n\r\n");
        QTest::addRow("bad method char") << QByteArray("G(T / HTTP/1.1\r\n\r\n");
        QTest::addRow("relative target") << QByteArray("GET foo HTTP/1.1\r\n\r\n");
        QTest::addRow("control in target") << QByteArray("GET /\x01 HTTP/1.1\r\n\r\n");
        QTest::addRow("no colon") << QByteArray("GET / HTTP/1.1\r\nHost\r\n\r\n");
        QTest::addRow("space before colon") << QByteArray("GET / HTTP/1.1\r\nHost : x\r\n\r\n");
        QTest::addRow("folded") << QByteArray("GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n");
        QTest::addRow("nul in value") << QByteArray("GET / HTTP/1.1\r\nA: b\0c\r\n\r\n", 28);
        QTest::addRow("negative length")
            << QByteArray("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n");
        QTest::addRow("hex length") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n");
        QTest::addRow("huge length")
            << QByteArray("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n");
        QTest::addRow("conflicting lengths")
            << QByteArray("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");
        QTest::addRow("incomplete") << QByteArray("GET / HTTP/1.1\r\n");
    }
    void parseBad()
    {
        QFETCH(QByteArray, head);
        const auto r = parser::parseHead(head);
        QVERIFY(!r);
        QCOMPARE(r.error().code, confab::ErrorCode::BadRequest);
    }
};

QTEST_GUILESS_MAIN(tst_RequestParser)
#include "tst_requestparser.moc"

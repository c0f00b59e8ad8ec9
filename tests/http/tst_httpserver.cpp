#include "httptestkit.h"

#include "http/server.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

using namespace confab::http;
using namespace confab::test::http;

class tst_HttpServer : public QObject
{
    Q_OBJECT

private:
    Router m_router;
    std::unique_ptr<Server> m_server;
    QNetworkAccessManager m_nam;

    std::unique_ptr<Server> start(Server::Options options) { return listenLocally(std::move(options), &m_router); }
    QUrl url(const QString &path, quint16 port = 0) const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2")
                        .arg(port ? port : m_server->port())
                        .arg(path));
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_router.add("GET", "/hello", hello);
        m_router.add("POST", "/echo", echo);
        m_router.add("GET", "/slow", slow);
        m_router.add("GET", "/items/{id}", item);
        m_router.add("GET", "/throw", thrower);
        m_router.add("GET", "/limited", limited);
        m_router.add("GET", "/pieces", pieces);
        m_router.addStreaming("PUT", "/stream", streamed, 3 << 20);
        m_router.addStreaming("PUT", "/refuse", refuseUnread, 1 << 20);
        Server::Options options;
        options.maxHeaderBytes = 1024;
        options.maxBodyBytes = 4096;
        m_server = start(options);
    }

    void cleanup()
    {
        // every test leaves the shared server without connections: none leak
        m_nam.clearConnectionCache();
        QTRY_COMPARE(m_server->connectionCount(), 0);
    }

    void getAndPostThroughQNetworkAccessManager()
    {
        std::unique_ptr<QNetworkReply> get(m_nam.get(QNetworkRequest(url(QStringLiteral("/hello")))));
        QTRY_VERIFY(get->isFinished());
        QCOMPARE(get->error(), QNetworkReply::NoError);
        QCOMPARE(get->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QCOMPARE(get->readAll(), QByteArray("{\"hello\":\"world\"}"));
        QCOMPARE(get->rawHeader("Content-Type"), QByteArray("application/json"));
        QVERIFY(get->rawHeader("Date").endsWith(" GMT"));

        QNetworkRequest request(url(QStringLiteral("/echo?q=caf%C3%A9")));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        request.setRawHeader("Authorization", "Bearer tok123");
        const QByteArray body(3000, 'x');
        std::unique_ptr<QNetworkReply> post(m_nam.post(request, body));
        QTRY_VERIFY(post->isFinished());
        QCOMPARE(post->error(), QNetworkReply::NoError);
        QCOMPARE(post->readAll(), body);
        QCOMPARE(QString::fromUtf8(post->rawHeader("X-Query")), QStringLiteral("caf\u00e9"));
        QCOMPARE(post->rawHeader("X-Bearer"), QByteArray("tok123"));
    }

    void asyncHandler()
    {
        std::unique_ptr<QNetworkReply> reply(m_nam.get(QNetworkRequest(url(QStringLiteral("/slow?ms=50")))));
        QTRY_VERIFY(reply->isFinished());
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QCOMPARE(reply->readAll(), QByteArray("50"));
    }

    void keepAliveReusesOneConnection()
    {
        RawClient client(m_server->port());
        for (int i = 0; i < 3; ++i) {
            client.send("GET /items/" + QByteArray::number(i) + " HTTP/1.1\r\nHost: x\r\n\r\n");
            const RawResponse r = client.response();
            QCOMPARE(r.status, 200);
            QCOMPARE(r.body, QByteArray::number(i));
            QCOMPARE(r.header("connection"), QByteArray("keep-alive"));
        }
        QCOMPARE(client.socket().state(), QAbstractSocket::ConnectedState);
        QTRY_COMPARE(m_server->connectionCount(), 1);
    }

    void pipelinedAnswersInOrder()
    {
        // GIVEN a slow request and a fast one in the same packet
        RawClient client(m_server->port());
        client.send("GET /slow?ms=100 HTTP/1.1\r\n\r\nGET /hello HTTP/1.1\r\n\r\n");
        // THEN the slow one is still answered first
        const QList<RawResponse> rs = client.responses(2);
        QCOMPARE(rs.size(), 2);
        QCOMPARE(rs[0].body, QByteArray("100"));
        QCOMPARE(rs[1].body, QByteArray("{\"hello\":\"world\"}"));
    }

    void bodyInPiecesThenThePipelinedRequest()
    {
        // GIVEN a response of 3 MB handed out in pieces, far more than the write high-water
        // mark, and a request pipelined behind it
        RawClient client(m_server->port());
        client.send("GET /pieces?n=3000 HTTP/1.1\r\n\r\nGET /hello HTTP/1.1\r\n\r\n");
        // THEN the whole body arrives, in order, with its Content-Length, and only then the
        // second answer
        const QList<RawResponse> rs = client.responses(2, 20000);
        QCOMPARE(rs.size(), 2);
        QCOMPARE(rs[0].status, 200);
        QCOMPARE(rs[0].body.size(), 3000 * 1000);
        for (int i = 0; i < 3000; i += 7)
            QCOMPARE(rs[0].body.at(qsizetype(i) * 1000 + 999), char('a' + i % 26));
        QCOMPARE(rs[1].body, QByteArray("{\"hello\":\"world\"}"));
    }

    void bodyInPiecesFailingCutsTheConnection()
    {
        // GIVEN a body whose source fails after 5 of its 10 pieces
        RawClient client(m_server->port());
        client.send("GET /pieces?n=10&cut=5 HTTP/1.1\r\n\r\n");
        // THEN the client sees the connection end before the promised length: no answer that
        // looks complete
        QTRY_COMPARE_WITH_TIMEOUT(client.socket().state(), QAbstractSocket::UnconnectedState, 5000);
        QCOMPARE(client.responses(1, 100).size(), 0);
    }

    void manyPipelinedRequests()
    {
        // More than the socket read buffer: reading must resume once the buffer drains.
        constexpr int count = 3000;
        QByteArray batch;
        for (int i = 0; i < count; ++i)
            batch += "GET /items/" + QByteArray::number(i) + " HTTP/1.1\r\n\r\n";
        QVERIFY(batch.size() > 64 * 1024);
        RawClient client(m_server->port());
        client.send(batch);
        const QList<RawResponse> rs = client.responses(count, 20000);
        QCOMPARE(rs.size(), count);
        for (int i = 0; i < count; ++i)
            QCOMPARE(rs[i].body, QByteArray::number(i));
    }

    void refusedRequests_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("code");

        QTest::addRow("headers too large")
            << QByteArray("GET /hello HTTP/1.1\r\nX-Big: " + QByteArray(2000, 'a') + "\r\n\r\n")
            << 431 << QByteArray("bad_request");
        QTest::addRow("headers too large, no end yet")
            << QByteArray("GET /hello HTTP/1.1\r\nX-Big: " + QByteArray(2000, 'a')) << 431
            << QByteArray("bad_request");
        QTest::addRow("body too large")
            << QByteArray("POST /echo HTTP/1.1\r\nContent-Length: 5000\r\n\r\n") << 413
            << QByteArray("payload_too_large");
        QTest::addRow("garbage line") << QByteArray("hello there\r\n\r\n") << 400
                                      << QByteArray("bad_request");
        QTest::addRow("binary garbage") << QByteArray("\x16\x03\x01\x00\xa5", 5) << 400
                                        << QByteArray("bad_request");
        QTest::addRow("bad header") << QByteArray("GET /hello HTTP/1.1\r\nNoColon\r\n\r\n") << 400
                                    << QByteArray("bad_request");
        QTest::addRow("chunked body")
            << QByteArray("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
            << 411 << QByteArray("bad_request");
    }

    void refusedRequests()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, status);
        QFETCH(QByteArray, code);

        RawClient client(m_server->port());
        QSignalSpy closed(&client.socket(), &QTcpSocket::disconnected);
        client.send(bytes);
        const RawResponse r = client.response();
        QCOMPARE(r.status, status);
        QVERIFY2(r.body.contains("\"code\":\"" + code + "\""), r.body.constData());
        QCOMPARE(r.header("connection"), QByteArray("close"));
        QVERIFY(closed.count() > 0 || closed.wait());
    }

    void notFoundAndMethodNotAllowed()
    {
        RawClient client(m_server->port());
        client.send("GET /nope HTTP/1.1\r\n\r\nDELETE /hello HTTP/1.1\r\n\r\n");
        const QList<RawResponse> rs = client.responses(2);
        QCOMPARE(rs.size(), 2);
        QCOMPARE(rs[0].status, 404);
        QVERIFY(rs[0].body.startsWith("{\"error\":{\"code\":\"not_found\",\"message\":"));
        QCOMPARE(rs[1].status, 405);
        QCOMPARE(rs[1].header("allow"), QByteArray("GET"));
        QCOMPARE(rs[1].body, QByteArray(R"({"error":{"code":"method_not_allowed","message":"method DELETE is not allowed on /hello"}})"));
    }

    void errorResponseShape()
    {
        RawClient client(m_server->port());
        client.send("GET /limited HTTP/1.1\r\n\r\n");
        const RawResponse r = client.response();
        QCOMPARE(r.status, 429);
        QCOMPARE(r.header("retry-after"), QByteArray("2"));
        QCOMPARE(r.body, QByteArray("{\"error\":{\"code\":\"rate_limited\",\"message\":\"slow down\","
                                    "\"retry_after_ms\":1500}}"));
    }

    void streamingRouteTakesBodiesBeyondTheBufferLimit()
    {
        // GIVEN a server buffering at most 4 KiB of a body WHEN 2 MiB go to a streaming route
        // THEN the handler reads them all, in pieces of at most what it asked for
        const QByteArray body(2 << 20, 'b');
        std::unique_ptr<QNetworkReply> put(m_nam.put(QNetworkRequest(url(QStringLiteral("/stream"))), body));
        QTRY_VERIFY_WITH_TIMEOUT(put->isFinished(), 20000);
        QCOMPARE(put->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        const QList<QByteArray> answer = put->readAll().split(' ');
        QCOMPARE(answer.value(0).toLongLong(), body.size());
        QVERIFY(answer.value(1).toLongLong() <= 64 * 1024);
    }

    void streamingRouteKeepsTheConnection()
    {
        RawClient client(m_server->port());
        client.send("PUT /stream HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
        client.send("GET /hello HTTP/1.1\r\n\r\n");
        const auto answers = client.responses(2);
        QCOMPARE(answers.size(), 2);
        QCOMPARE(answers[0].body, QByteArray("5 5"));
        QCOMPARE(answers[1].status, 200);
    }

    void streamingRouteLimitAndUnreadBodies()
    {
        {
            RawClient client(m_server->port());
            QSignalSpy closed(&client.socket(), &QTcpSocket::disconnected);
            client.send("PUT /stream HTTP/1.1\r\nContent-Length: 4194304\r\n\r\n");
            QCOMPARE(client.response().status, 413);
            QTRY_VERIFY(closed.count() > 0);
        }
        // A handler that answers without reading the body: the rest cannot be framed, so the
        // connection closes after the answer.
        RawClient client(m_server->port());
        QSignalSpy closed(&client.socket(), &QTcpSocket::disconnected);
        client.send("PUT /refuse HTTP/1.1\r\nContent-Length: 1000\r\n\r\n0123456789");
        QCOMPARE(client.response().status, 403);
        QTRY_VERIFY(closed.count() > 0);
    }

    void streamingClientGoneMidBody()
    {
        // The handler learns the client went away (it does not wait for the body deadline).
        RawClient client(m_server->port());
        client.send("PUT /stream HTTP/1.1\r\nContent-Length: 100000\r\n\r\n" + QByteArray(1000, 'x'));
        QVERIFY(client.socket().waitForBytesWritten(2000));
        QTest::qWait(50);
        client.socket().abort();
        QTRY_COMPARE(m_server->connectionCount(), 0);
    }

    void expectContinue()
    {
        RawClient client(m_server->port());
        client.send("POST /echo HTTP/1.1\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
        QCOMPARE(client.response().status, 100);
        client.send("ping");
        const RawResponse r = client.response();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, QByteArray("ping"));
    }

    void serverDestroyedWhileHandlerRuns()
    {
        const int finishedBefore = g_slowFinished;
        auto server = start({});
        RawClient client(server->port());
        client.send("GET /slow?ms=100 HTTP/1.1\r\n\r\n");
        QTRY_COMPARE(server->connectionCount(), 1);
        QTest::qWait(20); // let the server start the handler
        server.reset();
        // the handler finishes after its server is gone and finds nothing to answer
        QTRY_COMPARE(g_slowFinished, finishedBefore + 1);
    }

    void http10Closes()
    {
        RawClient client(m_server->port());
        QSignalSpy closed(&client.socket(), &QTcpSocket::disconnected);
        client.send("GET /hello HTTP/1.0\r\n\r\n");
        const RawResponse r = client.response();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("connection"), QByteArray("close"));
        QVERIFY(closed.count() > 0 || closed.wait());
    }

    void requestFinishedSignal()
    {
        QSignalSpy spy(m_server.get(), &Server::requestFinished);
        RawClient client(m_server->port());
        client.send("GET /items/7 HTTP/1.1\r\n\r\nGET /missing HTTP/1.1\r\n\r\n");
        QCOMPARE(client.responses(2).size(), 2);
        QTRY_COMPARE(spy.count(), 2);
        QCOMPARE(spy[0][0].toByteArray(), QByteArray("/items/{id}"));
        QCOMPARE(spy[0][1].toByteArray(), QByteArray("GET"));
        QCOMPARE(spy[0][2].toInt(), 200);
        QVERIFY(spy[0][3].toDouble() >= 0);
        QCOMPARE(spy[1][0].toByteArray(), QByteArray("unmatched"));
        QCOMPARE(spy[1][2].toInt(), 404);
    }

    void clientGoneBeforeSlowHandlerAnswers()
    {
        const int finishedBefore = g_slowFinished;
        {
            RawClient client(m_server->port());
            client.send("GET /slow?ms=200 HTTP/1.1\r\n\r\n");
            QTRY_COMPARE(m_server->connectionCount(), 1);
            QTest::qWait(20); // let the server start the handler
            client.socket().abort();
        }
        QTRY_COMPARE(m_server->connectionCount(), 0);
        QTRY_COMPARE(g_slowFinished, finishedBefore + 1);

        RawClient again(m_server->port());
        again.send("GET /hello HTTP/1.1\r\n\r\n");
        QCOMPARE(again.response().status, 200);
    }

    void throwingHandlerAnswers500()
    {
        RawClient client(m_server->port());
        client.send("GET /throw HTTP/1.1\r\n\r\nGET /hello HTTP/1.1\r\n\r\n");
        const QList<RawResponse> rs = client.responses(2);
        QCOMPARE(rs.size(), 2);
        QCOMPARE(rs[0].status, 500);
        QVERIFY(rs[0].body.contains("\"code\":\"internal\""));
        QCOMPARE(rs[1].status, 200);
    }

    void requestTimeout()
    {
        Server::Options options;
        options.requestTimeoutMs = 100;
        auto server = start(options);
        const int finishedBefore = g_slowFinished;
        RawClient client(server->port());
        client.send("GET /slow?ms=600 HTTP/1.1\r\n\r\n");
        const RawResponse r = client.response();
        QCOMPARE(r.status, 503);
        QVERIFY(r.body.contains("\"code\":\"unavailable\""));
        // the late answer is dropped without harm
        QTRY_COMPARE(g_slowFinished, finishedBefore + 1);
    }

    void idleTimeout()
    {
        Server::Options options;
        options.idleTimeoutMs = 100;
        auto server = start(options);
        RawClient client(server->port());
        QSignalSpy closed(&client.socket(), &QTcpSocket::disconnected);
        client.send("GET /hello HTTP/1.1\r\n\r\n");
        QCOMPARE(client.response().status, 200);
        QVERIFY(closed.wait(3000));
        QTRY_COMPARE(server->connectionCount(), 0);
    }

    void headAndBodyDeadlines_data()
    {
        QTest::addColumn<QByteArray>("first");
        QTest::addRow("head") << QByteArray("GET /hello HTTP/1.1\r\nX-Slow: ");
        QTest::addRow("body") << QByteArray("POST /echo HTTP/1.1\r\nContent-Length: 50\r\n\r\n{");
    }
    void headAndBodyDeadlines()
    {
        QFETCH(QByteArray, first);
        Server::Options options;
        options.headerTimeoutMs = 300;
        options.bodyTimeoutMs = 300;
        options.idleTimeoutMs = 60000;
        auto server = start(options);
        // GIVEN a client that keeps sending one byte at a time, so it is never idle
        RawClient client(server->port());
        QSignalSpy closed(&client.socket(), &QTcpSocket::disconnected);
        client.send(first);
        QElapsedTimer clock;
        clock.start();
        while (closed.isEmpty() && clock.elapsed() < 5000) {
            if (client.socket().bytesAvailable() == 0)
                client.send("a");
            QTest::qWait(20);
        }
        // THEN the whole head or body has a deadline: 408 and closed
        QCOMPARE(client.response().status, 408);
        QVERIFY(closed.count() > 0 || closed.wait());
        QTRY_COMPARE(server->connectionCount(), 0);
    }

    void silentConnectionIsClosedAtTheHeadDeadline()
    {
        Server::Options options;
        options.headerTimeoutMs = 200;
        auto server = start(options);
        RawClient client(server->port());
        QSignalSpy closed(&client.socket(), &QTcpSocket::disconnected);
        QVERIFY(closed.wait(5000));
        QCOMPARE(client.responses(1, 100).size(), 0); // nothing to answer
        // one that answers in time is served, and its keep-alive wait is the idle timeout's
        RawClient quick(server->port());
        quick.send("GET /hello HTTP/1.1\r\n\r\n");
        QCOMPARE(quick.response().status, 200);
        QTest::qWait(400);
        quick.send("GET /hello HTTP/1.1\r\n\r\n");
        QCOMPARE(quick.response().status, 200);
    }

    void connectionsPerAddress()
    {
        Server::Options options;
        options.maxConnectionsPerAddress = 2;
        auto server = start(options);
        RawClient a(server->port());
        RawClient b(server->port());
        QTRY_COMPARE(server->connectionCount(), 2);
        // the third from the same address is answered 429 and closed
        RawClient c(server->port());
        const RawResponse refused = c.response();
        QCOMPARE(refused.status, 429);
        QVERIFY(refused.body.contains("\"code\":\"rate_limited\""));
        QCOMPARE(server->connectionCount(), 2);
        // a place frees when a connection closes
        a.socket().abort();
        QTRY_COMPARE(server->connectionCount(), 1);
        RawClient d(server->port());
        d.send("GET /hello HTTP/1.1\r\n\r\n");
        QCOMPARE(d.response().status, 200);

        // an exempt address is not counted
        Server::Options exempt = options;
        exempt.exemptSubnets = {QStringLiteral("127.0.0.0/8")};
        auto open = start(exempt);
        RawClient e1(open->port()), e2(open->port()), e3(open->port());
        e3.send("GET /hello HTTP/1.1\r\n\r\n");
        QCOMPARE(e3.response().status, 200);
    }

    void maxConnections()
    {
        Server::Options options;
        options.maxConnections = 2;
        auto server = start(options);
        RawClient a(server->port());
        RawClient b(server->port());
        QTRY_COMPARE(server->connectionCount(), 2);

        RawClient c(server->port());
        QSignalSpy closed(&c.socket(), &QTcpSocket::disconnected);
        QVERIFY(closed.wait());
        QCOMPARE(server->connectionCount(), 2);

        a.send("GET /hello HTTP/1.1\r\n\r\n");
        QCOMPARE(a.response().status, 200);

        b.socket().abort();
        QTRY_COMPARE(server->connectionCount(), 1);
        RawClient d(server->port());
        d.send("GET /hello HTTP/1.1\r\n\r\n");
        QCOMPARE(d.response().status, 200);
    }

    void closeStopsAccepting()
    {
        auto server = start({});
        const quint16 port = server->port();
        RawClient idle(port);
        QTRY_COMPARE(server->connectionCount(), 1);
        QSignalSpy closed(&idle.socket(), &QTcpSocket::disconnected);
        server->close();
        QVERIFY(closed.count() > 0 || closed.wait());
        QTcpSocket refused;
        QSignalSpy error(&refused, &QTcpSocket::errorOccurred);
        refused.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(error.wait());
    }


};

QTEST_GUILESS_MAIN(tst_HttpServer)
#include "tst_httpserver.moc"

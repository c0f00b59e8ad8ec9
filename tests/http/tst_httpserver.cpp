#include "http/bodystream.h"
#include "http/router.h"
#include "http/server.h"

#include "confab/error.h"
#include "support/testca.h"
#include "tls/tlscontext.h"

#include <QCoroTimer>
#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>

#include <stdexcept>

using namespace confab::http;
using namespace std::chrono_literals;

namespace {

// Answers every text message with "echo:" + it; forgets the connection when it ends.
class EchoHandler : public confab::websocket::Handler
{
public:
    confab::websocket::Connection *ws = nullptr;
    int closedCode = 0;
    void onText(QByteArrayView utf8) override { ws->sendText("echo:" + utf8.toByteArray()); }
    void onBinary(QByteArrayView) override {}
    void onClosed(int code, bool) override
    {
        closedCode = code;
        ws = nullptr;
    }
};

int g_slowFinished = 0;

QCoro::Task<Response> hello(Request)
{
    co_return Response::json(200, QByteArrayLiteral("{\"hello\":\"world\"}"));
}

QCoro::Task<Response> echo(Request r)
{
    Response out = Response::json(200, r.body);
    out.headers.append({"X-Query", r.query.queryItemValue(QStringLiteral("q")).toUtf8()});
    out.headers.append({"X-Bearer", r.bearerToken()});
    co_return out;
}

QCoro::Task<Response> slow(Request r)
{
    const int ms = r.query.queryItemValue(QStringLiteral("ms")).toInt();
    co_await QCoro::sleepFor(std::chrono::milliseconds(ms));
    ++g_slowFinished;
    co_return Response::json(200, QByteArray::number(ms));
}

// A body of `n` pieces of 1000 bytes (piece i is the byte 'a' + i % 26), handed out one at a
// time as Response::nextChunk; with `cut=k` the source fails after k pieces.
QCoro::Task<Response> pieces(Request r)
{
    const int n = r.query.queryItemValue(QStringLiteral("n")).toInt();
    const int cut = r.query.hasQueryItem(QStringLiteral("cut")) ? r.query.queryItemValue(QStringLiteral("cut")).toInt() : -1;
    Response out;
    out.contentType = "application/octet-stream";
    out.bodyLength = qint64(n) * 1000;
    auto next = std::make_shared<int>(0);
    out.nextChunk = [next, cut]() -> QFuture<confab::Expected<QByteArray>> {
        const int i = (*next)++;
        if (i == cut)
            return QtFuture::makeReadyFuture(confab::Expected<QByteArray>(confab::Error::unavailable(QStringLiteral("disk gone"))));
        return QtFuture::makeReadyFuture(confab::Expected<QByteArray>(QByteArray(1000, char('a' + i % 26))));
    };
    co_return out;
}

QCoro::Task<Response> item(Request r)
{
    co_return Response::json(200, r.params.value("id"));
}

QCoro::Task<Response> thrower(Request)
{
    co_await QCoro::sleepFor(1ms);
    throw std::runtime_error("boom");
}

QCoro::Task<Response> limited(Request)
{
    co_return Response::error(confab::Error::rateLimited(QStringLiteral("slow down"), 1500));
}

// A streaming route: reads the body as it arrives, answers its length and largest piece.
QCoro::Task<Response> streamed(Request r)
{
    std::shared_ptr<BodyStream> body = r.bodyStream;
    qint64 total = 0;
    qint64 largest = 0;
    for (;;) {
        auto reading = body->read(64 * 1024);
        const auto chunk = co_await reading;
        if (!chunk)
            co_return Response::error(chunk.error());
        if (chunk->isEmpty())
            break;
        total += chunk->size();
        largest = std::max<qint64>(largest, chunk->size());
    }
    co_return Response::json(200, QByteArray::number(total) + ' ' + QByteArray::number(largest));
}

// A streaming route that refuses before reading anything.
QCoro::Task<Response> refuseUnread(Request)
{
    co_return Response::error(confab::Error::forbidden(QStringLiteral("no")));
}

struct RawResponse
{
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    [[nodiscard]] QByteArray header(QByteArrayView name) const
    {
        for (const auto &h : headers) {
            if (name.compare(h.first, Qt::CaseInsensitive) == 0)
                return h.second;
        }
        return {};
    }
};

// Takes one whole response (Content-Length framed) off the front of buffer, if there is one.
bool takeResponse(QByteArray &buffer, RawResponse &out)
{
    const qsizetype end = buffer.indexOf("\r\n\r\n");
    if (end < 0)
        return false;
    const QList<QByteArray> lines = buffer.first(end).split('\n');
    RawResponse r;
    r.status = lines.first().split(' ').value(1).toInt();
    qsizetype length = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        const qsizetype colon = line.indexOf(':');
        r.headers.append({line.first(colon), line.sliced(colon + 1).trimmed()});
    }
    length = r.header("content-length").toLongLong();
    if (buffer.size() < end + 4 + length)
        return false;
    r.body = buffer.sliced(end + 4, length);
    buffer.remove(0, end + 4 + length);
    out = std::move(r);
    return true;
}

// A client that speaks raw bytes, to send what real clients would not.
class RawClient
{
public:
    explicit RawClient(quint16 port)
    {
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        QObject::connect(&m_socket, &QTcpSocket::readyRead, [this] {
            m_buffer += m_socket.readAll();
        });
    }
    QTcpSocket &socket() { return m_socket; }
    void send(const QByteArray &bytes) { m_socket.write(bytes); }
    // Waits for n responses (or until the deadline) and returns what arrived.
    QList<RawResponse> responses(int n, int timeoutMs = 5000)
    {
        QList<RawResponse> out;
        QDeadlineTimer deadline(timeoutMs);
        RawResponse r;
        while (out.size() < n && !deadline.hasExpired()) {
            while (out.size() < n && takeResponse(m_buffer, r))
                out.append(r);
            if (out.size() < n)
                QTest::qWait(5);
        }
        return out;
    }
    RawResponse response()
    {
        const auto list = responses(1);
        return list.value(0);
    }

private:
    QTcpSocket m_socket;
    QByteArray m_buffer;
};

} // namespace

class tst_HttpServer : public QObject
{
    Q_OBJECT

private:
    Router m_router;
    std::unique_ptr<Server> m_server;
    QNetworkAccessManager m_nam;

    std::unique_ptr<Server> start(Server::Options options)
    {
        auto server = std::make_unique<Server>(std::move(options), &m_router);
        if (!server->listen(QHostAddress::LocalHost, 0))
            qFatal("listen failed: %s", qPrintable(server->errorString()));
        return server;
    }
    QUrl url(const QString &path, quint16 port = 0) const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2")
                        .arg(port ? port : m_server->port())
                        .arg(path));
    }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<QWebSocket *>();
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

    void webSocketUpgrade()
    {
        Server::Options options;
        options.webSocketPaths = {QStringLiteral("/v1/ws")};
        auto server = start(options);
        EchoHandler handler;
        confab::websocket::Upgrade seen;
        connect(server.get(), &Server::newWebSocket, this,
                [&](confab::websocket::Connection *ws, const confab::websocket::Upgrade &up) {
                    seen = up;
                    handler.ws = ws;
                    ws->start(&handler);
                });

        QWebSocket client;
        QSignalSpy received(&client, &QWebSocket::textMessageReceived);
        QNetworkRequest request(QUrl(QStringLiteral("ws://127.0.0.1:%1/v1/ws?access_token=abc")
                                         .arg(server->port())));
        request.setRawHeader("Authorization", "Bearer xyz");
        client.open(request);
        QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
        client.sendTextMessage(QStringLiteral("hi"));
        QVERIFY(received.wait());
        QCOMPARE(received[0][0].toString(), QStringLiteral("echo:hi"));
        QCOMPARE(seen.path, QByteArray("/v1/ws"));
        QCOMPARE(seen.rawQuery, QByteArray("access_token=abc"));
        QCOMPARE(seen.authorization, QByteArray("Bearer xyz"));
        QCOMPARE(seen.peer, QHostAddress(QHostAddress::LocalHost));
        // a handed-over socket is no longer an HTTP connection
        QTRY_COMPARE(server->connectionCount(), 0);
        QCOMPARE(server->webSocketCount(), 1);

        client.close();
        QTRY_COMPARE(handler.closedCode, 1000);
        QTRY_COMPARE(server->webSocketCount(), 0);
    }

    // A TLS listener (Options::tls) serves the same requests and WebSockets over TLS, and a
    // new pair reaches new connections while open ones keep theirs.
    void tlsListener()
    {
        confab::test::TestCa ca;
        QVERIFY2(ca.isValid(), ca.error().constData());
        const auto a = ca.issue(QStringLiteral("a"), QStringLiteral("0a0a"));
        const auto b = ca.issue(QStringLiteral("b"), QStringLiteral("0b0b"));
        QVERIFY2(!a.cert.isEmpty() && !b.cert.isEmpty(), ca.error().constData());
        const auto first = confab::tls::loadServerConfiguration(a.cert, a.key);
        const auto second = confab::tls::loadServerConfiguration(b.cert, b.key);
        QVERIFY(first && second);
        QVERIFY(!m_server->isTls());

        Server::Options options;
        options.webSocketPaths = {QStringLiteral("/v1/ws")};
        options.tls = *first;
        auto server = start(options);
        QVERIFY(server->isTls());
        QSslConfiguration trusting = QSslConfiguration::defaultConfiguration();
        QVERIFY(trusting.addCaCertificates(ca.caFile()));
        const QString base = QStringLiteral("https://127.0.0.1:%1").arg(server->port());

        QNetworkRequest get(QUrl(base + QStringLiteral("/hello")));
        get.setSslConfiguration(trusting);
        std::unique_ptr<QNetworkReply> reply(m_nam.get(get));
        QTRY_VERIFY(reply->isFinished());
        QCOMPARE(reply->error(), QNetworkReply::NoError);
        QCOMPARE(reply->readAll(), QByteArray("{\"hello\":\"world\"}"));
        QCOMPARE(reply->sslConfiguration().peerCertificate().serialNumber(), a.serial);

        EchoHandler handler;
        connect(server.get(), &Server::newWebSocket, this,
                [&](confab::websocket::Connection *ws, const confab::websocket::Upgrade &) {
                    handler.ws = ws;
                    ws->start(&handler);
                });
        QWebSocket client;
        client.setSslConfiguration(trusting);
        QSignalSpy received(&client, &QWebSocket::textMessageReceived);
        client.open(QUrl(QStringLiteral("wss://127.0.0.1:%1/v1/ws").arg(server->port())));
        QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
        const QString big(200000, u'b'); // many TLS records each way
        client.sendTextMessage(big);
        QVERIFY(received.wait());
        QCOMPARE(received[0][0].toString(), QStringLiteral("echo:") + big);

        // WHEN the pair is replaced
        server->setTlsConfiguration(*second);
        QSslSocket probe;
        probe.setSslConfiguration(trusting);
        probe.connectToHostEncrypted(QStringLiteral("127.0.0.1"), server->port());
        QTRY_VERIFY(probe.isEncrypted());
        QCOMPARE(probe.peerCertificate().serialNumber(), b.serial);
        probe.abort();
        // THEN the open WebSocket still answers, on the session it had
        client.sendTextMessage(QStringLiteral("again"));
        QTRY_COMPARE(received.size(), 2);
        QCOMPARE(received[1][0].toString(), QStringLiteral("echo:again"));
        QCOMPARE(client.sslConfiguration().peerCertificate().serialNumber(), a.serial);
        client.close();
        QTRY_COMPARE(server->webSocketCount(), 0);

        // AND plain HTTP on the TLS port gets no answer, only a closed connection
        QTcpSocket plain;
        plain.connectToHost(QHostAddress::LocalHost, server->port());
        QVERIFY(plain.waitForConnected(5000));
        plain.write("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        QTRY_COMPARE(plain.state(), QAbstractSocket::UnconnectedState);
        QVERIFY(!plain.readAll().startsWith("HTTP/"));
        m_nam.clearConnectionCache();
        QTRY_COMPARE(server->connectionCount(), 0);
    }

    void webSocketOnOtherPathIs404()
    {
        Server::Options options;
        options.webSocketPaths = {QStringLiteral("/v1/ws")};
        auto server = start(options);
        QSignalSpy spy(server.get(), &Server::newWebSocket);
        RawClient client(server->port());
        client.send("GET /v1/other HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
        QCOMPARE(client.response().status, 404);
        QCOMPARE(spy.count(), 0);
    }

    void webSocketHandshakeRefused_data()
    {
        QTest::addColumn<QByteArray>("headers");
        QTest::addColumn<int>("status");
        QTest::addRow("short key") << QByteArray("Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: short\r\n") << 400;
        QTest::addRow("no key") << QByteArray("Sec-WebSocket-Version: 13\r\n") << 400;
        QTest::addRow("version 8") << QByteArray("Sec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n") << 426;
        QTest::addRow("no version") << QByteArray("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n") << 426;
    }
    void webSocketHandshakeRefused()
    {
        QFETCH(QByteArray, headers);
        QFETCH(int, status);
        Server::Options options;
        options.webSocketPaths = {QStringLiteral("/v1/ws")};
        auto server = start(options);
        QSignalSpy spy(server.get(), &Server::newWebSocket);
        RawClient client(server->port());
        client.send("GET /v1/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" + headers + "\r\n");
        const RawResponse r = client.response();
        QCOMPARE(r.status, status);
        QVERIFY(r.body.contains("bad_request"));
        QCOMPARE(r.header("sec-websocket-version"), status == 426 ? QByteArray("13") : QByteArray());
        QCOMPARE(spy.count(), 0);
        QTRY_COMPARE(client.socket().state(), QAbstractSocket::UnconnectedState);
    }

    void webSocketAcceptKey()
    {
        Server::Options options;
        options.webSocketPaths = {QStringLiteral("/v1/ws")};
        auto server = start(options);
        EchoHandler handler;
        connect(server.get(), &Server::newWebSocket, this,
                [&](confab::websocket::Connection *ws, const confab::websocket::Upgrade &) {
                    handler.ws = ws;
                    ws->start(&handler);
                });
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, server->port());
        QVERIFY(client.waitForConnected(5000));
        client.write("GET /v1/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                     "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
        QByteArray in;
        QTRY_VERIFY((in += client.readAll()).contains("\r\n\r\n"));
        QVERIFY(in.startsWith("HTTP/1.1 101 Switching Protocols\r\n"));
        QVERIFY(in.contains("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    }

    void webSocketWithoutTakerIsClosed1011()
    {
        Server::Options options;
        options.webSocketPaths = {QStringLiteral("/v1/ws")};
        auto server = start(options);
        QWebSocket client;
        QSignalSpy disconnected(&client, &QWebSocket::disconnected);
        client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/v1/ws").arg(server->port())));
        QVERIFY(disconnected.wait());
        QCOMPARE(client.closeCode(), QWebSocketProtocol::CloseCode(1011));
    }

    void webSocketFrameTooLarge()
    {
        Server::Options options;
        options.webSocketPaths = {QStringLiteral("/v1/ws")};
        options.maxWebSocketMessageBytes = 1024;
        auto server = start(options);
        EchoHandler handler;
        connect(server.get(), &Server::newWebSocket, this,
                [&](confab::websocket::Connection *ws, const confab::websocket::Upgrade &) {
                    handler.ws = ws;
                    ws->start(&handler);
                });

        QWebSocket client;
        client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/v1/ws").arg(server->port())));
        QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
        QSignalSpy disconnected(&client, &QWebSocket::disconnected);
        client.sendTextMessage(QString(4096, QLatin1Char('x')));
        QVERIFY(disconnected.wait());
        QCOMPARE(client.closeCode(), QWebSocketProtocol::CloseCodeTooMuchData);
        QCOMPARE(handler.closedCode, 1009);
    }
};

QTEST_GUILESS_MAIN(tst_HttpServer)
#include "tst_httpserver.moc"

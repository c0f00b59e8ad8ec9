// The HTTP server's WebSocket upgrade (RFC 6455 section 4.2) and its TLS listener: the
// handshake, what it refuses, and how a handed-over connection leaves the HTTP side.
#include "httptestkit.h"

#include "http/server.h"
#include "support/testca.h"
#include "tls/tlscontext.h"
#include "websocket/connection.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>

using namespace confab::http;
using namespace confab::test::http;

namespace {

// Answers every text message with "echo:" + it; forgets the connection when it ends.
class EchoHandler : public confab::websocket::Handler
{
public:
    confab::websocket::Connection *ws = nullptr;
    confab::websocket::Upgrade upgrade; // the request that opened ws
    int closedCode = 0;
    void onText(QByteArrayView utf8) override { ws->sendText("echo:" + utf8.toByteArray()); }
    void onBinary(QByteArrayView) override {}
    void onClosed(int code, bool) override
    {
        closedCode = code;
        ws = nullptr;
    }
};

} // namespace

class tst_WebSocketUpgrade : public QObject
{
    Q_OBJECT

private:
    Router m_router;
    QNetworkAccessManager m_nam;

    std::unique_ptr<Server> start(Server::Options options) { return listenLocally(std::move(options), &m_router); }

    // A server taking WebSockets on /v1/ws, each one handed to `handler`.
    std::unique_ptr<Server> startEchoing(EchoHandler &handler, Server::Options options = {})
    {
        options.webSocketPaths = {QStringLiteral("/v1/ws")};
        auto server = start(std::move(options));
        connect(server.get(), &Server::newWebSocket, this,
                [&handler](confab::websocket::Connection *ws, const confab::websocket::Upgrade &up) {
                    handler.upgrade = up;
                    handler.ws = ws;
                    ws->start(&handler);
                });
        return server;
    }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<QWebSocket *>();
        m_router.add("GET", "/hello", hello);
    }

    void webSocketUpgrade()
    {
        EchoHandler handler;
        auto server = startEchoing(handler);
        const confab::websocket::Upgrade &seen = handler.upgrade;

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

        Server::Options options;
        options.tls = *first;
        EchoHandler handler;
        auto server = startEchoing(handler, options);
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
        EchoHandler handler;
        auto server = startEchoing(handler);
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
        options.maxWebSocketMessageBytes = 1024;
        EchoHandler handler;
        auto server = startEchoing(handler, options);

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

QTEST_GUILESS_MAIN(tst_WebSocketUpgrade)
#include "tst_websocketupgrade.moc"

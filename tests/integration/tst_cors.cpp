#include "harness.h"

#include <QTcpSocket>
#include <QTest>

using namespace confab::test;

namespace
{

const QByteArray kAllowed = "https://app.example";
const QByteArray kOther = "https://evil.example";

struct RawAnswer {
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers; // names lower-cased
    [[nodiscard]] QByteArray header(QByteArrayView name) const
    {
        for (const auto &[n, v] : headers) {
            if (n == name)
                return v;
        }
        return {};
    }
};

// One request on its own connection, exactly as written (a browser's preflight or upgrade);
// answers the status line and headers.
RawAnswer raw(quint16 port, const QByteArray &request)
{
    QTcpSocket s;
    s.connectToHost(QStringLiteral("127.0.0.1"), port);
    if (!s.waitForConnected(5000))
        return {};
    s.write(request);
    QByteArray got;
    while (!got.contains("\r\n\r\n") && s.waitForReadyRead(5000))
        got += s.readAll();
    RawAnswer a;
    const QList<QByteArray> lines = got.left(got.indexOf("\r\n\r\n")).split('\n');
    if (lines.isEmpty())
        return a;
    a.status = lines.first().split(' ').value(1).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        if (colon > 0)
            a.headers.append(
                { lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed() });
    }
    return a;
}

QByteArray preflight(const QByteArray &path, const QByteArray &origin)
{
    return "OPTIONS " + path + " HTTP/1.1\r\nHost: x\r\nOrigin: " + origin
        + "\r\nAccess-Control-Request-Method: POST\r\n"
          "Access-Control-Request-Headers: authorization, content-type\r\nConnection: "
          "close\r\n\r\n";
}

QByteArray get(const QByteArray &path, const QByteArray &origin, const QByteArray &token)
{
    QByteArray r = "GET " + path + " HTTP/1.1\r\nHost: x\r\n";
    if (!origin.isEmpty())
        r += "Origin: " + origin + "\r\n";
    if (!token.isEmpty())
        r += "Authorization: Bearer " + token + "\r\n";
    return r + "Connection: close\r\n\r\n";
}

QByteArray upgrade(const QByteArray &origin)
{
    QByteArray r = "GET /v1/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
    if (!origin.isEmpty())
        r += "Origin: " + origin + "\r\n";
    return r + "\r\n";
}

} // namespace

// [server] cors_origins (docs/protocol.md, "Browsers and CORS"): node 0 allows one origin,
// node 1 has the default (none).
class TestCors : public QObject
{
    Q_OBJECT

    std::unique_ptr<Cluster> m_cluster;
    QByteArray m_apiKey;
    quint16 m_port = 0;
    quint16 m_plainPort = 0;

private Q_SLOTS:
    void initTestCase()
    {
        m_cluster = std::make_unique<Cluster>();
        QCOMPARE(m_cluster->startNode({ { QStringLiteral("CONFAB_SERVER_CORS_ORIGINS"),
                     QStringLiteral("https://app.example, http://localhost:3000") } }),
            0);
        QCOMPARE(m_cluster->startNode(), 1);
        m_apiKey = m_cluster->createApp().second;
        QVERIFY(!m_apiKey.isEmpty());
        m_port = m_cluster->node(0).publicPort();
        m_plainPort = m_cluster->node(1).publicPort();
    }

    void preflightFromAnAllowedOrigin()
    {
        const RawAnswer a = raw(m_port, preflight("/v1/conversations", kAllowed));
        QCOMPARE(a.status, 204);
        QCOMPARE(a.header("access-control-allow-origin"), kAllowed);
        QCOMPARE(a.header("access-control-allow-methods"), QByteArray("POST, GET"));
        QCOMPARE(
            a.header("access-control-allow-headers"), QByteArray("Authorization, Content-Type"));
        QVERIFY(a.header("access-control-max-age").toInt() > 0);
        QVERIFY(a.header("vary").contains("Origin"));

        // A route with a parameter answers its own methods.
        const RawAnswer member
            = raw(m_port, preflight("/v1/conversations/c1/members/u1", kAllowed));
        QCOMPARE(member.status, 204);
        QCOMPARE(member.header("access-control-allow-methods"), QByteArray("DELETE"));
    }

    void preflightFromAnotherOrigin()
    {
        const RawAnswer a = raw(m_port, preflight("/v1/conversations", kOther));
        QCOMPARE(a.status, 403);
        QVERIFY(a.header("access-control-allow-origin").isEmpty());
    }

    void preflightToAnUnknownPath()
    {
        const RawAnswer a = raw(m_port, preflight("/v1/nothing-here", kAllowed));
        QCOMPARE(a.status, 404);
    }

    void preflightWithoutCorsOrigins()
    {
        // The default: no CORS, so the OPTIONS request is answered like any unsupported method.
        const RawAnswer a = raw(m_plainPort, preflight("/v1/conversations", kAllowed));
        QCOMPARE(a.status, 405);
        QVERIFY(a.header("access-control-allow-origin").isEmpty());
    }

    void actualRequests()
    {
        const RawAnswer ok = raw(m_port, get("/v1/conversations", kAllowed, m_apiKey));
        QCOMPARE(ok.status, 200);
        QCOMPARE(ok.header("access-control-allow-origin"), kAllowed);
        QCOMPARE(ok.header("access-control-expose-headers"), QByteArray("Retry-After, ETag"));
        QCOMPARE(ok.header("vary"), QByteArray("Origin"));

        // Errors too, so a page can read why it failed.
        const RawAnswer refused
            = raw(m_port, get("/v1/conversations", "http://localhost:3000", "bad"));
        QCOMPARE(refused.status, 401);
        QCOMPARE(
            refused.header("access-control-allow-origin"), QByteArray("http://localhost:3000"));

        // Another origin is answered (the server cannot stop a non-browser client) but without
        // the header, so a browser keeps the answer from the page.
        const RawAnswer other = raw(m_port, get("/v1/conversations", kOther, m_apiKey));
        QCOMPARE(other.status, 200);
        QVERIFY(other.header("access-control-allow-origin").isEmpty());

        const RawAnswer plain = raw(m_plainPort, get("/v1/conversations", kAllowed, m_apiKey));
        QCOMPARE(plain.status, 200);
        QVERIFY(plain.header("access-control-allow-origin").isEmpty());
        QVERIFY(plain.header("vary").isEmpty());
    }

    void webSocketOrigin_data()
    {
        QTest::addColumn<int>("node");
        QTest::addColumn<QByteArray>("origin");
        QTest::addColumn<int>("status");
        QTest::addRow("allowed origin") << 0 << kAllowed << 101;
        QTest::addRow("other origin") << 0 << kOther << 403;
        QTest::addRow("no origin (not a browser)") << 0 << QByteArray() << 101;
        QTest::addRow("other origin, cors_origins unset") << 1 << kOther << 101;
    }
    void webSocketOrigin()
    {
        QFETCH(int, node);
        QFETCH(QByteArray, origin);
        QFETCH(int, status);
        const RawAnswer a = raw(m_cluster->node(node).publicPort(), upgrade(origin));
        QCOMPARE(a.status, status);
    }

    void webSocketFromAnAllowedOriginWorks()
    {
        // A full session through QWebSocket, which sends the Origin it is given.
        const QByteArray token = m_cluster->userToken(m_apiKey, QStringLiteral("u1"));
        QWebSocket ws(QString::fromLatin1(kAllowed));
        // Connected before open(): the ack may arrive in the same event-loop pass as the upgrade.
        QByteArray ack;
        connect(&ws, &QWebSocket::textMessageReceived, this,
            [&ack](const QString &t) { ack = t.toUtf8(); });
        ws.open(
            QUrl(m_cluster->ws(0) + QStringLiteral("?access_token=") + QString::fromLatin1(token)));
        QTRY_VERIFY_WITH_TIMEOUT(ack.contains("connection.ack"), 10000);
        QCOMPARE(ws.state(), QAbstractSocket::ConnectedState);
    }
};

QTEST_GUILESS_MAIN(TestCors)
#include "tst_cors.moc"

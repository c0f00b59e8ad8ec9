// Bad input over WebSocket and REST gets the documented code and leaves the server healthy.
#include "harness.h"

#include <QTcpSocket>
#include <QTest>

using namespace confab::test;

namespace {

// A masked client text frame with an arbitrary payload (QWebSocket cannot send invalid UTF-8).
QByteArray maskedFrame(quint8 opcode, const QByteArray &payload, bool masked = true)
{
    QByteArray f;
    f.append(char(0x80 | opcode));
    const quint64 n = quint64(payload.size());
    const char maskBit = masked ? char(0x80) : char(0);
    if (n < 126) {
        f.append(char(maskBit | char(n)));
    } else {
        f.append(char(maskBit | 126));
        f.append(char((n >> 8) & 0xff));
        f.append(char(n & 0xff));
    }
    const char mask[4] = {0x11, 0x22, 0x33, 0x44};
    if (!masked)
        return f + payload;
    f.append(mask, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        f.append(char(payload[i] ^ mask[i % 4]));
    return f;
}

// The close code of the last close frame in what a raw client read, or -1.
int lastCloseCode(const QByteArray &in)
{
    const qsizetype close = in.lastIndexOf(char(0x88));
    if (close < 0 || close + 3 >= in.size())
        return -1;
    return (quint8(in[close + 2]) << 8) | quint8(in[close + 3]);
}

} // namespace

class TestBadInput : public QObject
{
    Q_OBJECT

    std::unique_ptr<Cluster> m_cluster;
    QString m_appId;
    QByteArray m_key;
    QString m_convo;
    QByteArray m_token;

    void healthy()
    {
        const HttpResult h = m_cluster->rest.call("GET", m_cluster->admin() + QStringLiteral("/healthz"), {});
        QCOMPARE(h.status, 200);
        WsClient c;
        QVERIFY(c.connectAndAuth(m_cluster->ws(), m_token));
        const QJsonObject ack = c.request(QJsonObject{{QStringLiteral("type"), QStringLiteral("message.send")},
                                                      {QStringLiteral("convo_id"), m_convo},
                                                      {QStringLiteral("client_msg_id"), QString::number(QDateTime::currentMSecsSinceEpoch())},
                                                      {QStringLiteral("content"), QStringLiteral("still fine")}});
        QCOMPARE(ack.value(QLatin1String("type")).toString(), QStringLiteral("message.ack"));
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_cluster = std::make_unique<Cluster>(QHash<QString, QString>{{QStringLiteral("CONFAB_SERVER_MAX_MESSAGE_BYTES"), QStringLiteral("1000")}});
        QVERIFY(m_cluster->startNode() == 0);
        const auto app = m_cluster->createApp(QJsonObject{{QStringLiteral("limits"), QJsonObject{{QStringLiteral("conns_per_user_per_10s"), 0}, {QStringLiteral("user_msgs_per_min"), 0}}}});
        m_appId = app.first;
        m_key = app.second;
        m_convo = m_cluster->createConversation(m_key, {QStringLiteral("u1"), QStringLiteral("u2")});
        m_token = m_cluster->userToken(m_key, QStringLiteral("u1"));
        QVERIFY(!m_token.isEmpty());
    }

    void closesWithProtocolError_data()
    {
        QTest::addColumn<QString>("frame");
        QTest::addRow("not json") << QStringLiteral("hello");
        QTest::addRow("array") << QStringLiteral("[1,2]");
        QTest::addRow("no type") << QStringLiteral(R"({"req":"1"})");
        QTest::addRow("type not string") << QStringLiteral(R"({"type":5})");
        QTest::addRow("truncated") << QStringLiteral(R"({"type":"ping")");
    }
    void closesWithProtocolError()
    {
        QFETCH(QString, frame);
        WsClient c;
        QVERIFY(c.connectAndAuth(m_cluster->ws(), m_token));
        c.sendRaw(frame);
        QVERIFY(c.waitClosed());
        QCOMPARE(c.closeCode(), 4000);
    }

    void binaryFrameCloses()
    {
        WsClient c;
        QVERIFY(c.connectAndAuth(m_cluster->ws(), m_token));
        c.socket().sendBinaryMessage(QByteArray("\x01\x02", 2));
        QVERIFY(c.waitClosed());
        QCOMPARE(c.closeCode(), 4000);
    }

    void answersBadRequest_data()
    {
        QTest::addColumn<QString>("frame");
        QTest::addColumn<QString>("code");
        QTest::addRow("unknown type") << QStringLiteral(R"({"type":"message.explode","req":"r1"})") << QStringLiteral("bad_request");
        QTest::addRow("missing convo") << QStringLiteral(R"({"type":"message.send","req":"r1","client_msg_id":"a","content":1})") << QStringLiteral("bad_request");
        QTest::addRow("missing content") << QStringLiteral(R"({"type":"message.send","req":"r1","convo_id":"c","client_msg_id":"a"})") << QStringLiteral("bad_request");
        QTest::addRow("cmid not string") << QStringLiteral(R"({"type":"message.send","req":"r1","convo_id":"c","client_msg_id":7,"content":1})") << QStringLiteral("bad_request");
        QTest::addRow("seq not int") << QStringLiteral(R"({"type":"message.read","req":"r1","convo_id":"c","seq_no":"7"})") << QStringLiteral("bad_request");
        QTest::addRow("negative after") << QStringLiteral(R"({"type":"sync","req":"r1","convo_id":"c","after_seq":-1})") << QStringLiteral("bad_request");
        QTest::addRow("user_ids not array") << QStringLiteral(R"({"type":"presence.subscribe","req":"r1","user_ids":"u2"})") << QStringLiteral("bad_request");
        QTest::addRow("bad convo id") << QStringLiteral(R"({"type":"typing.start","req":"r1","convo_id":"a{b}"})") << QStringLiteral("bad_request");
        QTest::addRow("too large") << (QStringLiteral(R"({"type":"message.send","req":"r1","convo_id":"c","client_msg_id":"a","content":")") + QString(1200, u'x') + QStringLiteral(R"("})")) << QStringLiteral("payload_too_large");
    }
    void answersBadRequest()
    {
        QFETCH(QString, frame);
        QFETCH(QString, code);
        WsClient c;
        QVERIFY(c.connectAndAuth(m_cluster->ws(), m_token));
        c.sendRaw(frame);
        const QJsonObject err = c.waitFor(QStringLiteral("error"));
        QCOMPARE(err.value(QLatin1String("code")).toString(), code);
        QCOMPARE(err.value(QLatin1String("req")).toString(), QStringLiteral("r1"));
        QVERIFY(!err.value(QLatin1String("message")).toString().isEmpty());
        QVERIFY(c.isOpen());
    }

    void hugeFrameCloses1009()
    {
        WsClient c;
        QVERIFY(c.connectAndAuth(m_cluster->ws(), m_token));
        c.sendRaw(QString(200000, u'x'));
        QVERIFY(c.waitClosed());
        QCOMPARE(c.closeCode(), 1009);
    }

    void invalidUtf8Closes1007()
    {
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, m_cluster->node().publicPort());
        QVERIFY(s.waitForConnected(5000));
        s.write("GET /v1/ws?access_token=" + m_token + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        QByteArray in;
        QTRY_VERIFY_WITH_TIMEOUT((in += s.readAll()).contains("connection.ack"), 5000);
        QVERIFY(in.startsWith("HTTP/1.1 101"));
        s.write(maskedFrame(0x1, QByteArray("{\"type\":\"ping\",\"x\":\"\xff\xfe\"}")));
        QTRY_VERIFY_WITH_TIMEOUT((in += s.readAll()).contains(char(0x88)) || s.state() == QAbstractSocket::UnconnectedState, 5000);
        in += s.readAll();
        const qsizetype close = in.indexOf(char(0x88));
        QVERIFY(close >= 0);
        const int code = (quint8(in[close + 2]) << 8) | quint8(in[close + 3]);
        QCOMPARE(code, 1007);
    }

    void unmaskedFrameCloses1002()
    {
        // RFC 6455 section 5.1: a server must close on an unmasked client frame.
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, m_cluster->node().publicPort());
        QVERIFY(s.waitForConnected(5000));
        s.write("GET /v1/ws?access_token=" + m_token + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        QByteArray in;
        QTRY_VERIFY_WITH_TIMEOUT((in += s.readAll()).contains("connection.ack"), 5000);
        s.write(maskedFrame(0x1, QByteArray(R"({"type":"ping","req":"u"})"), false));
        QTRY_VERIFY_WITH_TIMEOUT((in += s.readAll(), lastCloseCode(in) >= 0) || s.state() == QAbstractSocket::UnconnectedState, 5000);
        in += s.readAll();
        QCOMPARE(lastCloseCode(in), 1002);
        QVERIFY(!in.contains("pong")); // the frame was not processed
    }

    void fourMiBFrameCloses1009()
    {
        // GIVEN a 4 MiB message (the limit is 2 x max_message_bytes or +64 KiB),
        // THEN the client receives a close frame with 1009, not a dropped connection (1006)
        WsClient c;
        QVERIFY(c.connectAndAuth(m_cluster->ws(), m_token));
        c.sendRaw(QString(4 << 20, u'x'));
        QVERIFY(c.waitClosed(15000));
        QCOMPARE(c.closeCode(), 1009);
    }

    void badHandshakes_data()
    {
        QTest::addColumn<QByteArray>("headers");
        QTest::addColumn<int>("status");
        QTest::addRow("short key") << QByteArray("Sec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n") << 400;
        QTest::addRow("missing key") << QByteArray("Sec-WebSocket-Version: 13\r\n") << 400;
        QTest::addRow("key of 15 bytes") << QByteArray("Sec-WebSocket-Key: MTIzNDU2Nzg5MDEyMzQ1\r\nSec-WebSocket-Version: 13\r\n") << 400;
        QTest::addRow("version 8") << QByteArray("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n") << 426;
        QTest::addRow("no version") << QByteArray("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n") << 426;
    }
    void badHandshakes()
    {
        QFETCH(QByteArray, headers);
        QFETCH(int, status);
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, m_cluster->node().publicPort());
        QVERIFY(s.waitForConnected(5000));
        s.write("GET /v1/ws?access_token=" + m_token + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\n" + headers + "\r\n");
        QByteArray in;
        QTRY_VERIFY_WITH_TIMEOUT((in += s.readAll()).contains("\r\n\r\n"), 5000);
        QVERIFY2(in.startsWith("HTTP/1.1 " + QByteArray::number(status) + ' '), in.constData());
        QCOMPARE(in.contains("\r\nSec-WebSocket-Version: 13\r\n"), status == 426);
        QVERIFY(in.contains(R"("code":"bad_request")"));
        // the connection is closed after the answer
        QTRY_VERIFY_WITH_TIMEOUT(s.state() == QAbstractSocket::UnconnectedState || (s.readAll(), s.waitForDisconnected(100)), 5000);
    }

    void garbageRestBodies_data()
    {
        QTest::addColumn<QByteArray>("verb");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addRow("not json") << QByteArray("POST") << QStringLiteral("/v1/conversations") << QByteArray("{{{") << 400;
        QTest::addRow("array body") << QByteArray("POST") << QStringLiteral("/v1/conversations") << QByteArray("[]") << 400;
        QTest::addRow("bad kind") << QByteArray("POST") << QStringLiteral("/v1/conversations") << QByteArray(R"({"kind":"triple","members":["a"]})") << 400;
        QTest::addRow("direct of three") << QByteArray("POST") << QStringLiteral("/v1/conversations") << QByteArray(R"({"kind":"direct","members":["a","b","c"]})") << 400;
        QTest::addRow("members not strings") << QByteArray("POST") << QStringLiteral("/v1/conversations") << QByteArray(R"({"kind":"group","members":[1]})") << 400;
        QTest::addRow("message without sender") << QByteArray("POST") << QStringLiteral("/v1/conversations/%1/messages") << QByteArray(R"({"client_msg_id":"x","content":1})") << 400;
        QTest::addRow("message garbage") << QByteArray("POST") << QStringLiteral("/v1/conversations/%1/messages") << QByteArray("\x01\x02") << 400;
        QTest::addRow("token ttl") << QByteArray("POST") << QStringLiteral("/v1/auth/token") << QByteArray(R"({"user_id":"u","ttl_s":-5})") << 400;
        QTest::addRow("unknown route") << QByteArray("GET") << QStringLiteral("/v1/nothing") << QByteArray() << 404;
        QTest::addRow("message too large") << QByteArray("POST") << QStringLiteral("/v1/conversations/%1/messages") << (QByteArray(R"({"client_msg_id":"x","sender_id":"u1","content":")") + QByteArray(2000, 'y') + "\"}") << 413;
    }
    void garbageRestBodies()
    {
        QFETCH(QByteArray, verb);
        QFETCH(QString, path);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        const QString p = path.contains(QLatin1String("%1")) ? path.arg(m_convo) : path;
        const HttpResult r = m_cluster->rest.call(verb, m_cluster->api() + p, m_key, body);
        QCOMPARE(r.status, status);
        QVERIFY(!r.json.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString().isEmpty());
    }

    void attachmentsNameUploadsOfTheirConversation()
    {
        const QString url = m_cluster->api() + QStringLiteral("/v1/conversations/%1/messages").arg(m_convo);
        const HttpResult upload = m_cluster->rest.call("POST", m_cluster->api() + QStringLiteral("/v1/attachments"), m_key,
            QJsonObject{{QStringLiteral("convo_id"), m_convo}, {QStringLiteral("filename"), QStringLiteral("a.png")},
                        {QStringLiteral("content_type"), QStringLiteral("image/png")}, {QStringLiteral("size"), 10}});
        // Without an S3 store presigning answers 503; the key shape is what matters here.
        const QString prefix = QStringLiteral("att/%1/%2/").arg(m_appId, m_convo);
        auto send = [&](const QString &cmid, const QJsonArray &attachments) {
            return m_cluster->rest.call("POST", url, m_key, QJsonObject{
                {QStringLiteral("client_msg_id"), cmid}, {QStringLiteral("sender_id"), QStringLiteral("u1")},
                {QStringLiteral("content"), 1}, {QStringLiteral("attachments"), attachments}});
        };
        auto att = [](const QString &key, const QJsonValue &size = 5) {
            return QJsonArray{QJsonObject{{QStringLiteral("key"), key}, {QStringLiteral("size"), size}}};
        };
        QCOMPARE(send(QStringLiteral("a1"), att(QStringLiteral("../../etc/passwd"))).status, 400);
        QCOMPARE(send(QStringLiteral("a2"), att(QStringLiteral("att/other-app/%1/x/a.png").arg(m_convo))).status, 400);
        QCOMPARE(send(QStringLiteral("a3"), att(prefix + QStringLiteral("../../x"))).status, 400);
        QCOMPARE(send(QStringLiteral("a4"), att(prefix + QStringLiteral("01j/a.png"), -5)).status, 400);
        QCOMPARE(send(QStringLiteral("a5"), att(prefix + QStringLiteral("01j/a.png"), 1.5)).status, 400);
        const QString key = upload.status == 201 ? upload.json.value(QLatin1String("key")).toString() : prefix + QStringLiteral("01j/a.png");
        QCOMPARE(send(QStringLiteral("a6"), att(key)).status, 201);

        const HttpResult crlf = m_cluster->rest.call("POST", m_cluster->api() + QStringLiteral("/v1/attachments"), m_key,
            QJsonObject{{QStringLiteral("convo_id"), m_convo}, {QStringLiteral("filename"), QStringLiteral("a.png")},
                        {QStringLiteral("content_type"), QStringLiteral("image/png\r\nX-Evil: 1")}, {QStringLiteral("size"), 10}});
        QCOMPARE(crlf.status, 400);
    }

    void keyRotationInputs()
    {
        const QString keys = m_cluster->admin() + QStringLiteral("/admin/apps/%1/keys").arg(m_appId);
        const HttpResult made = m_cluster->rest.call("POST", keys, Cluster::kAdminToken, QJsonObject{{QStringLiteral("label"), QStringLiteral("r")}});
        QCOMPARE(made.status, 201);
        const QString rotate = keys + QLatin1Char('/') + made.json.value(QLatin1String("key_id")).toString() + QStringLiteral("/rotate");
        // grace_s is an integer, like ttl_s
        QCOMPARE(m_cluster->rest.call("POST", rotate, Cluster::kAdminToken, QByteArray(R"({"grace_s":1.5})")).status, 400);
        // an expired key (rotated with no grace) cannot be rotated again
        QCOMPARE(m_cluster->rest.call("POST", rotate, Cluster::kAdminToken, QByteArray(R"({"grace_s":0})")).status, 201);
        QTest::qWait(20);
        QCOMPARE(m_cluster->rest.call("POST", rotate, Cluster::kAdminToken, QByteArray(R"({"grace_s":0})")).status, 404);
    }

    void stillHealthy()
    {
        healthy();
    }
};

QTEST_MAIN(TestBadInput)
#include "tst_badinput.moc"

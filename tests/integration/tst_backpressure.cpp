// A slow consumer is switched to catch-up (sync.required) and, if it stays slow, closed with
// 4008; server memory per client stays bounded (PROTOCOL.md section 5 "Backpressure").
#include "harness.h"

#include <algorithm>

#include <QTcpSocket>
#include <QTest>

using namespace confab::test;

namespace {

// A client that upgrades and authenticates by hand, then reads only when told to.
class SlowClient
{
public:
    bool open(quint16 port, const QByteArray &token)
    {
        m_socket.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
        m_socket.setReadBufferSize(4096);
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        if (!m_socket.waitForConnected(5000))
            return false;
        m_socket.write("GET /v1/ws?access_token=" + token + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                       "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        QElapsedTimer t;
        t.start();
        while (!m_in.contains("connection.ack") && t.elapsed() < 5000) {
            m_socket.waitForReadyRead(100);
            m_in += m_socket.readAll();
        }
        return m_in.contains("connection.ack");
    }
    // Reads everything available for a while (the server's frames are unmasked text).
    void drain(int ms)
    {
        m_socket.setReadBufferSize(0);
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < ms) {
            QTest::qWait(20);
            m_in += m_socket.readAll();
        }
    }
    [[nodiscard]] const QByteArray &received() const { return m_in; }
    [[nodiscard]] bool closedWith(int code)
    {
        const QByteArray marker = QByteArray(1, char(0x88));
        const qsizetype at = m_in.lastIndexOf(marker);
        return at >= 0 && at + 3 < m_in.size() && ((quint8(m_in[at + 2]) << 8) | quint8(m_in[at + 3])) == code;
    }
    QTcpSocket m_socket;

private:
    QByteArray m_in;
};

qint64 rssKiB(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

QByteArray maskedFrame(quint8 opcode, const QByteArray &payload)
{
    QByteArray f;
    f.append(char(0x80 | opcode));
    if (payload.size() < 126) {
        f.append(char(0x80 | payload.size()));
    } else {
        f.append(char(0x80 | 126));
        f.append(char(payload.size() >> 8));
        f.append(char(payload.size()));
    }
    const char mask[4] = {0x0a, 0x0b, 0x0c, 0x0d};
    f.append(mask, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        f.append(char(payload[i] ^ mask[i % 4]));
    return f;
}

// confab_ws_closes_total{code="4008"} of the cluster's node.
qint64 closes4008(Cluster &cluster)
{
    return std::max<qint64>(0, qint64(cluster.metric(0, "confab_ws_closes_total", R"(code="4008")")));
}

} // namespace

class TestBackpressure : public QObject
{
    Q_OBJECT

    void flood(Cluster &cluster, const QByteArray &key, const QString &convo, int count)
    {
        WsClient sender;
        QVERIFY(sender.connectAndAuth(cluster.ws(), cluster.userToken(key, QStringLiteral("fast"))));
        const QString body(10000, u'z');
        // In windows of 50: a connection may have at most max_inflight_per_conn (64) requests.
        for (int i = 0; i < count; ++i) {
            sender.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("message.send")}, {QStringLiteral("req"), QString::number(i)},
                                    {QStringLiteral("convo_id"), convo}, {QStringLiteral("client_msg_id"), QStringLiteral("f%1").arg(i)},
                                    {QStringLiteral("content"), body}});
            if (i % 50 == 49)
                QTRY_COMPARE_WITH_TIMEOUT(sender.frames(QStringLiteral("message.ack")).size(), i + 1, 10000);
        }
        QTRY_COMPARE_WITH_TIMEOUT(sender.frames(QStringLiteral("message.ack")).size(), count, 10000);
        QVERIFY(sender.frames(QStringLiteral("error")).isEmpty());
    }

private Q_SLOTS:
    void slowConsumerGetsSyncRequired()
    {
        Cluster cluster(QHash<QString, QString>{{QStringLiteral("CONFAB_LIMITS_CLIENT_BUFFER_SOFT"), QStringLiteral("65536")},
                                                {QStringLiteral("CONFAB_LIMITS_CLIENT_BUFFER_HARD"), QStringLiteral("67108864")},
                                                {QStringLiteral("CONFAB_LIMITS_SLOW_CLIENT_TIMEOUT"), QStringLiteral("60s")}});
        QCOMPARE(cluster.startNode(), 0);
        const QByteArray key = cluster.createApp(QJsonObject{{QStringLiteral("limits"), QJsonObject{{QStringLiteral("user_msgs_per_min"), 0}, {QStringLiteral("app_msgs_per_s"), 0}}}}).second;
        const QString convo = cluster.createConversation(key, {QStringLiteral("fast"), QStringLiteral("slow")});
        SlowClient slow;
        QVERIFY(slow.open(cluster.node().publicPort(), cluster.userToken(key, QStringLiteral("slow"))));
        flood(cluster, key, convo, 800);
        slow.drain(3000);
        QVERIFY2(slow.received().contains(R"("type":"sync.required")"), "no sync.required after draining");
        QVERIFY(slow.received().contains(QStringLiteral(R"("convo_ids":["%1"])").arg(convo).toUtf8()));
        QVERIFY(slow.received().contains(R"("reason":"slow_consumer")"));
        QCOMPARE(slow.m_socket.state(), QAbstractSocket::ConnectedState);
    }

    void staysSlowIsClosed4008()
    {
        Cluster cluster(QHash<QString, QString>{{QStringLiteral("CONFAB_LIMITS_CLIENT_BUFFER_SOFT"), QStringLiteral("65536")},
                                                {QStringLiteral("CONFAB_LIMITS_CLIENT_BUFFER_HARD"), QStringLiteral("1048576")},
                                                {QStringLiteral("CONFAB_LIMITS_SLOW_CLIENT_TIMEOUT"), QStringLiteral("1s")}});
        QCOMPARE(cluster.startNode(), 0);
        const QByteArray key = cluster.createApp(QJsonObject{{QStringLiteral("limits"), QJsonObject{{QStringLiteral("user_msgs_per_min"), 0}, {QStringLiteral("app_msgs_per_s"), 0}}}}).second;
        const QString convo = cluster.createConversation(key, {QStringLiteral("fast"), QStringLiteral("slow")});
        SlowClient slow;
        QVERIFY(slow.open(cluster.node().publicPort(), cluster.userToken(key, QStringLiteral("slow"))));
        flood(cluster, key, convo, 800);
        QTest::qWait(2000); // past slow_client_timeout while not reading
        slow.drain(3000);
        QVERIFY2(slow.closedWith(4008), "the slow client was not closed with 4008");
    }

    void neverReadingClientIsClosed4008WithBoundedMemory()
    {
        // GIVEN a client that never reads, and a 1 MiB hard limit
        Cluster cluster(QHash<QString, QString>{{QStringLiteral("CONFAB_LIMITS_CLIENT_BUFFER_SOFT"), QStringLiteral("65536")},
                                                {QStringLiteral("CONFAB_LIMITS_CLIENT_BUFFER_HARD"), QStringLiteral("1048576")},
                                                {QStringLiteral("CONFAB_LIMITS_SLOW_CLIENT_TIMEOUT"), QStringLiteral("60s")}});
        QCOMPARE(cluster.startNode(), 0);
        const QByteArray key = cluster.createApp().second;
        SlowClient slow;
        QVERIFY(slow.open(cluster.node().publicPort(), cluster.userToken(key, QStringLiteral("quiet"))));
        const qint64 pid = cluster.node().process().processId();
        const qint64 rssBefore = rssKiB(pid);
        QVERIFY(rssBefore > 0);

        // WHEN it provokes answers: WebSocket pings (pong: 127 bytes each) and requests that
        // fail (an error frame each), until the server closes it
        const QByteArray ping = maskedFrame(0x9, QByteArray(125, 'p'));
        const QByteArray bad = maskedFrame(0x1, "{\"type\":\"no.such.type\",\"req\":\"" + QByteArray(100, 'r') + "\"}");
        QByteArray burst;
        for (int i = 0; i < 64; ++i)
            burst += i % 2 ? ping : bad;
        qint64 peakRss = rssBefore;
        QElapsedTimer t;
        t.start();
        qint64 checked = 0;
        bool closed = false;
        while (!closed && t.elapsed() < 60000) {
            if (slow.m_socket.bytesToWrite() < (1 << 20))
                slow.m_socket.write(burst);
            QTest::qWait(1);
            peakRss = std::max(peakRss, rssKiB(pid));
            if (t.elapsed() - checked >= 200) {
                checked = t.elapsed();
                closed = closes4008(cluster) > 0;
            }
        }
        QVERIFY2(closed, "the server never closed the client with 4008");
        // THEN confabd held about the limit for it, not everything it was asked to send
        const qint64 grown = peakRss - rssBefore;
        qInfo("confabd RSS %lld KiB before, peak %lld KiB while provoked", rssBefore, peakRss);
        QVERIFY2(grown < 24 * 1024, qPrintable(QStringLiteral("RSS grew by %1 KiB").arg(grown)));
        // THEN the close frame with 4008 reaches the client once it reads
        slow.drain(3000);
        QVERIFY2(slow.closedWith(4008), "no close frame with 4008");
    }
};

QTEST_MAIN(TestBackpressure)
#include "tst_backpressure.moc"

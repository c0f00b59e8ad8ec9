// Everything a client can make the server hold has a bound (issue 11 item 4, docs/security.md):
// request head and body deadlines, connections per client address, unauthenticated sockets,
// sessions per API key, typing relayed per (user, conversation), conversation creation rates.
#include "harness.h"

#include <QElapsedTimer>
#include <QTcpSocket>
#include <QTest>

#include <memory>
#include <vector>

using namespace confab::test;

namespace {

const QString kTyping = QStringLiteral("typing");

// A raw connection to the public listener that sends a request and reads the status line.
std::unique_ptr<QTcpSocket> rawRequest(quint16 port, const QByteArray &request)
{
    auto socket = std::make_unique<QTcpSocket>();
    socket->connectToHost(QHostAddress::LocalHost, port);
    if (!socket->waitForConnected(5000))
        return socket;
    socket->write(request);
    socket->flush();
    return socket;
}

// The status of the first answer on socket ("HTTP/1.1 408 ..." -> 408), 0 while none came.
int statusOf(QTcpSocket &socket)
{
    const QByteArray head = socket.peek(64);
    if (!head.startsWith("HTTP/1.1 ") || head.size() < 12)
        return 0;
    return head.mid(9, 3).toInt();
}

QJsonObject groupBody(const QStringList &members)
{
    return QJsonObject{{QStringLiteral("kind"), QStringLiteral("group")},
                       {QStringLiteral("members"), QJsonArray::fromStringList(members)}};
}

QString errorCode(const HttpResult &r)
{
    return r.json.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString();
}

} // namespace

class TestBounds : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void slowHeadersAndBodiesAreCut()
    {
        Cluster cluster(QHash<QString, QString>{{QStringLiteral("CONFAB_SERVER_HEADER_TIMEOUT"), QStringLiteral("1s")},
                                                {QStringLiteral("CONFAB_SERVER_BODY_TIMEOUT"), QStringLiteral("1s")}});
        QCOMPARE(cluster.startNode(), 0);
        const quint16 port = cluster.node().publicPort();
        // GIVEN 50 clients sending a request head a byte at a time, 25 more sending a body
        // that way, and one that connects and says nothing
        std::vector<std::unique_ptr<QTcpSocket>> heads, bodies;
        for (int i = 0; i < 50; ++i)
            heads.push_back(rawRequest(port, "GET /v1/conversations HTTP/1.1\r\nHost: x\r\n"));
        for (int i = 0; i < 25; ++i)
            bodies.push_back(rawRequest(port, "POST /v1/conversations HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"));
        auto silent = rawRequest(port, {});
        // WHEN they keep trickling (every write is activity, which an idle timeout would count)
        QElapsedTimer clock;
        clock.start();
        auto allClosed = [&] {
            bool closed = silent->state() == QAbstractSocket::UnconnectedState;
            for (const auto &group : {&heads, &bodies})
                for (const auto &s : *group)
                    closed = closed && s->state() == QAbstractSocket::UnconnectedState;
            return closed;
        };
        while (!allClosed() && clock.elapsed() < 20000) {
            for (const auto &group : {&heads, &bodies})
                for (const auto &s : *group)
                    if (s->state() == QAbstractSocket::ConnectedState && s->bytesAvailable() == 0)
                        s->write("X");
            QTest::qWait(200);
        }
        // THEN every one is answered 408 and closed, the silent one closed without an answer
        QVERIFY2(allClosed(), "a slow client still holds its connection");
        for (const auto &s : heads)
            QCOMPARE(statusOf(*s), 408);
        for (const auto &s : bodies) {
            QCOMPARE(statusOf(*s), 408);
            QVERIFY(s->readAll().contains("\"code\":\"bad_request\""));
        }
        QCOMPARE(silent->bytesAvailable(), qint64(0));
        // A client that sends its request in time is served as before.
        const HttpResult ok = cluster.rest.call("GET", cluster.api() + QStringLiteral("/v1/conversations"), "nope");
        QCOMPARE(ok.status, 401);
    }

    void connectionsPerAddressAreCapped()
    {
        Cluster cluster(QHash<QString, QString>{{QStringLiteral("CONFAB_LIMITS_MAX_CONNS_PER_IP"), QStringLiteral("5")},
                                                {QStringLiteral("CONFAB_LIMITS_PER_IP_EXEMPT"), QStringLiteral("none")}});
        QCOMPARE(cluster.startNode(), 0);
        const QByteArray key = cluster.createApp().second;
        const QByteArray token = cluster.userToken(key, QStringLiteral("ip1"));
        // GIVEN connections from one address (the harness's own REST client may hold one too)
        WsClient ws;
        QVERIFY(ws.connectAndAuth(cluster.ws(), token));
        std::vector<std::unique_ptr<QTcpSocket>> sockets;
        int admitted = 0, refused = 0;
        for (int i = 0; i < 8; ++i) {
            sockets.push_back(rawRequest(cluster.node().publicPort(), "GET /v1/conversations HTTP/1.1\r\nHost: x\r\n\r\n"));
            QTRY_VERIFY_WITH_TIMEOUT(statusOf(*sockets.back()) != 0, 5000);
            // THEN they are served up to the cap, and the rest answered 429 and closed
            if (statusOf(*sockets.back()) == 401) {
                QCOMPARE(refused, 0);
                ++admitted;
            } else {
                QCOMPARE(statusOf(*sockets.back()), 429);
                QVERIFY(sockets.back()->readAll().contains("\"code\":\"rate_limited\""));
                ++refused;
            }
        }
        QVERIFY2(admitted >= 3 && admitted <= 4, qPrintable(QString::number(admitted))); // 5 less the WebSocket (and REST)
        QVERIFY(refused >= 4);
        // A WebSocket counts too: one more upgrade is refused.
        WsClient over;
        QVERIFY(!over.open(cluster.ws(), token));
        // WHEN connections close, THEN their places are free again
        for (auto &s : sockets)
            s->abort();
        sockets.clear();
        QTRY_VERIFY_WITH_TIMEOUT(WsClient().open(cluster.ws(), token), 5000);
        QVERIFY(ws.isOpen());
    }

    void unauthenticatedSocketsHaveTheirOwnCap()
    {
        Cluster cluster(QHash<QString, QString>{{QStringLiteral("CONFAB_LIMITS_MAX_UNAUTHENTICATED"), QStringLiteral("3")}});
        QCOMPARE(cluster.startNode(), 0);
        const QByteArray key = cluster.createApp().second;
        const QByteArray token = cluster.userToken(key, QStringLiteral("ua1"));
        // GIVEN three sockets that opened without credentials and hold their 10 s to send auth
        WsClient idle[3];
        for (WsClient &c : idle)
            QVERIFY(c.open(cluster.ws()));
        // WHEN a fourth opens, THEN it is closed with 4029, credential or not
        WsClient fourth;
        QVERIFY(fourth.open(cluster.ws()));
        QVERIFY(fourth.waitClosed());
        QCOMPARE(fourth.closeCode(), 4029);
        WsClient withToken;
        QVERIFY(withToken.open(cluster.ws(), token));
        QVERIFY(withToken.waitClosed());
        QCOMPARE(withToken.closeCode(), 4029);
        // Once one authenticates, it no longer counts: a new client gets in.
        idle[0].send(QJsonObject{{QStringLiteral("type"), QStringLiteral("auth")}, {QStringLiteral("token"), QString::fromUtf8(token)}});
        QVERIFY(!idle[0].waitFor(QStringLiteral("connection.ack")).isEmpty());
        WsClient next;
        QVERIFY(next.connectAndAuth(cluster.ws(), token));
        QVERIFY(idle[1].isOpen());
    }

    void apiKeySessionsAreCapped()
    {
        Cluster cluster;
        QCOMPARE(cluster.startNode(), 0);
        const QByteArray key = cluster.createApp(QJsonObject{{QStringLiteral("limits"), QJsonObject{{QStringLiteral("max_sessions_per_key"), 2}}}}).second;
        // GIVEN the app's limit of two sessions per API key
        auto a = std::make_unique<WsClient>();
        WsClient b;
        QVERIFY(a->connectAndAuth(cluster.ws(), key));
        QVERIFY(b.connectAndAuth(cluster.ws(), key));
        // WHEN a third opens with the same key, THEN it is closed with 4029
        WsClient c;
        QVERIFY(c.open(cluster.ws(), key));
        QVERIFY(c.waitClosed());
        QCOMPARE(c.closeCode(), 4029);
        // Users of the app are not counted against the key.
        WsClient user;
        QVERIFY(user.connectAndAuth(cluster.ws(), cluster.userToken(key, QStringLiteral("k1"))));
        // A closed session frees its place.
        a->socket().close();
        QVERIFY(a->waitClosed());
        a.reset();
        QTRY_VERIFY_WITH_TIMEOUT(WsClient().connectAndAuth(cluster.ws(), key), 10000);
    }

    void typingIsCoalescedPerUserAndConversation()
    {
        Cluster cluster;
        QCOMPARE(cluster.startNode(), 0);
        const QByteArray key = cluster.createApp().second;
        const QString convo = cluster.createConversation(key, {QStringLiteral("t1"), QStringLiteral("t2")});
        WsClient typist, peer;
        QVERIFY(typist.connectAndAuth(cluster.ws(), cluster.userToken(key, QStringLiteral("t1"))));
        QVERIFY(peer.connectAndAuth(cluster.ws(), cluster.userToken(key, QStringLiteral("t2"))));
        // GIVEN a client that sends 100 typing starts as fast as it can
        const QJsonObject start{{QStringLiteral("type"), QStringLiteral("typing.start")}, {QStringLiteral("convo_id"), convo}};
        QElapsedTimer clock;
        clock.start();
        for (int i = 0; i < 100; ++i)
            typist.send(start);
        // WHEN it stops
        QVERIFY(typist.request(QJsonObject{{QStringLiteral("type"), QStringLiteral("ping")}}).value(QLatin1String("type")) == QLatin1String("pong"));
        typist.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("typing.stop")}, {QStringLiteral("convo_id"), convo}});
        const QJsonObject stop = peer.waitFor(kTyping, [](const QJsonObject &f) { return f.value(QLatin1String("state")) == QLatin1String("stop"); });
        const qint64 elapsed = clock.elapsed();
        // THEN the peer saw one start per typing_interval (3 s) at most, and the stop once
        QVERIFY(!stop.isEmpty());
        const qsizetype starts = peer.frames(kTyping).size();
        QVERIFY2(starts >= 1 && starts <= 1 + elapsed / 3000, qPrintable(QStringLiteral("%1 starts in %2 ms").arg(starts).arg(elapsed)));
        for (const QJsonObject &f : peer.frames(kTyping)) {
            QCOMPARE(f.value(QLatin1String("state")).toString(), QStringLiteral("start"));
            QCOMPARE(f.value(QLatin1String("user_id")).toString(), QStringLiteral("t1"));
        }
        // A second stop has nothing to end and is not relayed: the message sent after it (on
        // the same conversation channel, so in order) arrives with no typing frame before it.
        typist.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("typing.stop")}, {QStringLiteral("convo_id"), convo}});
        QCOMPARE(typist.request(sendFrame(convo, QStringLiteral("after"))).value(QLatin1String("type")).toString(), QStringLiteral("message.ack"));
        QVERIFY(!peer.waitFor(QStringLiteral("message.create")).isEmpty());
        QCOMPARE(peer.frames(kTyping).size(), starts);
    }

    void conversationCreationIsRateLimited()
    {
        Cluster cluster;
        QCOMPARE(cluster.startNode(), 0);
        const QByteArray key = cluster.createApp(QJsonObject{{QStringLiteral("limits"), QJsonObject{{QStringLiteral("user_convos_per_min"), 5}}}}).second;
        const QByteArray token = cluster.userToken(key, QStringLiteral("cr1"));
        const QString url = cluster.api() + QStringLiteral("/v1/conversations");
        // GIVEN a user allowed 5 new conversations a minute
        QElapsedTimer clock;
        clock.start();
        int created = 0;
        HttpResult refused;
        for (int i = 0; i < 20 && refused.status == 0; ++i) {
            const HttpResult r = cluster.rest.call("POST", url, token, groupBody({QStringLiteral("cr1"), QStringLiteral("x%1").arg(i)}));
            if (r.status == 201)
                ++created;
            else
                refused = r;
        }
        // WHEN it creates more, THEN it is answered rate_limited with a time to wait
        QCOMPARE(refused.status, 429);
        QCOMPARE(errorCode(refused), QStringLiteral("rate_limited"));
        const int retry = refused.json.value(QLatin1String("error")).toObject().value(QLatin1String("retry_after_ms")).toInt();
        QVERIFY2(retry > 0 && retry <= 12000, qPrintable(QString::number(retry)));
        QVERIFY2(created >= 5 && created <= 5 + clock.elapsed() / 12000, qPrintable(QString::number(created)));
        // Another user has a bucket of their own; the app's back end is not limited.
        QCOMPARE(cluster.rest.call("POST", url, cluster.userToken(key, QStringLiteral("cr2")), groupBody({QStringLiteral("cr2")})).status, 201);
        for (int i = 0; i < 10; ++i)
            QCOMPARE(cluster.rest.call("POST", url, key, groupBody({QStringLiteral("cr1"), QStringLiteral("k%1").arg(i)})).status, 201);

        // GIVEN an app whose users together create 2 conversations a second
        const QByteArray key2 = cluster.createApp(QJsonObject{{QStringLiteral("limits"),
                                                               QJsonObject{{QStringLiteral("user_convos_per_min"), 0}, {QStringLiteral("app_convos_per_s"), 2}}}}).second;
        QList<QByteArray> tokens;
        for (int i = 0; i < 12; ++i)
            tokens.append(cluster.userToken(key2, QStringLiteral("au%1").arg(i)));
        clock.restart();
        int appCreated = 0;
        HttpResult appRefused;
        for (const QByteArray &t : std::as_const(tokens)) {
            const HttpResult r = cluster.rest.call("POST", url, t, groupBody({QStringLiteral("someone")}));
            if (r.status == 201)
                ++appCreated;
            else if (appRefused.status == 0)
                appRefused = r;
        }
        // THEN different users share the app's bucket
        QCOMPARE(appRefused.status, 429);
        QCOMPARE(errorCode(appRefused), QStringLiteral("rate_limited"));
        QVERIFY2(appCreated <= 2 + 2 * clock.elapsed() / 1000 + 1, qPrintable(QString::number(appCreated)));
    }
};

QTEST_MAIN(TestBounds)
#include "tst_bounds.moc"

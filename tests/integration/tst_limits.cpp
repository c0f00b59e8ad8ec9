// Rate limits, connection limits and Redis outages (PROTOCOL.md sections 1, 5, 7).
#include "harness.h"

#include <QTcpSocket>
#include <QTest>

using namespace confab::test;


class TestLimits : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void userSendRate()
    {
        Cluster cluster;
        QCOMPARE(cluster.startNode(), 0);
        const QByteArray key = cluster.createApp(QJsonObject{{QStringLiteral("limits"), QJsonObject{{QStringLiteral("user_msgs_per_min"), 3}}}}).second;
        const QString convo = cluster.createConversation(key, {QStringLiteral("r1"), QStringLiteral("r2")});
        WsClient c;
        QVERIFY(c.connectAndAuth(cluster.ws(), cluster.userToken(key, QStringLiteral("r1"))));
        for (int i = 0; i < 3; ++i)
            QCOMPARE(c.request(sendFrame(convo, QString::number(i))).value(QLatin1String("type")).toString(), QStringLiteral("message.ack"));
        const QJsonObject limited = c.request(sendFrame(convo, QStringLiteral("3")));
        QCOMPARE(limited.value(QLatin1String("code")).toString(), QStringLiteral("rate_limited"));
        const int retry = limited.value(QLatin1String("retry_after_ms")).toInt();
        QVERIFY2(retry > 0 && retry <= 20000, qPrintable(QString::number(retry)));
        // Another user of the same app is not limited by r1's bucket.
        WsClient other;
        QVERIFY(other.connectAndAuth(cluster.ws(), cluster.userToken(key, QStringLiteral("r2"))));
        QCOMPARE(other.request(sendFrame(convo, QStringLiteral("o1"))).value(QLatin1String("type")).toString(), QStringLiteral("message.ack"));
        // REST sends count against the same bucket.
        const HttpResult rest = cluster.rest.call("POST", cluster.api() + QStringLiteral("/v1/conversations/%1/messages").arg(convo), key,
                                                  QJsonObject{{QStringLiteral("client_msg_id"), QStringLiteral("rest")}, {QStringLiteral("content"), 1},
                                                              {QStringLiteral("sender_id"), QStringLiteral("r1")}});
        QCOMPARE(rest.status, 429);
        QVERIFY(rest.json.value(QLatin1String("error")).toObject().value(QLatin1String("retry_after_ms")).toInt() > 0);
    }

    void appSendRateAndInflightBound()
    {
        Cluster cluster;
        QCOMPARE(cluster.startNode(QHash<QString, QString>{{QStringLiteral("CONFAB_LIMITS_MAX_INFLIGHT_PER_CONN"), QStringLiteral("4")}}), 0);
        const QByteArray key = cluster.createApp(QJsonObject{{QStringLiteral("limits"), QJsonObject{{QStringLiteral("app_msgs_per_s"), 5}, {QStringLiteral("user_msgs_per_min"), 0}}}}).second;
        const QString convo = cluster.createConversation(key, {QStringLiteral("x1"), QStringLiteral("x2")});
        WsClient a;
        QVERIFY(a.connectAndAuth(cluster.ws(), cluster.userToken(key, QStringLiteral("x1"))));
        // 12 sends at once: at most 4 are in flight, the rest answer rate_limited at once; of
        // those admitted, the app bucket (5 per second, all users together) lets 5 through.
        for (int i = 0; i < 12; ++i)
            a.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("message.send")}, {QStringLiteral("req"), QString::number(i)},
                               {QStringLiteral("convo_id"), convo}, {QStringLiteral("client_msg_id"), QStringLiteral("b%1").arg(i)},
                               {QStringLiteral("content"), i}});
        QTRY_COMPARE_WITH_TIMEOUT(a.frames(QStringLiteral("message.ack")).size() + a.frames(QStringLiteral("error")).size(), 12, 5000);
        QVERIFY(a.frames(QStringLiteral("message.ack")).size() <= 5);
        for (const QJsonObject &e : a.frames(QStringLiteral("error"))) {
            QCOMPARE(e.value(QLatin1String("code")).toString(), QStringLiteral("rate_limited"));
            QVERIFY(e.value(QLatin1String("retry_after_ms")).toInt() > 0);
        }
        QVERIFY(a.frames(QStringLiteral("error")).size() >= 7);
        // A second user of the same app shares the app bucket.
        WsClient b;
        QVERIFY(b.connectAndAuth(cluster.ws(), cluster.userToken(key, QStringLiteral("x2"))));
        int limited = 0;
        for (int i = 0; i < 6; ++i)
            limited += b.request(sendFrame(convo, QStringLiteral("c%1").arg(i))).value(QLatin1String("code")).toString() == QLatin1String("rate_limited");
        QVERIFY(limited >= 1);
    }

    void silentPeerIsDropped()
    {
        Cluster cluster(QHash<QString, QString>{{QStringLiteral("CONFAB_SERVER_HEARTBEAT"), QStringLiteral("300ms")}});
        QCOMPARE(cluster.startNode(), 0);
        const QByteArray key = cluster.createApp().second;
        // A peer that completes the handshake and then never reads or answers pings.
        QTcpSocket raw;
        raw.connectToHost(QHostAddress::LocalHost, cluster.node().publicPort());
        QVERIFY(raw.waitForConnected(5000));
        raw.write("GET /v1/ws?access_token=" + cluster.userToken(key, QStringLiteral("mute")) + " HTTP/1.1\r\nHost: x\r\n"
                  "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                  "Sec-WebSocket-Version: 13\r\n\r\n");
        QTRY_VERIFY_WITH_TIMEOUT(raw.bytesAvailable() > 0, 5000);
        // Silent for two intervals (600 ms): the server drops the connection.
        QTRY_COMPARE_WITH_TIMEOUT(raw.state(), QAbstractSocket::UnconnectedState, 5000);
        // A live client answers pings and stays.
        WsClient live;
        QVERIFY(live.connectAndAuth(cluster.ws(), cluster.userToken(key, QStringLiteral("live"))));
        QTest::qWait(1500);
        QVERIFY(live.isOpen());
    }

    void connectionLimits()
    {
        Cluster cluster;
        QCOMPARE(cluster.startNode(QHash<QString, QString>{{QStringLiteral("CONFAB_LIMITS_MAX_CONNS"), QStringLiteral("3")}}), 0);
        const QByteArray key = cluster.createApp(QJsonObject{{QStringLiteral("limits"), QJsonObject{{QStringLiteral("conns_per_user_per_10s"), 2}}}}).second;
        const QByteArray token = cluster.userToken(key, QStringLiteral("c1"));
        WsClient a, b, c;
        QVERIFY(a.connectAndAuth(cluster.ws(), token));
        QVERIFY(b.connectAndAuth(cluster.ws(), token));
        QVERIFY(c.open(cluster.ws(), token));
        QVERIFY(c.waitClosed());
        QCOMPARE(c.closeCode(), 4029);
        // The node cap: a third open connection is refused whoever it is.
        WsClient d, e;
        QVERIFY(d.connectAndAuth(cluster.ws(), cluster.userToken(key, QStringLiteral("c2"))));
        QVERIFY(e.open(cluster.ws(), cluster.userToken(key, QStringLiteral("c3"))));
        QVERIFY(e.waitClosed());
        QCOMPARE(e.closeCode(), 4029);
    }

    void redisDownMeansUnavailable()
    {
        RedisServer redis;
        QVERIFY(redis.start());
        Cluster cluster(QHash<QString, QString>{{QStringLiteral("CONFAB_REDIS_URL"), redis.url()},
                                                {QStringLiteral("CONFAB_REDIS_COMMAND_TIMEOUT"), QStringLiteral("500ms")}});
        QCOMPARE(cluster.startNode(), 0);
        const QByteArray key = cluster.createApp(QJsonObject{{QStringLiteral("limits"), QJsonObject{{QStringLiteral("conns_per_user_per_10s"), 0}}}}).second;
        const QString convo = cluster.createConversation(key, {QStringLiteral("d1"), QStringLiteral("d2")});
        WsClient c;
        QVERIFY(c.connectAndAuth(cluster.ws(), cluster.userToken(key, QStringLiteral("d1"))));
        QCOMPARE(c.request(sendFrame(convo, QStringLiteral("before"))).value(QLatin1String("seq_no")).toInt(), 1);

        redis.stop();
        const QJsonObject down = c.request(sendFrame(convo, QStringLiteral("during")), 10000);
        QCOMPARE(down.value(QLatin1String("code")).toString(), QStringLiteral("unavailable"));
        const HttpResult ready = cluster.rest.call("GET", cluster.admin() + QStringLiteral("/readyz"), {});
        QCOMPARE(ready.status, 503);
        QCOMPARE(ready.json.value(QLatin1String("checks")).toObject().value(QLatin1String("redis")).toString(), QStringLiteral("down"));
        QCOMPARE(ready.json.value(QLatin1String("checks")).toObject().value(QLatin1String("postgres")).toString(), QStringLiteral("ok"));

        QVERIFY(redis.start());
        // Nothing was applied: the retried client_msg_id is created normally with the next seq.
        QTRY_COMPARE_WITH_TIMEOUT(cluster.rest.call("GET", cluster.admin() + QStringLiteral("/readyz"), {}).status, 200, 15000);
        const QJsonObject after = c.request(sendFrame(convo, QStringLiteral("during")));
        QCOMPARE(after.value(QLatin1String("seq_no")).toInt(), 2);
        QCOMPARE(after.value(QLatin1String("duplicate")).toBool(), false);
    }

    void conversationListsArePaged()
    {
        // GIVEN 230 conversations of one user (one answer used to hold them all)
        Cluster cluster;
        QCOMPARE(cluster.startNode(), 0);
        const QByteArray key = cluster.createApp().second;
        QSet<QString> created;
        for (int i = 0; i < 230; ++i)
            created.insert(cluster.createConversation(key, {QStringLiteral("u1"), QStringLiteral("p%1").arg(i)}));
        const QByteArray token = cluster.userToken(key, QStringLiteral("u1"));
        // WHEN both lists are read page by page, THEN each has the same shape and every
        // conversation comes exactly once
        for (const QByteArray &credential : {token, key}) {
            QStringList seen;
            QString url = cluster.api() + QStringLiteral("/v1/conversations");
            int pages = 0;
            for (;;) {
                const HttpResult r = cluster.rest.call("GET", url, credential);
                QCOMPARE(r.status, 200);
                QVERIFY(r.json.contains(QLatin1String("next_page_token")));
                const QJsonArray items = r.json.value(QLatin1String("conversations")).toArray();
                QVERIFY(items.size() <= 100);
                for (const QJsonValue &c : items)
                    seen.append(c.toObject().value(QLatin1String("id")).toString());
                ++pages;
                const QJsonValue next = r.json.value(QLatin1String("next_page_token"));
                if (next.isNull())
                    break;
                url = cluster.api() + QStringLiteral("/v1/conversations?page_token=") + next.toString();
            }
            QCOMPARE(pages, 3);
            QCOMPARE(seen.size(), 230);
            QCOMPARE(QSet<QString>(seen.begin(), seen.end()), created);
        }
        const HttpResult small = cluster.rest.call("GET", cluster.api() + QStringLiteral("/v1/conversations?limit=7"), token);
        QCOMPARE(small.json.value(QLatin1String("conversations")).toArray().size(), 7);
        const HttpResult bad = cluster.rest.call("GET", cluster.api() + QStringLiteral("/v1/conversations?page_token=%7B%7D"), token);
        QCOMPARE(bad.status, 400);
    }
};

QTEST_MAIN(TestLimits)
#include "tst_limits.moc"

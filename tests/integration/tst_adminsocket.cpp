// The admin WebSocket /admin/ws (PROTOCOL.md section 6): auth, stats frames with every field,
// nodes of the whole deployment.
#include "harness.h"

#include <QTest>

using namespace confab::test;

class TestAdminSocket : public QObject
{
    Q_OBJECT

    std::unique_ptr<Cluster> m_cluster;

    QString adminWs(int node) const
    {
        return m_cluster->admin(node).replace(QStringLiteral("http://"), QStringLiteral("ws://")) + QStringLiteral("/admin/ws");
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_cluster = std::make_unique<Cluster>();
        QCOMPARE(m_cluster->startNode(), 0);
        QCOMPARE(m_cluster->startNode(), 1);
    }

    void wrongTokenRefused()
    {
        WsClient bad;
        QVERIFY(bad.open(adminWs(0), "not-the-token"));
        QVERIFY(bad.waitClosed());
        QCOMPARE(bad.closeCode(), 4001);
        WsClient none;
        QVERIFY(none.open(adminWs(0)));
        none.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("stats.subscribe")}});
        QVERIFY(none.waitClosed());
        QCOMPARE(none.closeCode(), 4001);
    }

    void statsAtTheAskedInterval()
    {
        // Some traffic and a connection so the figures are not all zero.
        const auto app = m_cluster->createApp(QJsonObject{{QStringLiteral("limits"), QJsonObject{{QStringLiteral("conns_per_user_per_10s"), 0}}}});
        const QString convo = m_cluster->createConversation(app.second, {QStringLiteral("a"), QStringLiteral("b")});
        WsClient user;
        QVERIFY(user.connectAndAuth(m_cluster->ws(1), m_cluster->userToken(app.second, QStringLiteral("a"))));
        for (int i = 0; i < 5; ++i)
            user.request(QJsonObject{{QStringLiteral("type"), QStringLiteral("message.send")}, {QStringLiteral("convo_id"), convo},
                                     {QStringLiteral("client_msg_id"), QString::number(i)}, {QStringLiteral("content"), i}});

        WsClient admin;
        QVERIFY(admin.open(adminWs(0), Cluster::kAdminToken));
        QVERIFY(!admin.waitFor(QStringLiteral("connection.ack")).isEmpty());
        admin.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("stats.subscribe")}, {QStringLiteral("interval_ms"), 200}});
        QTRY_VERIFY_WITH_TIMEOUT(admin.frames(QStringLiteral("stats")).size() >= 6, 5000);
        const QList<QJsonObject> frames = admin.frames(QStringLiteral("stats"));
        const qint64 span = qint64(frames.last().value(QLatin1String("ts")).toDouble() - frames[1].value(QLatin1String("ts")).toDouble());
        QVERIFY2(span >= 600 && span <= 3000, qPrintable(QString::number(span)));

        // Every field PROTOCOL.md section 6 lists, with its type.
        QJsonObject s = frames.last();
        QCOMPARE(s.value(QLatin1String("node_id")).toString(), QStringLiteral("node1"));
        for (const char *k : {"ts", "connections", "ingest_per_s", "stream_depth"})
            QVERIFY2(s.value(QLatin1String(k)).isDouble(), k);
        QVERIFY(s.value(QLatin1String("streams")).isArray());
        const QJsonObject flush = s.value(QLatin1String("flush")).toObject();
        for (const char *k : {"last_ms", "p50_ms", "p95_ms", "p99_ms", "segments_total", "bytes_total"})
            QVERIFY2(flush.value(QLatin1String(k)).isDouble(), k);
        QVERIFY(s.value(QLatin1String("dead_letters")).toObject().value(QLatin1String("count")).isDouble());
        QVERIFY(s.value(QLatin1String("redis")).toObject().value(QLatin1String("used_memory_bytes")).isDouble());
        // Both nodes are listed, and node2's connection counts in the deployment's total.
        QTRY_VERIFY_WITH_TIMEOUT((s = admin.waitFor(QStringLiteral("stats"))).value(QLatin1String("nodes")).toArray().size() == 2
                                     && s.value(QLatin1String("connections")).toInt() >= 1, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(admin.waitFor(QStringLiteral("stats")).value(QLatin1String("redis")).toObject()
                                     .value(QLatin1String("used_memory_bytes")).toDouble() > 0, 12000);

        admin.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("stats.unsubscribe")}});
        QTest::qWait(300);
        admin.clear();
        QTest::qWait(600);
        QVERIFY(admin.frames(QStringLiteral("stats")).isEmpty());
        const QJsonObject err = admin.request(QJsonObject{{QStringLiteral("type"), QStringLiteral("no.such")}});
        QCOMPARE(err.value(QLatin1String("code")).toString(), QStringLiteral("bad_request"));
    }

    // A node whose dependencies stop answering says so in the stats frame ("ready": false, an
    // addition to section 6), and the console raises an alert for it.
    void statsShowAnUnreadyNode()
    {
        TestEnv env;
        S3Server s3(env);
        QVERIFY(s3.start());
        const int n = m_cluster->startNode({{QStringLiteral("CONFAB_S3_ENDPOINT"), s3.endpoint()},
                                            {QStringLiteral("CONFAB_S3_BUCKET"), S3Server::bucket()}});
        QVERIFY(n > 0);
        const QString nodeId = QStringLiteral("node%1").arg(n + 1);
        WsClient admin;
        QVERIFY(admin.open(adminWs(0), Cluster::kAdminToken));
        admin.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("stats.subscribe")}, {QStringLiteral("interval_ms"), 500}});
        auto readiness = [&admin, &nodeId]() -> QJsonValue {
            const QJsonObject s = admin.waitFor(QStringLiteral("stats"));
            admin.clear();
            for (const QJsonValue &v : s.value(QLatin1String("nodes")).toArray())
                if (v.toObject().value(QLatin1String("node_id")).toString() == nodeId)
                    return v.toObject().value(QLatin1String("ready"));
            return QJsonValue::Undefined;
        };
        QTRY_COMPARE_WITH_TIMEOUT(readiness(), QJsonValue(true), 20000);
        s3.stop();
        QTRY_COMPARE_WITH_TIMEOUT(readiness(), QJsonValue(false), 40000);
        QVERIFY(s3.start());
        QTRY_COMPARE_WITH_TIMEOUT(readiness(), QJsonValue(true), 40000);
    }
};

QTEST_MAIN(TestAdminSocket)
#include "tst_adminsocket.moc"

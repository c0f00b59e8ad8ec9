// Two confabd nodes on the same Redis and PostgreSQL behave as one service.
#include "harness.h"

#include <QSet>
#include <QTest>

using namespace confab::test;

class TestCluster : public QObject
{
    Q_OBJECT

    std::unique_ptr<Cluster> m_cluster;
    QByteArray m_key;
    QString m_app;

private Q_SLOTS:
    void initTestCase()
    {
        m_cluster = std::make_unique<Cluster>();
        QCOMPARE(m_cluster->startNode(), 0);
        QCOMPARE(m_cluster->startNode(), 1);
        const auto app = m_cluster->createApp(QJsonObject{{QStringLiteral("limits"), QJsonObject{{QStringLiteral("conns_per_user_per_10s"), 0}, {QStringLiteral("user_msgs_per_min"), 0}}}});
        m_app = app.first;
        m_key = app.second;
        QVERIFY(!m_key.isEmpty());
    }

    void deliversAcrossNodes()
    {
        const QString convo = m_cluster->createConversation(m_key, {QStringLiteral("n1user"), QStringLiteral("n2user")});
        WsClient a, a2, b;
        QVERIFY(a.connectAndAuth(m_cluster->ws(0), m_cluster->userToken(m_key, QStringLiteral("n1user"))));
        QVERIFY(a2.connectAndAuth(m_cluster->ws(1), m_cluster->userToken(m_key, QStringLiteral("n1user"))));
        QVERIFY(b.connectAndAuth(m_cluster->ws(1), m_cluster->userToken(m_key, QStringLiteral("n2user"))));
        QCOMPARE(b.frames(QStringLiteral("message.create")).size(), 0);

        for (int i = 0; i < 10; ++i) {
            WsClient &from = i % 2 ? b : a;
            const QJsonObject ack = from.request(QJsonObject{{QStringLiteral("type"), QStringLiteral("message.send")},
                                                             {QStringLiteral("convo_id"), convo},
                                                             {QStringLiteral("client_msg_id"), QStringLiteral("x%1").arg(i)},
                                                             {QStringLiteral("content"), i}});
            QCOMPARE(ack.value(QLatin1String("seq_no")).toInt(), i + 1);
        }
        for (WsClient *c : {&a, &a2, &b}) {
            QTRY_COMPARE_WITH_TIMEOUT(c->frames(QStringLiteral("message.create")).size(), 10, 5000);
            int expect = 1;
            for (const QJsonObject &f : c->frames(QStringLiteral("message.create")))
                QCOMPARE(f.value(QLatin1String("message")).toObject().value(QLatin1String("seq_no")).toInt(), expect++);
        }
        // Idempotency keys are shared by the nodes.
        const QJsonObject dup = b.request(QJsonObject{{QStringLiteral("type"), QStringLiteral("message.send")},
                                                      {QStringLiteral("convo_id"), convo},
                                                      {QStringLiteral("client_msg_id"), QStringLiteral("x0")},
                                                      {QStringLiteral("content"), 0}});
        QCOMPARE(dup.value(QLatin1String("duplicate")).toBool(), true);
        QCOMPARE(dup.value(QLatin1String("seq_no")).toInt(), 1);
    }

    // Issue 14, on a Redis Cluster only: a conversation's slot moves to another master while its
    // members send through both nodes. Sends go to the old owner while it still has the keys,
    // are redirected with ASK once the keys moved, and with MOVED once the slot did; every one is
    // acknowledged once with the next seq_no, history holds each once, and a resend still finds
    // its original.
    void conversationMovesToAnotherMasterUnderTraffic()
    {
        RedisCluster *rc = m_cluster->redisCluster();
        if (!rc)
            QSKIP("runs on a Redis Cluster (ctest: tst_cluster_rediscluster)");
        const QString convo = m_cluster->createConversation(m_key, {QStringLiteral("mv1"), QStringLiteral("mv2")});
        WsClient a, b;
        QVERIFY(a.connectAndAuth(m_cluster->ws(0), m_cluster->userToken(m_key, QStringLiteral("mv1"))));
        QVERIFY(b.connectAndAuth(m_cluster->ws(1), m_cluster->userToken(m_key, QStringLiteral("mv2"))));
        const QString seqKey = QStringLiteral("c:{%1:%2}:seq").arg(m_app, convo);
        const int slot = rc->cli(rc->ports().constFirst(), {QStringLiteral("CLUSTER"), QStringLiteral("KEYSLOT"), seqKey}).toInt();
        const quint16 from = rc->ownerOf(slot);
        const quint16 to = rc->ports().at(0) == from ? rc->ports().at(1) : rc->ports().at(0);

        int sent = 0;
        auto sendSome = [&](int n) {
            for (int i = 0; i < n; ++i, ++sent) {
                WsClient &c = sent % 2 ? b : a;
                const QJsonObject ack = c.request(QJsonObject{{QStringLiteral("type"), QStringLiteral("message.send")},
                                                              {QStringLiteral("convo_id"), convo},
                                                              {QStringLiteral("client_msg_id"), QStringLiteral("mv%1").arg(sent)},
                                                              {QStringLiteral("content"), sent}});
                QCOMPARE(ack.value(QLatin1String("seq_no")).toInt(), sent + 1);
            }
        };
        sendSome(10);
        QVERIFY(!QTest::currentTestFailed());
        QVERIFY(rc->migrateSlot(slot, to, /*stopAfterMigrating=*/true));
        sendSome(10); // keys still on the source: served there
        QVERIFY(!QTest::currentTestFailed());
        QVERIFY(rc->moveKeys(slot, to));
        sendSome(10); // keys on the target, slot still the source's: ASK
        QVERIFY(!QTest::currentTestFailed());
        QVERIFY(rc->finishMigration(slot, to));
        sendSome(10); // the slot is the target's: MOVED, then the refreshed map
        QVERIFY(!QTest::currentTestFailed());
        // Each node re-subscribes the conversation's channel at the new owner when the old one
        // drops it; messages published in between are not delivered live (clients fill the gap
        // with sync, docs/redis.md). From then on live delivery is whole again.
        QTest::qWait(200);
        sendSome(10);
        QVERIFY(!QTest::currentTestFailed());
        QCOMPARE(rc->ownerOf(slot), to);

        const QList<QJsonObject> stored = m_cluster->history(m_key, convo);
        QCOMPARE(stored.size(), 50);
        for (int i = 0; i < stored.size(); ++i)
            QCOMPARE(stored[i].value(QLatin1String("seq_no")).toInt(), i + 1);
        // Live frames on both nodes: in seq_no order, none twice, every one sent before the keys
        // moved (1-20) and every one sent after the re-subscription (41-50). In between, a
        // message published by the importing master (ASK) or before the node re-subscribed
        // there may miss live delivery; clients fill that gap with sync (docs/redis.md).
        for (WsClient *c : {&a, &b}) {
            QTRY_VERIFY_WITH_TIMEOUT(!c->frames(QStringLiteral("message.create")).isEmpty()
                                         && c->frames(QStringLiteral("message.create")).constLast().value(QLatin1String("message")).toObject().value(QLatin1String("seq_no")).toInt() == 50,
                                     5000);
            int last = 0;
            QSet<int> seen;
            for (const QJsonObject &f : c->frames(QStringLiteral("message.create"))) {
                const int seq = f.value(QLatin1String("message")).toObject().value(QLatin1String("seq_no")).toInt();
                QVERIFY2(seq > last, qPrintable(QStringLiteral("seq_no %1 after %2").arg(seq).arg(last)));
                last = seq;
                seen.insert(seq);
            }
            for (int seq = 1; seq <= 50; ++seq) {
                if (seq <= 20 || seq > 40)
                    QVERIFY2(seen.contains(seq), qPrintable(QStringLiteral("seq_no %1 not delivered live").arg(seq)));
            }
        }
        const QJsonObject dup = a.request(QJsonObject{{QStringLiteral("type"), QStringLiteral("message.send")},
                                                      {QStringLiteral("convo_id"), convo},
                                                      {QStringLiteral("client_msg_id"), QStringLiteral("mv0")},
                                                      {QStringLiteral("content"), 0}});
        QCOMPARE(dup.value(QLatin1String("duplicate")).toBool(), true);
        QCOMPARE(dup.value(QLatin1String("seq_no")).toInt(), 1);
        qInfo("live frames received: %lld on node 0, %lld on node 1 (of 50)",
              qint64(a.frames(QStringLiteral("message.create")).size()), qint64(b.frames(QStringLiteral("message.create")).size()));
    }

    void membershipAndPresenceAcrossNodes()
    {
        const QString convo = m_cluster->createConversation(m_key, {QStringLiteral("p1"), QStringLiteral("p2")});
        WsClient p1, p3;
        QVERIFY(p1.connectAndAuth(m_cluster->ws(0), m_cluster->userToken(m_key, QStringLiteral("p1"))));
        QVERIFY(p3.connectAndAuth(m_cluster->ws(1), m_cluster->userToken(m_key, QStringLiteral("p3"))));
        p1.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("presence.subscribe")}, {QStringLiteral("user_ids"), QJsonArray{QStringLiteral("p2")}}});
        QCOMPARE(p1.waitFor(QStringLiteral("presence.update")).value(QLatin1String("status")).toString(), QStringLiteral("offline"));
        WsClient p2;
        QVERIFY(p2.connectAndAuth(m_cluster->ws(1), m_cluster->userToken(m_key, QStringLiteral("p2"))));
        QCOMPARE(p1.waitFor(QStringLiteral("presence.update")).value(QLatin1String("status")).toString(), QStringLiteral("online"));

        // p3 (node 2) is added through node 1's REST API and receives from then on.
        const HttpResult add = m_cluster->rest.call("POST", m_cluster->api(0) + QStringLiteral("/v1/conversations/%1/members").arg(convo), m_key,
                                                    QJsonObject{{QStringLiteral("user_id"), QStringLiteral("p3")}});
        QCOMPARE(add.status, 200);
        QVERIFY(!p3.waitFor(QStringLiteral("conversation.updated")).isEmpty());
        QCOMPARE(p1.request(QJsonObject{{QStringLiteral("type"), QStringLiteral("message.send")}, {QStringLiteral("convo_id"), convo},
                                        {QStringLiteral("client_msg_id"), QStringLiteral("hello-p3")}, {QStringLiteral("content"), 1}})
                     .value(QLatin1String("type")).toString(), QStringLiteral("message.ack"));
        QVERIFY(!p3.waitFor(QStringLiteral("message.create")).isEmpty());
    }

    // Interest-based fan-out (issue 14, item 3): a node subscribes only to the channels of
    // conversations with a member connected to it, so Redis pushes it none of the others.
    void fanoutGoesOnlyWhereMembersAre()
    {
        // GIVEN three nodes, and three conversations whose members are all on one node each
        const int third = m_cluster->startNode();
        QCOMPARE(third, 2);
        std::vector<std::unique_ptr<WsClient>> clients;
        QStringList convos;
        for (int node = 0; node < 3; ++node) {
            const QString a = QStringLiteral("fan%1a").arg(node), b = QStringLiteral("fan%1b").arg(node);
            convos << m_cluster->createConversation(m_key, {a, b});
            for (const QString &u : {a, b}) {
                clients.push_back(std::make_unique<WsClient>());
                QVERIFY(clients.back()->connectAndAuth(m_cluster->ws(node), m_cluster->userToken(m_key, u)));
            }
        }
        // The counters reach /metrics on a 5 s tick: take them once they are still for a tick.
        const QByteArray messages = "confab_redis_pubsub_messages_received_total";
        const QByteArray bytes = "confab_redis_pubsub_bytes_received_total";
        double before[3] = {}, beforeBytes[3] = {};
        for (int settled = 0; settled < 5; ++settled) {
            bool still = true;
            for (int node = 0; node < 3; ++node) {
                const double now = m_cluster->metric(node, messages);
                still = still && now == before[node];
                before[node] = now;
                beforeBytes[node] = m_cluster->metric(node, bytes);
            }
            if (still && settled > 0)
                break;
            QTest::qWait(5500);
        }
        // WHEN each conversation gets 20 messages
        constexpr int kPerConvo = 20;
        for (int node = 0; node < 3; ++node) {
            for (int i = 0; i < kPerConvo; ++i) {
                const QJsonObject ack = clients[size_t(node * 2)]->request(QJsonObject{
                    {QStringLiteral("type"), QStringLiteral("message.send")}, {QStringLiteral("convo_id"), convos[node]},
                    {QStringLiteral("client_msg_id"), QStringLiteral("fan%1").arg(i)},
                    {QStringLiteral("content"), QString(100, QLatin1Char('x'))}});
                QCOMPARE(ack.value(QLatin1String("type")).toString(), QStringLiteral("message.ack"));
            }
            QTRY_COMPARE_WITH_TIMEOUT(clients[size_t(node * 2 + 1)]->frames(QStringLiteral("message.create")).size(),
                                      kPerConvo, 10000);
        }
        // THEN each node was pushed exactly its own conversation's messages, a third of the
        // bytes every node would get if every node heard every conversation
        double total = 0, got[3] = {};
        for (int node = 0; node < 3; ++node) {
            QTRY_COMPARE_WITH_TIMEOUT(m_cluster->metric(node, messages) - before[node], double(kPerConvo), 15000);
            got[node] = m_cluster->metric(node, bytes) - beforeBytes[node];
            total += got[node];
        }
        for (int node = 0; node < 3; ++node) {
            qInfo("node %d: %d pub/sub messages, %.0f of %.0f bytes (%.2f)", node + 1, kPerConvo, got[node], total,
                  got[node] / total);
            QVERIFY(got[node] > 0.25 * total && got[node] < 0.42 * total);
        }
    }

    void twoProcessesShareThePublicPort()
    {
        // GIVEN two more confabd processes on one host, both listening on the same public port
        // ([server] reuse_port), each with its own internal listener
        const quint16 shared = freePort();
        const QHash<QString, QString> reuse{{QStringLiteral("CONFAB_SERVER_REUSE_PORT"), QStringLiteral("true")},
                                            {QStringLiteral("CONFAB_SERVER_LISTEN"), QStringLiteral("127.0.0.1:%1").arg(shared)}};
        const int p = m_cluster->startNode(reuse);
        const int q = m_cluster->startNode(reuse);
        QVERIFY(m_cluster->node(p).internalPort() != m_cluster->node(q).internalPort());
        const QString ws = QStringLiteral("ws://127.0.0.1:%1/v1/ws").arg(shared);
        // WHEN 16 users connect to that port and talk in one conversation
        QStringList users;
        for (int i = 0; i < 16; ++i)
            users << QStringLiteral("rp%1").arg(i);
        const QString convo = m_cluster->createConversation(m_key, users);
        std::vector<std::unique_ptr<WsClient>> clients;
        QSet<QString> nodes;
        for (const QString &u : users) {
            clients.push_back(std::make_unique<WsClient>());
            QVERIFY(clients.back()->open(ws, m_cluster->userToken(m_key, u)));
            const QJsonObject ack = clients.back()->waitFor(QStringLiteral("connection.ack"));
            QVERIFY(!ack.isEmpty());
            nodes.insert(ack.value(QLatin1String("node_id")).toString());
        }
        // THEN the kernel spread them over both processes, and every message reaches everyone
        QCOMPARE(nodes.size(), 2);
        for (int i = 0; i < 4; ++i) {
            const QJsonObject ack = clients[size_t(i * 5)]->request(QJsonObject{
                {QStringLiteral("type"), QStringLiteral("message.send")}, {QStringLiteral("convo_id"), convo},
                {QStringLiteral("client_msg_id"), QStringLiteral("rp%1").arg(i)}, {QStringLiteral("content"), i}});
            QCOMPARE(ack.value(QLatin1String("seq_no")).toInt(), i + 1);
        }
        for (auto &c : clients) {
            for (int i = 0; i < 4; ++i) {
                const QJsonObject m = c->waitFor(QStringLiteral("message.create"), [i](const QJsonObject &f) {
                    return f.value(QLatin1String("message")).toObject().value(QLatin1String("seq_no")).toInt() == i + 1;
                });
                QVERIFY(!m.isEmpty());
            }
        }
    }
};

QTEST_MAIN(TestCluster)
#include "tst_cluster.moc"

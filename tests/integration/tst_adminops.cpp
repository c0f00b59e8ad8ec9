// The operator actions (docs/protocol.md, "Operator actions") on two nodes: a user's sessions
// seen and closed across nodes, conversation inspection, audited message reads, and notices
// fanned out to every node, over the admin REST and the admin WebSocket.
#include "harness.h"

#include <QTest>

using namespace confab::test;

namespace {
QJsonObject frame(const char *type, std::initializer_list<QPair<QString, QJsonValue>> fields)
{
    QJsonObject o{{QStringLiteral("type"), QLatin1String(type)}};
    for (const auto &f : fields)
        o.insert(f.first, f.second);
    return o;
}
} // namespace

class TestAdminOps : public QObject
{
    Q_OBJECT

    std::unique_ptr<Cluster> m_cluster;
    QString m_app;
    QByteArray m_key;
    const QByteArray m_token = Cluster::kAdminToken;

    QString adminWs(int node) const
    {
        return m_cluster->admin(node).replace(QStringLiteral("http://"), QStringLiteral("ws://")) + QStringLiteral("/admin/ws");
    }
    HttpResult get(int node, const QString &path) { return m_cluster->rest.call("GET", m_cluster->admin(node) + path, m_token); }
    HttpResult post(int node, const QString &path, const QJsonObject &body)
    {
        return m_cluster->rest.call("POST", m_cluster->admin(node) + path, m_token, body);
    }
    QString userPath(const QString &user) const { return QStringLiteral("/admin/apps/%1/users/%2").arg(m_app, user); }

private Q_SLOTS:
    void initTestCase()
    {
        m_cluster = std::make_unique<Cluster>();
        QCOMPARE(m_cluster->startNode(), 0);
        QCOMPARE(m_cluster->startNode(), 1);
        const auto app = m_cluster->createApp(QJsonObject{{QStringLiteral("limits"), QJsonObject{{QStringLiteral("conns_per_user_per_10s"), 0}}}});
        m_app = app.first;
        m_key = app.second;
        QVERIFY(!m_key.isEmpty());
    }

    void lookupSeesSessionsOnEveryNode()
    {
        const HttpResult nobody = get(0, userPath(QStringLiteral("ghost")));
        QCOMPARE(nobody.status, 200);
        QCOMPARE(nobody.json.value(QLatin1String("online")).toBool(), false);
        QCOMPARE(nobody.json.value(QLatin1String("session_count")).toInt(), 0);
        QVERIFY(nobody.json.value(QLatin1String("last_seen_ms")).isNull());

        WsClient a, b;
        QVERIFY(a.connectAndAuth(m_cluster->ws(0), m_cluster->userToken(m_key, QStringLiteral("dora"))));
        QVERIFY(b.connectAndAuth(m_cluster->ws(1), m_cluster->userToken(m_key, QStringLiteral("dora"))));
        QJsonObject user;
        QTRY_VERIFY_WITH_TIMEOUT((user = get(1, userPath(QStringLiteral("dora"))).json).value(QLatin1String("session_count")).toInt() == 2, 5000);
        QCOMPARE(user.value(QLatin1String("online")).toBool(), true);
        const QJsonArray nodes = user.value(QLatin1String("nodes")).toArray();
        QCOMPARE(nodes.size(), 2);
        const QJsonArray sessions = user.value(QLatin1String("sessions")).toArray();
        QCOMPARE(sessions.size(), 2);
        const QJsonObject s0 = sessions.at(0).toObject();
        QVERIFY(!s0.value(QLatin1String("session_id")).toString().isEmpty());
        QVERIFY(s0.value(QLatin1String("connected_ms")).toDouble() > 0);
        QCOMPARE(user.value(QLatin1String("connected_since_ms")).toDouble(), s0.value(QLatin1String("connected_ms")).toDouble());

        // The same over the admin WebSocket of the other node.
        WsClient admin;
        QVERIFY(admin.connectAndAuth(adminWs(0), m_token));
        const QJsonObject viaWs = admin.request(frame("user.lookup", {{QStringLiteral("app_id"), m_app}, {QStringLiteral("user_id"), QStringLiteral("dora")}}));
        QCOMPARE(viaWs.value(QLatin1String("type")).toString(), QStringLiteral("user"));
        QCOMPARE(viaWs.value(QLatin1String("session_count")).toInt(), 2);
        QCOMPARE(viaWs.value(QLatin1String("sessions")).toArray().size(), 2);
    }

    void disconnectClosesSessionsOnEveryNode()
    {
        WsClient a, b, other;
        QVERIFY(a.connectAndAuth(m_cluster->ws(0), m_cluster->userToken(m_key, QStringLiteral("eve"))));
        QVERIFY(b.connectAndAuth(m_cluster->ws(1), m_cluster->userToken(m_key, QStringLiteral("eve"))));
        QVERIFY(other.connectAndAuth(m_cluster->ws(1), m_cluster->userToken(m_key, QStringLiteral("frank"))));
        QTRY_COMPARE_WITH_TIMEOUT(get(0, userPath(QStringLiteral("eve"))).json.value(QLatin1String("session_count")).toInt(), 2, 5000);

        WsClient admin;
        QVERIFY(admin.connectAndAuth(adminWs(0), m_token));
        const QJsonObject r = admin.request(frame("user.disconnect", {{QStringLiteral("app_id"), m_app}, {QStringLiteral("user_id"), QStringLiteral("eve")},
                                                                      {QStringLiteral("reason"), QStringLiteral("maintenance")}}));
        QCOMPARE(r.value(QLatin1String("type")).toString(), QStringLiteral("result"));
        QCOMPARE(r.value(QLatin1String("sessions")).toInt(), 2);
        QCOMPARE(r.value(QLatin1String("nodes_reached")).toInt(), 2);
        QVERIFY(a.waitClosed());
        QVERIFY(b.waitClosed());
        QCOMPARE(a.closeCode(), 4009);
        QCOMPARE(b.closeCode(), 4009);
        QCOMPARE(b.socket().closeReason(), QStringLiteral("maintenance"));
        QVERIFY(other.isOpen());
        QTRY_COMPARE_WITH_TIMEOUT(get(1, userPath(QStringLiteral("eve"))).json.value(QLatin1String("online")).toBool(), false, 5000);
        QVERIFY(get(1, userPath(QStringLiteral("eve"))).json.value(QLatin1String("last_seen_ms")).toDouble() > 0);

        // REST, with another allowed code; refused codes and reasons.
        WsClient c;
        QVERIFY(c.connectAndAuth(m_cluster->ws(1), m_cluster->userToken(m_key, QStringLiteral("eve"))));
        QTRY_COMPARE_WITH_TIMEOUT(get(0, userPath(QStringLiteral("eve"))).json.value(QLatin1String("session_count")).toInt(), 1, 5000);
        QCOMPARE(post(0, userPath(QStringLiteral("eve")) + QStringLiteral("/disconnect"), QJsonObject{{QStringLiteral("close_code"), 4003}}).status, 200);
        QVERIFY(c.waitClosed());
        QCOMPARE(c.closeCode(), 4003);
        QCOMPARE(post(0, userPath(QStringLiteral("eve")) + QStringLiteral("/disconnect"), QJsonObject{{QStringLiteral("close_code"), 1000}}).status, 400);
        QCOMPARE(post(0, userPath(QStringLiteral("eve")) + QStringLiteral("/disconnect"),
                      QJsonObject{{QStringLiteral("reason"), QString(200, QLatin1Char('x'))}}).status, 400);
        QCOMPARE(post(0, QStringLiteral("/admin/apps/app_nope/users/eve/disconnect"), QJsonObject{}).status, 404);
    }

    void inspectsAConversationAndReadsItsMessages()
    {
        const QString convo = m_cluster->createConversation(m_key, {QStringLiteral("gus"), QStringLiteral("hal")});
        WsClient gus;
        QVERIFY(gus.connectAndAuth(m_cluster->ws(1), m_cluster->userToken(m_key, QStringLiteral("gus"))));
        for (int i = 0; i < 7; ++i)
            QCOMPARE(gus.request(sendFrame(convo, QStringLiteral("m%1").arg(i), i)).value(QLatin1String("type")).toString(), QStringLiteral("message.ack"));
        gus.send(frame("message.read", {{QStringLiteral("convo_id"), convo}, {QStringLiteral("seq_no"), 5}}));

        const QString path = QStringLiteral("/admin/apps/%1/conversations/%2").arg(m_app, convo);
        QJsonObject c;
        QTRY_VERIFY_WITH_TIMEOUT(([&] {
            c = get(0, path).json;
            for (const QJsonValue &m : c.value(QLatin1String("members")).toArray())
                if (m.toObject().value(QLatin1String("user_id")).toString() == QLatin1String("gus"))
                    return m.toObject().value(QLatin1String("read_seq")).toInt() == 5;
            return false;
        }()), 5000);
        QCOMPARE(c.value(QLatin1String("kind")).toString(), QStringLiteral("group"));
        QCOMPARE(c.value(QLatin1String("last_seq")).toInt(), 7);
        QCOMPARE(c.value(QLatin1String("members_total")).toInt(), 2);
        const QJsonObject flush = c.value(QLatin1String("flush")).toObject();
        QCOMPARE(flush.value(QLatin1String("flushed_seq")).toInt() + flush.value(QLatin1String("unflushed")).toInt(), 7);
        QVERIFY(flush.contains(QLatin1String("stream_depth")));

        // Paged from the tail, newest page first, each page oldest first.
        QCOMPARE(post(0, QStringLiteral("/admin/flush"), QJsonObject{}).status, 200);
        const HttpResult p1 = m_cluster->rest.call("GET", m_cluster->admin(0) + path + QStringLiteral("/messages?limit=3"), m_token);
        QCOMPARE(p1.status, 200);
        QJsonArray msgs = p1.json.value(QLatin1String("messages")).toArray();
        QCOMPARE(msgs.size(), 3);
        QCOMPARE(msgs.at(0).toObject().value(QLatin1String("seq_no")).toInt(), 5);
        QCOMPARE(p1.json.value(QLatin1String("next_before_seq")).toInt(), 5);
        WsClient admin;
        QVERIFY(admin.connectAndAuth(adminWs(1), m_token));
        const QJsonObject p2 = admin.request(frame("conversation.messages", {{QStringLiteral("app_id"), m_app}, {QStringLiteral("convo_id"), convo},
                                                                             {QStringLiteral("before_seq"), 5}, {QStringLiteral("limit"), 10},
                                                                             {QStringLiteral("operator"), QStringLiteral("olga")}}));
        QCOMPARE(p2.value(QLatin1String("type")).toString(), QStringLiteral("messages"));
        msgs = p2.value(QLatin1String("messages")).toArray();
        QCOMPARE(msgs.size(), 4);
        QCOMPARE(msgs.at(0).toObject().value(QLatin1String("seq_no")).toInt(), 1);
        QVERIFY(p2.value(QLatin1String("next_before_seq")).isNull());
        // Each read is in the audit log of the node that served it, with who asked.
        QByteArray log; // output() hands out what arrived since the last call
        QTRY_VERIFY_WITH_TIMEOUT((log += m_cluster->node(1).output()).contains("operator read 4 message(s)"), 5000);
        QVERIFY(log.contains("by olga token"));

        const QJsonObject inspect = admin.request(frame("conversation.inspect", {{QStringLiteral("app_id"), m_app}, {QStringLiteral("convo_id"), convo}}));
        QCOMPARE(inspect.value(QLatin1String("type")).toString(), QStringLiteral("conversation"));
        QCOMPARE(inspect.value(QLatin1String("flush")).toObject().value(QLatin1String("unflushed")).toInt(), 0);
        QCOMPARE(get(0, QStringLiteral("/admin/apps/%1/conversations/nope").arg(m_app)).status, 404);
        QCOMPARE(m_cluster->rest.call("GET", m_cluster->admin(0) + path + QStringLiteral("/messages?before_seq=x"), m_token).status, 400);
        QCOMPARE(m_cluster->rest.call("GET", m_cluster->admin(0) + path, "wrong").status, 401);
    }

    void noticesReachEveryNode()
    {
        const auto other = m_cluster->createApp();
        WsClient a, b, elsewhere;
        QVERIFY(a.connectAndAuth(m_cluster->ws(0), m_cluster->userToken(m_key, QStringLiteral("ivy"))));
        QVERIFY(b.connectAndAuth(m_cluster->ws(1), m_cluster->userToken(m_key, QStringLiteral("jon"))));
        QVERIFY(elsewhere.connectAndAuth(m_cluster->ws(1), m_cluster->userToken(other.second, QStringLiteral("kim"))));

        WsClient admin;
        QVERIFY(admin.connectAndAuth(adminWs(0), m_token));
        const QJsonObject r = admin.request(frame("notice.send", {{QStringLiteral("app_id"), m_app}, {QStringLiteral("message"), QStringLiteral("maintenance at 22:00")}}));
        QCOMPARE(r.value(QLatin1String("ok")).toBool(), true);
        for (WsClient *c : {&a, &b}) {
            const QJsonObject n = c->waitFor(QStringLiteral("system.notice"));
            QCOMPARE(n.value(QLatin1String("code")).toString(), QStringLiteral("operator"));
            QCOMPARE(n.value(QLatin1String("message")).toString(), QStringLiteral("maintenance at 22:00"));
        }
        // Rate-limited deployment-wide, then one to every app.
        const HttpResult again = post(1, QStringLiteral("/admin/notices"), QJsonObject{{QStringLiteral("message"), QStringLiteral("again")}});
        QCOMPARE(again.status, 429);
        QTest::qWait(1100);
        QCOMPARE(post(1, QStringLiteral("/admin/notices"), QJsonObject{{QStringLiteral("code"), QStringLiteral("upgrade")},
                                                                       {QStringLiteral("message"), QStringLiteral("for all")}}).status, 200);
        QCOMPARE(elsewhere.waitFor(QStringLiteral("system.notice")).value(QLatin1String("code")).toString(), QStringLiteral("upgrade"));
        QCOMPARE(elsewhere.frames(QStringLiteral("system.notice")).size(), 0); // the app notice did not reach it
        QVERIFY(!a.waitFor(QStringLiteral("system.notice")).isEmpty());

        QCOMPARE(post(1, QStringLiteral("/admin/notices"), QJsonObject{{QStringLiteral("message"), QString()}}).status, 400);
        QCOMPARE(post(1, QStringLiteral("/admin/notices"), QJsonObject{{QStringLiteral("message"), QString(1001, QLatin1Char('x'))}}).status, 400);
        QCOMPARE(post(1, QStringLiteral("/admin/notices"), QJsonObject{{QStringLiteral("code"), QStringLiteral("shutting_down")},
                                                                       {QStringLiteral("message"), QStringLiteral("x")}}).status, 400);
        const QJsonObject bad = admin.request(frame("notice.send", {{QStringLiteral("message"), 5}}));
        QCOMPARE(bad.value(QLatin1String("code")).toString(), QStringLiteral("bad_request"));
    }
};

QTEST_GUILESS_MAIN(TestAdminOps)
#include "tst_adminops.moc"

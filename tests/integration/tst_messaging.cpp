// The live message path against real PostgreSQL and Redis (PROTOCOL.md section 5 rules).
#include "harness.h"

#include <QDateTime>
#include <QNetworkReply>
#include <QSet>
#include <QTest>

using namespace confab::test;

namespace {
QJsonObject text(const QString &t)
{
    return QJsonObject{{QStringLiteral("text"), t}};
}
QString typeOf(const QJsonObject &f)
{
    return f.value(QLatin1String("type")).toString();
}
} // namespace

class TestMessaging : public QObject
{
    Q_OBJECT

    std::unique_ptr<Cluster> m_cluster;
    QByteArray m_key;

    QByteArray token(const QString &user) { return m_cluster->userToken(m_key, user); }

private Q_SLOTS:
    void initTestCase()
    {
        m_cluster = std::make_unique<Cluster>();
        QVERIFY(m_cluster->startNode() == 0);
        const auto app = m_cluster->createApp(QJsonObject{{QStringLiteral("limits"), QJsonObject{{QStringLiteral("user_msgs_per_min"), 0}, {QStringLiteral("conns_per_user_per_10s"), 0}}}});
        QVERIFY(!app.first.isEmpty());
        m_key = app.second;
        QVERIFY(m_key.startsWith("ck_"));
    }

    void sendAckAndFanOut()
    {
        const QString convo = m_cluster->createConversation(m_key, {QStringLiteral("alice"), QStringLiteral("bob")});
        QVERIFY(!convo.isEmpty());
        WsClient alice, alice2, bob;
        QVERIFY(alice.connectAndAuth(m_cluster->ws(), token(QStringLiteral("alice"))));
        QVERIFY(alice2.connectAndAuth(m_cluster->ws(), token(QStringLiteral("alice"))));
        QVERIFY(bob.connectAndAuth(m_cluster->ws(), token(QStringLiteral("bob"))));

        const QJsonObject ack = alice.request(sendFrame(convo, QStringLiteral("m1"), text(QStringLiteral("hi"))));
        QCOMPARE(typeOf(ack), QStringLiteral("message.ack"));
        QCOMPARE(ack.value(QLatin1String("status")).toString(), QStringLiteral("ok"));
        QCOMPARE(ack.value(QLatin1String("seq_no")).toInt(), 1);
        QCOMPARE(ack.value(QLatin1String("duplicate")).toBool(), false);
        QCOMPARE(ack.value(QLatin1String("server_msg_id")).toString().size(), 26);

        for (WsClient *c : {&bob, &alice, &alice2}) {
            const QJsonObject created = c->waitFor(QStringLiteral("message.create"));
            const QJsonObject m = created.value(QLatin1String("message")).toObject();
            QCOMPARE(m.value(QLatin1String("seq_no")).toInt(), 1);
            QCOMPARE(m.value(QLatin1String("sender_id")).toString(), QStringLiteral("alice"));
            QCOMPARE(m.value(QLatin1String("convo_id")).toString(), convo);
            QCOMPARE(m.value(QLatin1String("client_msg_id")).toString(), QStringLiteral("m1"));
            QCOMPARE(m.value(QLatin1String("content")).toObject(), text(QStringLiteral("hi")));
            QCOMPARE(m.value(QLatin1String("server_msg_id")), ack.value(QLatin1String("server_msg_id")));
            QCOMPARE(m.value(QLatin1String("ts")).toDouble(), ack.value(QLatin1String("ts")).toDouble());
        }
    }

    void idempotentRetry()
    {
        const QString convo = m_cluster->createConversation(m_key, {QStringLiteral("carol"), QStringLiteral("dan")});
        WsClient carol, dan;
        QVERIFY(carol.connectAndAuth(m_cluster->ws(), token(QStringLiteral("carol"))));
        QVERIFY(dan.connectAndAuth(m_cluster->ws(), token(QStringLiteral("dan"))));
        const QJsonObject first = carol.request(sendFrame(convo, QStringLiteral("same"), text(QStringLiteral("once"))));
        const QJsonObject again = carol.request(sendFrame(convo, QStringLiteral("same"), text(QStringLiteral("once"))));
        QCOMPARE(again.value(QLatin1String("duplicate")).toBool(), true);
        QCOMPARE(again.value(QLatin1String("seq_no")), first.value(QLatin1String("seq_no")));
        QCOMPARE(again.value(QLatin1String("server_msg_id")), first.value(QLatin1String("server_msg_id")));
        QCOMPARE(again.value(QLatin1String("ts")), first.value(QLatin1String("ts")));
        // The REST path shares the idempotency key.
        const HttpResult rest = m_cluster->rest.call(
            "POST", m_cluster->api() + QStringLiteral("/v1/conversations/%1/messages").arg(convo), m_key,
            QJsonObject{{QStringLiteral("client_msg_id"), QStringLiteral("same")}, {QStringLiteral("content"), text(QStringLiteral("once"))},
                        {QStringLiteral("sender_id"), QStringLiteral("carol")}});
        QCOMPARE(rest.status, 200);
        QCOMPARE(rest.json.value(QLatin1String("duplicate")).toBool(), true);
        QCOMPARE(rest.json.value(QLatin1String("seq_no")), first.value(QLatin1String("seq_no")));
        // Exactly one delivery.
        QVERIFY(!dan.waitFor(QStringLiteral("message.create")).isEmpty());
        const QJsonObject next = carol.request(sendFrame(convo, QStringLiteral("other"), text(QStringLiteral("two"))));
        QCOMPARE(next.value(QLatin1String("seq_no")).toInt(), first.value(QLatin1String("seq_no")).toInt() + 1);
        const QJsonObject d2 = dan.waitFor(QStringLiteral("message.create"));
        QCOMPARE(d2.value(QLatin1String("message")).toObject().value(QLatin1String("client_msg_id")).toString(), QStringLiteral("other"));
        QVERIFY(dan.frames(QStringLiteral("message.create")).isEmpty());
    }

    void gaplessOrderUnderConcurrentSenders()
    {
        const QStringList users{QStringLiteral("s1"), QStringLiteral("s2"), QStringLiteral("s3"), QStringLiteral("s4"), QStringLiteral("reader")};
        const QString convo = m_cluster->createConversation(m_key, users);
        std::vector<std::unique_ptr<WsClient>> clients;
        for (const QString &u : users) {
            clients.push_back(std::make_unique<WsClient>());
            QVERIFY(clients.back()->connectAndAuth(m_cluster->ws(), token(u)));
        }
        constexpr int kPerSender = 50;
        // Every sender fires all its sends without waiting for acks.
        for (int i = 0; i < kPerSender; ++i)
            for (int s = 0; s < 4; ++s)
                clients[s]->send(sendFrame(convo, QStringLiteral("%1-%2").arg(s).arg(i), QJsonValue(i)));
        for (auto &c : clients) {
            QList<int> seqs;
            QTRY_VERIFY_WITH_TIMEOUT(c->frames(QStringLiteral("message.create")).size() == 4 * kPerSender, 20000);
            for (const QJsonObject &f : c->frames(QStringLiteral("message.create")))
                seqs.append(f.value(QLatin1String("message")).toObject().value(QLatin1String("seq_no")).toInt());
            QCOMPARE(seqs.size(), 4 * kPerSender);
            for (int i = 0; i < seqs.size(); ++i)
                QCOMPARE(seqs[i], i + 1);
        }
        for (int s = 0; s < 4; ++s)
            QTRY_COMPARE_WITH_TIMEOUT(clients[s]->frames(QStringLiteral("message.ack")).size(), kPerSender, 10000);
    }

    void nonMemberRefused()
    {
        const QString convo = m_cluster->createConversation(m_key, {QStringLiteral("eve1"), QStringLiteral("eve2")});
        WsClient mallory;
        QVERIFY(mallory.connectAndAuth(m_cluster->ws(), token(QStringLiteral("mallory"))));
        const QJsonObject r = mallory.request(sendFrame(convo, QStringLiteral("x"), text(QStringLiteral("let me in"))));
        QCOMPARE(typeOf(r), QStringLiteral("error"));
        QCOMPARE(r.value(QLatin1String("code")).toString(), QStringLiteral("not_member"));
        const QJsonObject s = mallory.request(QJsonObject{{QStringLiteral("type"), QStringLiteral("sync")},
                                                          {QStringLiteral("convo_id"), convo}, {QStringLiteral("after_seq"), 0}});
        QCOMPARE(s.value(QLatin1String("code")).toString(), QStringLiteral("not_member"));
        // Over REST a non-member's read answers as if the conversation did not exist.
        const HttpResult get = m_cluster->rest.call("GET", m_cluster->api() + QStringLiteral("/v1/conversations/%1").arg(convo),
                                                    token(QStringLiteral("mallory")));
        QCOMPARE(get.status, 404);
        QCOMPARE(get.json.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString(), QStringLiteral("not_found"));
        QVERIFY(mallory.isOpen());
    }

    void membershipChanges()
    {
        const QString convo = m_cluster->createConversation(m_key, {QStringLiteral("owner1"), QStringLiteral("m1"), QStringLiteral("m2")});
        WsClient owner, m1, m2, newcomer;
        QVERIFY(owner.connectAndAuth(m_cluster->ws(), token(QStringLiteral("owner1"))));
        QVERIFY(m1.connectAndAuth(m_cluster->ws(), token(QStringLiteral("m1"))));
        QVERIFY(m2.connectAndAuth(m_cluster->ws(), token(QStringLiteral("m2"))));
        QVERIFY(newcomer.connectAndAuth(m_cluster->ws(), token(QStringLiteral("newcomer"))));

        // Removing m2: m2 and the others learn it; m2 stops receiving.
        const HttpResult del = m_cluster->rest.call(
            "DELETE", m_cluster->api() + QStringLiteral("/v1/conversations/%1/members/m2").arg(convo), m_key);
        QCOMPARE(del.status, 204);
        const QJsonObject gone = m2.waitFor(QStringLiteral("conversation.updated"));
        QCOMPARE(gone.value(QLatin1String("change")).toString(), QStringLiteral("member_removed"));
        QCOMPARE(gone.value(QLatin1String("user_id")).toString(), QStringLiteral("m2"));
        QCOMPARE(m1.waitFor(QStringLiteral("conversation.updated")).value(QLatin1String("change")).toString(), QStringLiteral("member_removed"));

        // Adding newcomer: they get the change and then the messages.
        const HttpResult add = m_cluster->rest.call(
            "POST", m_cluster->api() + QStringLiteral("/v1/conversations/%1/members").arg(convo), m_key,
            QJsonObject{{QStringLiteral("user_id"), QStringLiteral("newcomer")}});
        QCOMPARE(add.status, 200);
        QVERIFY(add.json.value(QLatin1String("members")).toArray().contains(QStringLiteral("newcomer")));
        QCOMPARE(newcomer.waitFor(QStringLiteral("conversation.updated")).value(QLatin1String("change")).toString(), QStringLiteral("member_added"));
        QCOMPARE(owner.waitFor(QStringLiteral("conversation.updated"), [](const QJsonObject &f) {
                     return f.value(QLatin1String("change")).toString() == QLatin1String("member_added");
                 }).value(QLatin1String("user_id")).toString(), QStringLiteral("newcomer"));

        const QJsonObject ack = owner.request(sendFrame(convo, QStringLiteral("after-change"), text(QStringLiteral("hello"))));
        QCOMPARE(typeOf(ack), QStringLiteral("message.ack"));
        QVERIFY(!newcomer.waitFor(QStringLiteral("message.create")).isEmpty());
        QVERIFY(!m1.waitFor(QStringLiteral("message.create")).isEmpty());
        QTest::qWait(300);
        QVERIFY(m2.frames(QStringLiteral("message.create")).isEmpty());
        const QJsonObject refused = m2.request(sendFrame(convo, QStringLiteral("m2-late"), text(QStringLiteral("?"))));
        QCOMPARE(refused.value(QLatin1String("code")).toString(), QStringLiteral("not_member"));
    }

    void watermarksNeverGoDown()
    {
        const QString convo = m_cluster->createConversation(m_key, {QStringLiteral("w1"), QStringLiteral("w2")});
        WsClient w1, w2;
        QVERIFY(w1.connectAndAuth(m_cluster->ws(), token(QStringLiteral("w1"))));
        QVERIFY(w2.connectAndAuth(m_cluster->ws(), token(QStringLiteral("w2"))));
        for (int i = 0; i < 3; ++i)
            QCOMPARE(typeOf(w1.request(sendFrame(convo, QStringLiteral("w%1").arg(i), QJsonValue(i)))), QStringLiteral("message.ack"));
        auto receipt = [&](const char *type, int seq) {
            w2.send(QJsonObject{{QStringLiteral("type"), QLatin1String(type)}, {QStringLiteral("convo_id"), convo}, {QStringLiteral("seq_no"), seq}});
        };
        receipt("message.delivered", 2);
        QJsonObject d = w1.waitFor(QStringLiteral("message.delivery"));
        QCOMPARE(d.value(QLatin1String("seq_no")).toInt(), 2);
        QCOMPARE(d.value(QLatin1String("user_id")).toString(), QStringLiteral("w2"));
        receipt("message.delivered", 1);      // lower: nothing
        receipt("message.delivered", 99);     // past the end: clamped to last_seq 3
        d = w1.waitFor(QStringLiteral("message.delivery"));
        QCOMPARE(d.value(QLatin1String("seq_no")).toInt(), 3);
        receipt("message.read", 3);
        const QJsonObject r = w1.waitFor(QStringLiteral("message.read"));
        QCOMPARE(r.value(QLatin1String("seq_no")).toInt(), 3);
        QTest::qWait(300);
        QVERIFY(w1.frames(QStringLiteral("message.delivery")).isEmpty());
        // unread in the user's list follows the read watermark.
        const HttpResult list = m_cluster->rest.call("GET", m_cluster->api() + QStringLiteral("/v1/conversations"), token(QStringLiteral("w2")));
        QCOMPARE(list.status, 200);
        const QJsonArray convos = list.json.value(QLatin1String("conversations")).toArray();
        QCOMPARE(convos.size(), 1);
        QCOMPARE(convos[0].toObject().value(QLatin1String("last_seq")).toInt(), 3);
        QCOMPARE(convos[0].toObject().value(QLatin1String("unread")).toInt(), 0);
    }

    void typingAndPresence()
    {
        const QString convo = m_cluster->createConversation(m_key, {QStringLiteral("t1"), QStringLiteral("t2")});
        WsClient t1, t2, stranger;
        QVERIFY(t1.connectAndAuth(m_cluster->ws(), token(QStringLiteral("t1"))));
        QVERIFY(stranger.connectAndAuth(m_cluster->ws(), token(QStringLiteral("stranger"))));
        t1.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("presence.subscribe")},
                            {QStringLiteral("user_ids"), QJsonArray{QStringLiteral("t2"), QStringLiteral("stranger")}}});
        const QJsonObject offline = t1.waitFor(QStringLiteral("presence.update"));
        QCOMPARE(offline.value(QLatin1String("user_id")).toString(), QStringLiteral("t2"));
        QCOMPARE(offline.value(QLatin1String("status")).toString(), QStringLiteral("offline"));
        QVERIFY(t2.connectAndAuth(m_cluster->ws(), token(QStringLiteral("t2"))));
        QCOMPARE(t1.waitFor(QStringLiteral("presence.update")).value(QLatin1String("status")).toString(), QStringLiteral("online"));
        // stranger shares no conversation with t1: ignored.
        QVERIFY(t1.frames(QStringLiteral("presence.update")).isEmpty());

        t2.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("typing.start")}, {QStringLiteral("convo_id"), convo}});
        const QJsonObject typing = t1.waitFor(QStringLiteral("typing"));
        QCOMPARE(typing.value(QLatin1String("user_id")).toString(), QStringLiteral("t2"));
        QCOMPARE(typing.value(QLatin1String("state")).toString(), QStringLiteral("start"));
        // A start with no stop ends after 10 s.
        const QJsonObject stop = t1.waitFor(QStringLiteral("typing"), {}, 13000);
        QCOMPARE(stop.value(QLatin1String("state")).toString(), QStringLiteral("stop"));
        QVERIFY(t2.frames(QStringLiteral("typing")).isEmpty());   // not echoed to the typist

        t2.socket().close();
        const QJsonObject gone = t1.waitFor(QStringLiteral("presence.update"));
        QCOMPARE(gone.value(QLatin1String("status")).toString(), QStringLiteral("offline"));
        QVERIFY(gone.value(QLatin1String("last_seen_ms")).toDouble() > 0);
    }

    void syncAndPing()
    {
        const QString convo = m_cluster->createConversation(m_key, {QStringLiteral("y1"), QStringLiteral("y2")});
        WsClient y1;
        QVERIFY(y1.connectAndAuth(m_cluster->ws(), token(QStringLiteral("y1"))));
        for (int i = 1; i <= 7; ++i)
            QCOMPARE(typeOf(y1.request(sendFrame(convo, QStringLiteral("y%1").arg(i), QJsonValue(i)))), QStringLiteral("message.ack"));
        const QJsonObject page = y1.request(QJsonObject{{QStringLiteral("type"), QStringLiteral("sync")}, {QStringLiteral("convo_id"), convo},
                                                        {QStringLiteral("after_seq"), 2}, {QStringLiteral("limit"), 3}});
        QCOMPARE(typeOf(page), QStringLiteral("sync.result"));
        const QJsonArray msgs = page.value(QLatin1String("messages")).toArray();
        QCOMPARE(msgs.size(), 3);
        QCOMPARE(msgs[0].toObject().value(QLatin1String("seq_no")).toInt(), 3);
        QCOMPARE(msgs[2].toObject().value(QLatin1String("seq_no")).toInt(), 5);
        QCOMPARE(page.value(QLatin1String("has_more")).toBool(), true);
        QCOMPARE(page.value(QLatin1String("last_seq")).toInt(), 7);
        const QJsonObject pong = y1.request(QJsonObject{{QStringLiteral("type"), QStringLiteral("ping")}});
        QCOMPARE(typeOf(pong), QStringLiteral("pong"));
    }

    void attachmentRoundTrip()
    {
        const QString convo = m_cluster->createConversation(m_key, {QStringLiteral("f1"), QStringLiteral("f2")});
        const QByteArray f1 = token(QStringLiteral("f1"));
        const QByteArray payload = QByteArray("binary\x00\x01\xff attachment ", 21).repeated(500);
        const HttpResult created = m_cluster->rest.call("POST", m_cluster->api() + QStringLiteral("/v1/attachments"), f1,
            QJsonObject{{QStringLiteral("convo_id"), convo}, {QStringLiteral("filename"), QStringLiteral("a b/../c.png")},
                        {QStringLiteral("content_type"), QStringLiteral("image/png")}, {QStringLiteral("size"), payload.size()}});
        QCOMPARE(created.status, 201);
        const QString key = created.json.value(QLatin1String("key")).toString();
        QVERIFY(key.startsWith(QStringLiteral("att/")));
        QCOMPARE(key.split(u'/').size(), 5);   // the file name cannot add path segments
        QVERIFY(created.json.value(QLatin1String("expires_ms")).toDouble() > QDateTime::currentMSecsSinceEpoch());

        QNetworkAccessManager nam;
        QNetworkRequest put{QUrl(created.json.value(QLatin1String("upload_url")).toString())};
        put.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("image/png"));
        QNetworkReply *up = nam.put(put, payload);
        QTRY_VERIFY_WITH_TIMEOUT(up->isFinished(), 10000);
        QCOMPARE(up->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        up->deleteLater();

        const HttpResult url = m_cluster->rest.call("GET", m_cluster->api() + QStringLiteral("/v1/attachments/url?key=") +
                                                    QString::fromUtf8(QUrl::toPercentEncoding(key)), token(QStringLiteral("f2")));
        QCOMPARE(url.status, 200);
        QNetworkReply *down = nam.get(QNetworkRequest(QUrl(url.json.value(QLatin1String("download_url")).toString())));
        QTRY_VERIFY_WITH_TIMEOUT(down->isFinished(), 10000);
        QCOMPARE(down->readAll(), payload);
        down->deleteLater();

        // Not a member: no upload URL, no download URL.
        const QByteArray outsider = token(QStringLiteral("outsider"));
        QCOMPARE(m_cluster->rest.call("GET", m_cluster->api() + QStringLiteral("/v1/attachments/url?key=") +
                                      QString::fromUtf8(QUrl::toPercentEncoding(key)), outsider).status, 404);
        QCOMPARE(m_cluster->rest.call("POST", m_cluster->api() + QStringLiteral("/v1/attachments"), outsider,
                     QJsonObject{{QStringLiteral("convo_id"), convo}, {QStringLiteral("filename"), QStringLiteral("x")},
                                 {QStringLiteral("content_type"), QStringLiteral("text/plain")}, {QStringLiteral("size"), 1}}).status, 403);
        // Over the size limit.
        QCOMPARE(m_cluster->rest.call("POST", m_cluster->api() + QStringLiteral("/v1/attachments"), f1,
                     QJsonObject{{QStringLiteral("convo_id"), convo}, {QStringLiteral("filename"), QStringLiteral("x")},
                                 {QStringLiteral("content_type"), QStringLiteral("text/plain")}, {QStringLiteral("size"), 1e12}}).status, 413);
    }

    void historyPagesOverRest()
    {
        const QString convo = m_cluster->createConversation(m_key, {QStringLiteral("h1"), QStringLiteral("h2")});
        const QString url = m_cluster->api() + QStringLiteral("/v1/conversations/%1/messages").arg(convo);
        for (int i = 1; i <= 25; ++i) {
            const HttpResult r = m_cluster->rest.call("POST", url, m_key,
                QJsonObject{{QStringLiteral("client_msg_id"), QStringLiteral("h%1").arg(i)}, {QStringLiteral("content"), i},
                            {QStringLiteral("sender_id"), QStringLiteral("h1")}});
            QCOMPARE(r.status, 201);
            QCOMPARE(r.json.value(QLatin1String("seq_no")).toInt(), i);
        }
        auto seqs = [](const HttpResult &r) {
            QList<int> out;
            for (const QJsonValue &m : r.json.value(QLatin1String("messages")).toArray())
                out.append(m.toObject().value(QLatin1String("seq_no")).toInt());
            return out;
        };
        // Backward from the newest, following tokens to the first message.
        QList<int> all;
        HttpResult page = m_cluster->rest.call("GET", url + QStringLiteral("?limit=10"), m_key);
        QCOMPARE(page.status, 200);
        while (true) {
            all = seqs(page) + all;
            const QJsonValue next = page.json.value(QLatin1String("next_page_token"));
            if (next.isNull())
                break;
            page = m_cluster->rest.call("GET", url + QStringLiteral("?limit=10&page_token=") + next.toString(), m_key);
            QCOMPARE(page.status, 200);
        }
        QList<int> expected;
        for (int i = 1; i <= 25; ++i)
            expected.append(i);
        QCOMPARE(all, expected);
        // Forward from after_seq.
        all.clear();
        page = m_cluster->rest.call("GET", url + QStringLiteral("?after_seq=0&limit=10"), m_key);
        while (true) {
            all += seqs(page);
            const QJsonValue next = page.json.value(QLatin1String("next_page_token"));
            if (next.isNull())
                break;
            page = m_cluster->rest.call("GET", url + QStringLiteral("?limit=10&page_token=") + next.toString(), m_key);
        }
        QCOMPARE(all, expected);
        // before_seq
        page = m_cluster->rest.call("GET", url + QStringLiteral("?before_seq=5&limit=10"), m_key);
        QCOMPARE(seqs(page), (QList<int>{1, 2, 3, 4}));
        QVERIFY(page.json.value(QLatin1String("next_page_token")).isNull());
        // A forged token is bad_request.
        page = m_cluster->rest.call("GET", url + QStringLiteral("?page_token=YTU.AAAAAAAAAAAAAAAAAAAAAA"), m_key);
        QCOMPARE(page.status, 400);
        QCOMPARE(page.json.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString(), QStringLiteral("bad_request"));
    }

    void nodeOverRedisUnixSocket()
    {
        // GIVEN a second node reaching the same Redis through its Unix socket ([redis] url =
        // unix://..., docs/running.md) while the first uses TCP
        if (!m_cluster->redis())
            QSKIP("a Redis Cluster is reached over TCP only");
        const int node = m_cluster->startNode(
            {{QStringLiteral("CONFAB_REDIS_URL"), QStringLiteral("unix://%1?db=0").arg(m_cluster->redis()->socketPath())}});
        QVERIFY(node > 0);
        const QString convo = m_cluster->createConversation(m_key, {QStringLiteral("alice"), QStringLiteral("bob")});
        WsClient alice, bob;
        QVERIFY(alice.connectAndAuth(m_cluster->ws(0), token(QStringLiteral("alice"))));
        QVERIFY(bob.connectAndAuth(m_cluster->ws(node), token(QStringLiteral("bob"))));
        const auto createdWith = [](const QString &cmid) {
            return [cmid](const QJsonObject &f) {
                return f.value(QLatin1String("message")).toObject().value(QLatin1String("client_msg_id")).toString() == cmid;
            };
        };
        // WHEN bob sends on the socket node THEN it is acked in order and alice, on the other, gets it
        const QJsonObject fromBob = bob.request(sendFrame(convo, QStringLiteral("s1"), text(QStringLiteral("socket"))));
        QCOMPARE(fromBob.value(QLatin1String("status")).toString(), QStringLiteral("ok"));
        QCOMPARE(fromBob.value(QLatin1String("seq_no")).toInt(), 1);
        QVERIFY(!alice.waitFor(QStringLiteral("message.create"), createdWith(QStringLiteral("s1"))).isEmpty());
        // AND the other way round: its pub/sub comes over the socket too
        const QJsonObject fromAlice = alice.request(sendFrame(convo, QStringLiteral("t1"), text(QStringLiteral("tcp"))));
        QCOMPARE(fromAlice.value(QLatin1String("seq_no")).toInt(), 2);
        const QJsonObject got = bob.waitFor(QStringLiteral("message.create"), createdWith(QStringLiteral("t1")));
        QCOMPARE(got.value(QLatin1String("message")).toObject().value(QLatin1String("seq_no")).toInt(), 2);
        QVERIFY2(m_cluster->node(node).output().contains("unix:"), m_cluster->node(node).output().constData());
    }
};

QTEST_MAIN(TestMessaging)
#include "tst_messaging.moc"

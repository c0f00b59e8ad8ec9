// Issue 11, items 3 and 4 (docs/security.md, "Validation and existence"): every bad input is a
// 4xx with an accurate code, duplicate keys and numbers no reader holds are refused the same
// way on REST, the client WebSocket and the admin WebSocket, and a caller who may not see a
// conversation cannot tell it from a missing one.
#include "harness.h"

#include <QTcpSocket>
#include <QTest>

using namespace confab::test;

namespace {

QJsonObject frame(std::initializer_list<QPair<QString, QJsonValue>> fields)
{
    QJsonObject o;
    for (const auto &f : fields)
        o.insert(f.first, f.second);
    return o;
}

QString range()
{
    return QStringLiteral("(integers must fit in 64 bits, decimals in a double)");
}

// An error frame without its req, to compare the answers to two requests.
QJsonObject withoutReq(QJsonObject o)
{
    o.remove(QStringLiteral("req"));
    return o;
}

} // namespace

class TestValidation : public QObject
{
    Q_OBJECT

    std::unique_ptr<Cluster> m_cluster;
    QByteArray m_key;
    QString m_convo; // members u1, u2
    QByteArray m_outsider; // token of u3, in no conversation

    QString url(const QString &path) const { return m_cluster->api() + path; }

    void expectError(const HttpResult &r, int status, const QString &code, const QString &message)
    {
        const QJsonObject e = r.json.value(QLatin1String("error")).toObject();
        QVERIFY2(r.status == status, r.body.constData());
        QCOMPARE(e.value(QLatin1String("code")).toString(), code);
        QCOMPARE(e.value(QLatin1String("message")).toString(), message);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_cluster = std::make_unique<Cluster>();
        QVERIFY(m_cluster->startNode() == 0);
        const auto app = m_cluster->createApp(QJsonObject{
            {QStringLiteral("limits"), QJsonObject{{QStringLiteral("conns_per_user_per_10s"), 0}, {QStringLiteral("user_msgs_per_min"), 0}}}});
        m_key = app.second;
        m_convo = m_cluster->createConversation(m_key, {QStringLiteral("u1"), QStringLiteral("u2")});
        m_outsider = m_cluster->userToken(m_key, QStringLiteral("u3"));
        QVERIFY(!m_outsider.isEmpty());
    }

    void duplicateKeysRefusedEverywhere()
    {
        // REST, any body
        expectError(m_cluster->rest.call("POST", url(QStringLiteral("/v1/conversations")), m_key,
                                         QByteArray(R"({"kind":"group","members":["u1"],"kind":"direct"})")),
                    400, QStringLiteral("bad_request"), QStringLiteral("duplicate key 'kind'"));
        expectError(m_cluster->rest.call("POST", url(QStringLiteral("/v1/conversations/%1/messages").arg(m_convo)), m_key,
                                         QByteArray(R"({"client_msg_id":"d1","sender_id":"u1","sender_id":"u2","content":1})")),
                    400, QStringLiteral("bad_request"), QStringLiteral("duplicate key 'sender_id'"));
        // the admin API's bodies too
        const HttpResult admin = m_cluster->rest.call("POST", m_cluster->admin() + QStringLiteral("/admin/apps"), Cluster::kAdminToken,
                                                      QByteArray(R"({"name":"a","name":"b"})"));
        expectError(admin, 400, QStringLiteral("bad_request"), QStringLiteral("duplicate key 'name'"));

        // the client WebSocket: an error frame with the req, the socket stays open
        WsClient user;
        QVERIFY(user.connectAndAuth(m_cluster->ws(), m_cluster->userToken(m_key, QStringLiteral("u1"))));
        user.sendRaw(QStringLiteral(R"({"type":"sync","req":"d2","convo_id":"%1","convo_id":"other","after_seq":0})").arg(m_convo));
        const QJsonObject e = user.waitFor(QStringLiteral("error"));
        QCOMPARE(e.value(QLatin1String("req")).toString(), QStringLiteral("d2"));
        QCOMPARE(e.value(QLatin1String("code")).toString(), QStringLiteral("bad_request"));
        QCOMPARE(e.value(QLatin1String("message")).toString(), QStringLiteral("duplicate key 'convo_id'"));
        QVERIFY(user.isOpen());

        // the admin WebSocket
        WsClient op;
        QVERIFY(op.open(m_cluster->admin().replace(QStringLiteral("http://"), QStringLiteral("ws://")) + QStringLiteral("/admin/ws"),
                        Cluster::kAdminToken));
        QVERIFY(!op.waitFor(QStringLiteral("connection.ack")).isEmpty());
        op.sendRaw(QStringLiteral(R"({"type":"dead_letters.list","req":"d3","limit":1,"limit":2})"));
        const QJsonObject ae = op.waitFor(QStringLiteral("error"));
        QCOMPARE(ae.value(QLatin1String("req")).toString(), QStringLiteral("d3"));
        QCOMPARE(ae.value(QLatin1String("code")).toString(), QStringLiteral("bad_request"));
        QCOMPARE(ae.value(QLatin1String("message")).toString(), QStringLiteral("duplicate key 'limit'"));
        QVERIFY(op.isOpen());
    }

    void numbersOutOfRangeNameTheField()
    {
        expectError(m_cluster->rest.call("POST", url(QStringLiteral("/v1/auth/token")), m_key,
                                         QByteArray(R"({"user_id":"u1","ttl_s":18446744073709551616})")),
                    400, QStringLiteral("bad_request"), QStringLiteral("field 'ttl_s' holds a number out of range %1").arg(range()));
        expectError(m_cluster->rest.call("POST", url(QStringLiteral("/v1/auth/token")), m_key,
                                         QByteArray(R"({"user_id":"u1","ttl_s":60.5})")),
                    400, QStringLiteral("bad_request"), QStringLiteral("'ttl_s' must be an integer 1..2592000"));
        expectError(m_cluster->rest.call("POST", url(QStringLiteral("/v1/conversations/%1/messages").arg(m_convo)), m_key,
                                         QByteArray(R"({"client_msg_id":"n1","sender_id":"u1","content":{"n":99999999999999999999999}})")),
                    400, QStringLiteral("bad_request"), QStringLiteral("field 'n' holds a number out of range %1").arg(range()));
        expectError(m_cluster->rest.call("POST", url(QStringLiteral("/v1/attachments")), m_key,
                                         QByteArray(R"({"convo_id":"c","filename":"f","content_type":"text/plain","size":1e400})")),
                    400, QStringLiteral("bad_request"), QStringLiteral("field 'size' holds a number out of range %1").arg(range()));

        // numbers a double holds but an integer field cannot: a 400 naming the field, never a
        // conversion out of range
        expectError(m_cluster->rest.call("POST", url(QStringLiteral("/v1/attachments")), m_key,
                                         QByteArray(R"({"convo_id":"c","filename":"f","content_type":"text/plain","size":1e300})")),
                    400, QStringLiteral("bad_request"), QStringLiteral("'size' must be a non-negative integer"));
        expectError(m_cluster->rest.call("POST", url(QStringLiteral("/v1/attachments")), m_key,
                                         QByteArray(R"({"convo_id":"c","filename":"f","content_type":"text/plain","size":2.5})")),
                    400, QStringLiteral("bad_request"), QStringLiteral("'size' must be a non-negative integer"));
        expectError(m_cluster->rest.call("POST", m_cluster->admin() + QStringLiteral("/admin/apps"), Cluster::kAdminToken,
                                         QByteArray(R"({"name":"n","limits":{"user_msgs_per_min":1e300}})")),
                    400, QStringLiteral("bad_request"), QStringLiteral("limit 'user_msgs_per_min' must be a non-negative integer"));

        WsClient user;
        QVERIFY(user.connectAndAuth(m_cluster->ws(), m_cluster->userToken(m_key, QStringLiteral("u1"))));
        user.sendRaw(QStringLiteral(R"({"type":"sync","req":"n2","convo_id":"%1","after_seq":18446744073709551616})").arg(m_convo));
        const QJsonObject e = user.waitFor(QStringLiteral("error"));
        QCOMPARE(e.value(QLatin1String("req")).toString(), QStringLiteral("n2"));
        QCOMPARE(e.value(QLatin1String("code")).toString(), QStringLiteral("bad_request"));
        QCOMPARE(e.value(QLatin1String("message")).toString(), QStringLiteral("field 'after_seq' holds a number out of range %1").arg(range()));
        QVERIFY(user.isOpen());
    }

    void wrongMethodIs405MethodNotAllowed()
    {
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, m_cluster->node().publicPort());
        QVERIFY(s.waitForConnected(5000));
        s.write("PUT /v1/conversations HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");
        QByteArray in;
        QTRY_VERIFY_WITH_TIMEOUT((in += s.readAll()).contains("}}"), 5000);
        QVERIFY2(in.startsWith("HTTP/1.1 405 "), in.constData());
        QVERIFY2(in.contains("\r\nAllow: POST, GET\r\n"), in.constData());
        QVERIFY2(in.contains(R"({"error":{"code":"method_not_allowed","message":"method PUT is not allowed on /v1/conversations"}})"),
                 in.constData());
    }

    void restNonMemberLooksLikeMissing_data()
    {
        QTest::addColumn<QByteArray>("verb");
        QTest::addColumn<QString>("path"); // %1: the conversation id
        QTest::addColumn<QByteArray>("body");
        QTest::addRow("read conversation") << QByteArray("GET") << QStringLiteral("/v1/conversations/%1") << QByteArray();
        QTest::addRow("list messages") << QByteArray("GET") << QStringLiteral("/v1/conversations/%1/messages?limit=5") << QByteArray();
        QTest::addRow("send") << QByteArray("POST") << QStringLiteral("/v1/conversations/%1/messages")
                              << QByteArray(R"({"client_msg_id":"x","content":1})");
        QTest::addRow("add member") << QByteArray("POST") << QStringLiteral("/v1/conversations/%1/members")
                                    << QByteArray(R"({"user_id":"u3"})");
        QTest::addRow("remove member") << QByteArray("DELETE") << QStringLiteral("/v1/conversations/%1/members/u1") << QByteArray();
        QTest::addRow("attachment") << QByteArray("POST") << QStringLiteral("/v1/attachments")
                                    << QByteArray(R"({"convo_id":"%1","filename":"a.txt","content_type":"text/plain","size":3})");
    }
    void restNonMemberLooksLikeMissing()
    {
        // GIVEN u3, a member of nothing, WHEN it uses a real conversation and a missing one,
        // THEN both answers are byte for byte the same (status, code, message)
        QFETCH(QByteArray, verb);
        QFETCH(QString, path);
        QFETCH(QByteArray, body);
        auto ask = [&](const QString &id) {
            return m_cluster->rest.call(verb, url(path.arg(id)), m_outsider, QString::fromUtf8(body).arg(id).toUtf8());
        };
        const HttpResult real = ask(m_convo);
        const HttpResult missing = ask(QStringLiteral("c_missing"));
        QVERIFY2(real.status >= 400 && real.status < 500, real.body.constData());
        QCOMPARE(real.status, missing.status);
        QCOMPARE(real.body, missing.body);
        QVERIFY2(!missing.body.contains("app_"), missing.body.constData());
    }

    void apiKeyMissingConversationIsNotFoundEverywhere()
    {
        // REST with the key: not_found, naming no app
        const HttpResult get = m_cluster->rest.call("GET", url(QStringLiteral("/v1/conversations/c_missing")), m_key);
        expectError(get, 404, QStringLiteral("not_found"), QStringLiteral("no such conversation"));
        const HttpResult post = m_cluster->rest.call("POST", url(QStringLiteral("/v1/conversations/c_missing/messages")), m_key,
                                                     QByteArray(R"({"client_msg_id":"x","sender_id":"u1","content":1})"));
        expectError(post, 404, QStringLiteral("not_found"), QStringLiteral("no such conversation"));

        // the key's WebSocket session answers the same for a send and a sync
        WsClient app;
        QVERIFY(app.connectAndAuth(m_cluster->ws(), m_key));
        const QJsonObject send = app.request(frame({{QStringLiteral("type"), QStringLiteral("message.send")},
                                                    {QStringLiteral("convo_id"), QStringLiteral("c_missing")},
                                                    {QStringLiteral("client_msg_id"), QStringLiteral("x")},
                                                    {QStringLiteral("sender_id"), QStringLiteral("u1")},
                                                    {QStringLiteral("content"), 1}}));
        QCOMPARE(send.value(QLatin1String("type")).toString(), QStringLiteral("error"));
        QCOMPARE(send.value(QLatin1String("code")).toString(), QStringLiteral("not_found"));
        QCOMPARE(send.value(QLatin1String("message")).toString(), QStringLiteral("no such conversation"));
        const QJsonObject sync = app.request(frame({{QStringLiteral("type"), QStringLiteral("sync")},
                                                    {QStringLiteral("convo_id"), QStringLiteral("c_missing")},
                                                    {QStringLiteral("after_seq"), 0}}));
        QCOMPARE(withoutReq(sync), withoutReq(send));
        // a sender who is not a member of a real conversation: not_member, on both
        const QJsonObject notMember = app.request(frame({{QStringLiteral("type"), QStringLiteral("message.send")},
                                                         {QStringLiteral("convo_id"), m_convo},
                                                         {QStringLiteral("client_msg_id"), QStringLiteral("x")},
                                                         {QStringLiteral("sender_id"), QStringLiteral("u3")},
                                                         {QStringLiteral("content"), 1}}));
        QCOMPARE(notMember.value(QLatin1String("code")).toString(), QStringLiteral("not_member"));
        const HttpResult restNotMember = m_cluster->rest.call(
            "POST", url(QStringLiteral("/v1/conversations/%1/messages").arg(m_convo)), m_key,
            QByteArray(R"({"client_msg_id":"x","sender_id":"u3","content":1})"));
        expectError(restNotMember, 403, QStringLiteral("not_member"), notMember.value(QLatin1String("message")).toString());
    }

    void wsNonMemberLooksLikeMissing()
    {
        WsClient outsider;
        QVERIFY(outsider.connectAndAuth(m_cluster->ws(), m_outsider));
        const QList<QJsonObject> frames{
            frame({{QStringLiteral("type"), QStringLiteral("message.send")}, {QStringLiteral("client_msg_id"), QStringLiteral("x")},
                   {QStringLiteral("content"), 1}}),
            frame({{QStringLiteral("type"), QStringLiteral("sync")}, {QStringLiteral("after_seq"), 0}}),
            frame({{QStringLiteral("type"), QStringLiteral("message.read")}, {QStringLiteral("seq_no"), 1}}),
            frame({{QStringLiteral("type"), QStringLiteral("typing.start")}}),
        };
        for (QJsonObject f : frames) {
            f.insert(QStringLiteral("convo_id"), m_convo);
            const QJsonObject real = outsider.request(f);
            f.insert(QStringLiteral("convo_id"), QStringLiteral("c_missing"));
            const QJsonObject missing = outsider.request(f);
            QCOMPARE(real.value(QLatin1String("type")).toString(), QStringLiteral("error"));
            QCOMPARE(withoutReq(real), withoutReq(missing));
        }
        QVERIFY(outsider.isOpen());
    }

    void takenIdSaysOnlyThatItIsTaken()
    {
        // GIVEN u3 picks the id of a conversation it is not in, and u1 the id of its own
        // conversation with other members, THEN both hear the same: the id is not available
        const QByteArray asOutsider = QStringLiteral(R"({"id":"%1","kind":"group","members":["u3","u9"]})").arg(m_convo).toUtf8();
        const HttpResult outsider = m_cluster->rest.call("POST", url(QStringLiteral("/v1/conversations")), m_outsider, asOutsider);
        expectError(outsider, 409, QStringLiteral("conflict"), QStringLiteral("the conversation id '%1' is not available").arg(m_convo));
        const QByteArray asMember = QStringLiteral(R"({"id":"%1","kind":"group","members":["u1","u9"]})").arg(m_convo).toUtf8();
        const HttpResult member = m_cluster->rest.call("POST", url(QStringLiteral("/v1/conversations")),
                                                       m_cluster->userToken(m_key, QStringLiteral("u1")), asMember);
        QCOMPARE(member.status, outsider.status);
        QCOMPARE(member.body, outsider.body);
    }
};

QTEST_MAIN(TestValidation)
#include "tst_validation.moc"

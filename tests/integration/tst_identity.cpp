// Issue 11, finding 1: no one can act as someone else through a lossy text conversion. Every
// entry point refuses an id or string that has no exact UTF-8 form (an unpaired surrogate) or
// cannot be stored (NUL) with 400, instead of storing "bob\udc00" as the existing user "bob?".
#include "harness.h"

#include <QTest>

using namespace confab::test;

namespace {

QString errorCode(const HttpResult &r)
{
    return r.json.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString();
}

} // namespace

class TestIdentity : public QObject
{
    Q_OBJECT

    std::unique_ptr<Cluster> m_cluster;
    QString m_appId;
    QByteArray m_key;
    QString m_group;

    HttpResult post(const QString &path, const QByteArray &body, const QByteArray &token = {})
    {
        return m_cluster->rest.call("POST", m_cluster->api() + path, token.isEmpty() ? m_key : token, body);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_cluster = std::make_unique<Cluster>();
        QVERIFY(m_cluster->startNode() == 0);
        const auto app = m_cluster->createApp(QJsonObject{
            {QStringLiteral("limits"), QJsonObject{{QStringLiteral("conns_per_user_per_10s"), 0}}}});
        m_appId = app.first;
        m_key = app.second;
        // GIVEN a group whose member is literally "bob?"
        const HttpResult g = post(QStringLiteral("/v1/conversations"),
                                  R"({"kind":"group","members":["bob?","carol"],"title":"secret"})");
        QCOMPARE(g.status, 201);
        m_group = g.json.value(QLatin1String("id")).toString();
    }

    // The probe: a token for "bob\udc00" was a token for "bob?".
    void restEntryPointsRefuseLossyText_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addRow("token for bob\\udc00") << QStringLiteral("/v1/auth/token") << QByteArray(R"({"user_id":"bob\udc00"})");
        QTest::addRow("token for lone high") << QStringLiteral("/v1/auth/token") << QByteArray(R"({"user_id":"\ud800"})");
        QTest::addRow("token with NUL") << QStringLiteral("/v1/auth/token") << QByteArray(R"({"user_id":"bob\u0000"})");
        QTest::addRow("member surrogate") << QStringLiteral("/v1/conversations") << QByteArray(R"({"kind":"group","members":["\ud800","carol"]})");
        QTest::addRow("member NUL") << QStringLiteral("/v1/conversations") << QByteArray(R"({"kind":"group","members":["a\u0000b"]})");
        QTest::addRow("title surrogate") << QStringLiteral("/v1/conversations") << QByteArray(R"({"kind":"group","members":["carol"],"title":"x\udfff"})");
        QTest::addRow("title NUL") << QStringLiteral("/v1/conversations") << QByteArray(R"({"kind":"group","members":["carol"],"title":"a\u0000b"})");
        QTest::addRow("owner surrogate") << QStringLiteral("/v1/conversations") << QByteArray(R"({"kind":"group","members":["carol"],"owner_id":"carol\udc00"})");
        QTest::addRow("add member surrogate") << QStringLiteral("/v1/conversations/%1/members") << QByteArray(R"({"user_id":"\ud800"})");
        QTest::addRow("add member bob\\udc00") << QStringLiteral("/v1/conversations/%1/members") << QByteArray(R"({"user_id":"bob\udc00"})");
        QTest::addRow("sender surrogate") << QStringLiteral("/v1/conversations/%1/messages") << QByteArray(R"({"client_msg_id":"m1","sender_id":"bob\udc00","content":1})");
        QTest::addRow("content surrogate") << QStringLiteral("/v1/conversations/%1/messages") << QByteArray(R"({"client_msg_id":"m2","sender_id":"carol","content":{"t":"\udc00"}})");
        QTest::addRow("key with surrogate") << QStringLiteral("/v1/conversations/%1/messages") << QByteArray(R"({"client_msg_id":"m3","sender_id":"carol","content":1,"x\ud800":1})");
        QTest::addRow("malformed UTF-8") << QStringLiteral("/v1/auth/token") << QByteArray("{\"user_id\":\"bob\xed\xb0\x80\"}");
    }
    void restEntryPointsRefuseLossyText()
    {
        QFETCH(QString, path);
        QFETCH(QByteArray, body);
        const HttpResult r = post(path.contains(QLatin1String("%1")) ? path.arg(m_group) : path, body);
        QCOMPARE(r.status, 400);
        QCOMPARE(errorCode(r), QStringLiteral("bad_request"));
    }

    void nulInsideContentIsKept()
    {
        // NUL is data inside a message's content (JSON round-trips it); only ids and stored
        // text refuse it.
        const HttpResult r = post(QStringLiteral("/v1/conversations/%1/messages").arg(m_group),
                                  R"({"client_msg_id":"nul","sender_id":"carol","content":{"t":"a\u0000b"}})");
        QCOMPARE(r.status, 201);
        const HttpResult h = m_cluster->rest.call("GET", m_cluster->api() + QStringLiteral("/v1/conversations/%1/messages").arg(m_group), m_key);
        QCOMPARE(h.status, 200);
        const QJsonArray msgs = h.json.value(QLatin1String("messages")).toArray();
        QCOMPARE(msgs.last().toObject().value(QLatin1String("content")).toObject().value(QLatin1String("t")).toString(),
                 QStringLiteral("a") + QChar(0) + QStringLiteral("b"));
    }

    void adminEntryPointsRefuseLossyText_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addRow("app name NUL") << QStringLiteral("/admin/apps") << QByteArray(R"({"name":"a\u0000b"})");
        QTest::addRow("app name surrogate") << QStringLiteral("/admin/apps") << QByteArray(R"({"name":"a\ud800"})");
        QTest::addRow("key label NUL") << QStringLiteral("/admin/apps/%1/keys") << QByteArray(R"({"label":"a\u0000b"})");
    }
    void adminEntryPointsRefuseLossyText()
    {
        QFETCH(QString, path);
        QFETCH(QByteArray, body);
        const HttpResult r = m_cluster->rest.call(
            "POST", m_cluster->admin() + (path.contains(QLatin1String("%1")) ? path.arg(m_appId) : path),
            Cluster::kAdminToken, body);
        QCOMPARE(r.status, 400);
        QCOMPARE(errorCode(r), QStringLiteral("bad_request"));
    }

    void pathSegmentsThatAreNotText()
    {
        // A NUL or malformed UTF-8 in a path parameter names nothing (it used to be a 500).
        const HttpResult dl = m_cluster->rest.call("POST", m_cluster->admin() + QStringLiteral("/admin/dead-letters/%00/retry"),
                                                   Cluster::kAdminToken, QByteArray());
        QCOMPARE(dl.status, 404);
        const HttpResult rm = m_cluster->rest.call(
            "DELETE", m_cluster->api() + QStringLiteral("/v1/conversations/%1/members/bob%ED%B0%80").arg(m_group), m_key);
        QCOMPARE(rm.status, 404);
        // "bob?" is still a member: nothing reached it.
        const HttpResult g = m_cluster->rest.call("GET", m_cluster->api() + QStringLiteral("/v1/conversations/%1").arg(m_group), m_key);
        QVERIFY(g.json.value(QLatin1String("members")).toArray().contains(QStringLiteral("bob?")));
    }

    void bobQuestionMarkIsHisOwnUser()
    {
        // The real "bob?" still works, and a token for him sees the group.
        const QByteArray token = m_cluster->userToken(m_key, QStringLiteral("bob?"));
        QVERIFY(!token.isEmpty());
        const HttpResult r = m_cluster->rest.call("GET", m_cluster->api() + QStringLiteral("/v1/conversations"), token);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QLatin1String("conversations")).toArray().size(), 1);
    }

    void webSocketFramesWithLoneSurrogates()
    {
        // An unpaired surrogate escape is not I-JSON (RFC 7493): the frame is not JSON, 4000.
        const QByteArray token = m_cluster->userToken(m_key, QStringLiteral("carol"));
        WsClient c;
        QVERIFY(c.connectAndAuth(m_cluster->ws(), token));
        c.sendRaw(QStringLiteral(R"({"type":"message.send","req":"1","convo_id":"%1","client_msg_id":"w1","content":"\udc00"})").arg(m_group));
        QVERIFY(c.waitClosed());
        QCOMPARE(c.closeCode(), 4000);
        // An API-key session naming sender "bob\udc00": the same.
        WsClient k;
        QVERIFY(k.connectAndAuth(m_cluster->ws(), m_key));
        k.sendRaw(QStringLiteral(R"({"type":"message.send","req":"1","convo_id":"%1","client_msg_id":"w2","sender_id":"bob\udc00","content":1})").arg(m_group));
        QVERIFY(k.waitClosed());
        QCOMPARE(k.closeCode(), 4000);
        // Nothing was stored as "bob?".
        const HttpResult h = m_cluster->rest.call("GET", m_cluster->api() + QStringLiteral("/v1/conversations/%1/messages").arg(m_group), m_key);
        for (const QJsonValue &m : h.json.value(QLatin1String("messages")).toArray())
            QVERIFY(m.toObject().value(QLatin1String("sender_id")).toString() != QStringLiteral("bob?"));
    }
};

QTEST_MAIN(TestIdentity)
#include "tst_identity.moc"

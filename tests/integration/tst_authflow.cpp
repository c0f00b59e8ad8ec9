// Authentication rules of PROTOCOL.md section 2 end to end: OIDC tokens against a local
// provider with keys the test generates, Confab-minted tokens, API keys, admin token.
#include "auth/oidcprovider.h"

#include <QElapsedTimer>
#include "harness.h"

#include <QDateTime>
#include <QTest>

using namespace confab::test;

class TestAuthFlow : public QObject
{
    Q_OBJECT

    std::unique_ptr<Cluster> m_cluster;
    OidcProvider m_idp;
    QString m_appId;
    QByteArray m_key;
    QString m_rsaKid;
    QString m_ecKid;

    QJsonObject claims(const QString &sub, qint64 expOffsetS = 3600)
    {
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        return QJsonObject{{QStringLiteral("iss"), m_idp.issuer()}, {QStringLiteral("aud"), QStringLiteral("web")},
                           {QStringLiteral("sub"), sub}, {QStringLiteral("iat"), now}, {QStringLiteral("exp"), now + expOffsetS}};
    }

    int wsCloseCode(const QByteArray &token)
    {
        WsClient c;
        if (!c.open(m_cluster->ws(), token))
            return -2;
        if (!c.waitFor(QStringLiteral("connection.ack"), {}, 5000).isEmpty())
            return 0;
        c.waitClosed();
        return c.closeCode();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_idp.start());
        m_rsaKid = m_idp.addRsaKey();
        m_ecKid = m_idp.addEcKey();
        m_cluster = std::make_unique<Cluster>();
        QVERIFY(m_cluster->startNode() == 0);
        const auto app = m_cluster->createApp(QJsonObject{{QStringLiteral("oidc_issuer"), m_idp.issuer()},
                                                          {QStringLiteral("oidc_audience"), QStringLiteral("web")},
                                                          {QStringLiteral("limits"), QJsonObject{{QStringLiteral("conns_per_user_per_10s"), 0}}}});
        m_appId = app.first;
        m_key = app.second;
        QVERIFY(!m_key.isEmpty());
    }

    void oidcTokens()
    {
        QCOMPARE(wsCloseCode(m_idp.sign(m_rsaKid, claims(QStringLiteral("kc-user")))), 0);
        // azp instead of aud
        QJsonObject azp = claims(QStringLiteral("kc-user"));
        azp.insert(QStringLiteral("aud"), QStringLiteral("account"));
        azp.insert(QStringLiteral("azp"), QStringLiteral("web"));
        QCOMPARE(wsCloseCode(m_idp.sign(m_rsaKid, azp)), 0);
        QCOMPARE(wsCloseCode(m_idp.sign(m_ecKid, claims(QStringLiteral("kc-ec")))), 0);
    }

    void refusedTokens_data()
    {
        QTest::addColumn<QString>("what");
        QTest::addRow("expired") << QStringLiteral("expired");
        QTest::addRow("wrong issuer") << QStringLiteral("issuer");
        QTest::addRow("wrong audience") << QStringLiteral("audience");
        QTest::addRow("bad signature") << QStringLiteral("signature");
        QTest::addRow("garbage") << QStringLiteral("garbage");
        // "oidc-bob\ud800" used to become the user "oidc-bob?" (issue 11): refused instead.
        QTest::addRow("unpaired surrogate in sub") << QStringLiteral("surrogate");
        QTest::addRow("NUL in sub") << QStringLiteral("nul");
    }
    void refusedTokens()
    {
        QFETCH(QString, what);
        QJsonObject c = claims(QStringLiteral("kc-user"), what == QLatin1String("expired") ? -120 : 3600);
        if (what == QLatin1String("issuer"))
            c.insert(QStringLiteral("iss"), QStringLiteral("http://127.0.0.1:1/other"));
        if (what == QLatin1String("audience"))
            c.insert(QStringLiteral("aud"), QStringLiteral("someone-else"));
        if (what == QLatin1String("surrogate"))
            c.insert(QStringLiteral("sub"), QStringLiteral("oidc-bob") + QChar(0xd800));
        if (what == QLatin1String("nul"))
            c.insert(QStringLiteral("sub"), QStringLiteral("oidc-bob") + QChar(0));
        QByteArray token = m_idp.sign(m_rsaKid, c);
        if (what == QLatin1String("signature"))
            token[token.size() - 5] = token[token.size() - 5] == 'A' ? 'B' : 'A';
        if (what == QLatin1String("garbage"))
            token = "not.a.jwt";
        QCOMPARE(wsCloseCode(token), 4001);
        const HttpResult r = m_cluster->rest.call("GET", m_cluster->api() + QStringLiteral("/v1/conversations"), token);
        QCOMPARE(r.status, 401);
        QCOMPARE(r.json.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString(), QStringLiteral("unauthorized"));
    }

    void rotatedKeyAtTheProvider()
    {
        // A key the server has never seen: a JWKS refetch (at most one per issuer every 10 s)
        // finds it within seconds.
        const QString fresh = m_idp.addRsaKey();
        QTRY_COMPARE_WITH_TIMEOUT(wsCloseCode(m_idp.sign(fresh, claims(QStringLiteral("rotated")))), 0, 15000);
        // A key removed at the provider and never seen by the server is refused, also after the
        // refetch the unknown kid causes once the rate-limit window has passed.
        const QString gone = m_idp.addRsaKey();
        const QByteArray orphan = m_idp.sign(gone, claims(QStringLiteral("x")));
        m_idp.removeKey(gone);
        const int fetchesBefore = m_idp.jwksRequests();
        QTRY_VERIFY_WITH_TIMEOUT(wsCloseCode(orphan) == 4001 && m_idp.jwksRequests() > fetchesBefore, 15000);
    }

    void authFrameAndQuery()
    {
        const QByteArray minted = m_cluster->userToken(m_key, QStringLiteral("minted"));
        QVERIFY(!minted.isEmpty());
        // ?access_token=
        WsClient q;
        QVERIFY(q.open(m_cluster->ws() + QStringLiteral("?access_token=") + QString::fromUtf8(minted)));
        QCOMPARE(q.waitFor(QStringLiteral("connection.ack")).value(QLatin1String("user_id")).toString(), QStringLiteral("minted"));
        // first frame
        WsClient f;
        QVERIFY(f.open(m_cluster->ws()));
        f.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("auth")}, {QStringLiteral("token"), QString::fromUtf8(minted)}});
        const QJsonObject ack = f.waitFor(QStringLiteral("connection.ack"));
        QCOMPARE(ack.value(QLatin1String("app_id")).toString(), m_appId);
        QCOMPARE(ack.value(QLatin1String("node_id")).toString(), QStringLiteral("node1"));
        QVERIFY(ack.value(QLatin1String("heartbeat_ms")).toInt() > 0);
        QVERIFY(!ack.value(QLatin1String("session_id")).toString().isEmpty());
        // any other frame first
        WsClient early;
        QVERIFY(early.open(m_cluster->ws()));
        early.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("ping")}});
        QVERIFY(early.waitClosed());
        QCOMPARE(early.closeCode(), 4001);
    }

    void noAuthFrameWithinTenSeconds()
    {
        WsClient idle;
        QVERIFY(idle.open(m_cluster->ws()));
        QVERIFY(idle.waitClosed(14000));
        QCOMPARE(idle.closeCode(), 4001);
    }

    void apiKeysRotateAndRevoke()
    {
        const QString keys = m_cluster->admin() + QStringLiteral("/admin/apps/%1/keys").arg(m_appId);
        const HttpResult created = m_cluster->rest.call("POST", keys, Cluster::kAdminToken, QJsonObject{{QStringLiteral("label"), QStringLiteral("k2")}});
        QCOMPARE(created.status, 201);
        const QByteArray oldKey = created.json.value(QLatin1String("api_key")).toString().toUtf8();
        const QString oldId = created.json.value(QLatin1String("key_id")).toString();
        const QString list = m_cluster->api() + QStringLiteral("/v1/conversations");
        QCOMPARE(m_cluster->rest.call("GET", list, oldKey).status, 200);
        // A wrong secret with a real key id is refused.
        QByteArray forged = oldKey;
        forged[forged.size() - 2] = forged[forged.size() - 2] == 'a' ? 'b' : 'a';
        QCOMPARE(m_cluster->rest.call("GET", list, forged).status, 401);

        const HttpResult rotated = m_cluster->rest.call("POST", keys + QLatin1Char('/') + oldId + QStringLiteral("/rotate"),
                                                        Cluster::kAdminToken, QJsonObject{{QStringLiteral("grace_s"), 2}});
        QCOMPARE(rotated.status, 201);
        const QByteArray newKey = rotated.json.value(QLatin1String("api_key")).toString().toUtf8();
        QCOMPARE(m_cluster->rest.call("GET", list, oldKey).status, 200);   // within grace
        QCOMPARE(m_cluster->rest.call("GET", list, newKey).status, 200);
        QTRY_COMPARE_WITH_TIMEOUT(m_cluster->rest.call("GET", list, oldKey).status, 401, 6000);

        const QString newId = rotated.json.value(QLatin1String("key_id")).toString();
        QCOMPARE(m_cluster->rest.call("DELETE", keys + QLatin1Char('/') + newId, Cluster::kAdminToken).status, 204);
        QCOMPARE(m_cluster->rest.call("GET", list, newKey).status, 401);
        QCOMPARE(m_cluster->rest.call("DELETE", keys + QLatin1Char('/') + newId + QStringLiteral("x"), Cluster::kAdminToken).status, 404);
    }

    // Issue 11, finding 2: sessions end when their credential does.
    void sessionClosesAtTokenExpiry()
    {
        const QByteArray shortLived = m_cluster->userToken(m_key, QStringLiteral("brief"), 2);
        WsClient c;
        QVERIFY(c.connectAndAuth(m_cluster->ws(), shortLived));
        QVERIFY(c.waitClosed(6000));
        QCOMPARE(c.closeCode(), 4001);
    }

    void authRefreshExtendsTheSession()
    {
        WsClient c;
        QVERIFY(c.connectAndAuth(m_cluster->ws(), m_cluster->userToken(m_key, QStringLiteral("renewer"), 2)));
        // Another user's token does not extend this session.
        const QJsonObject wrong = c.request(QJsonObject{{QStringLiteral("type"), QStringLiteral("auth.refresh")},
                                                        {QStringLiteral("token"), QString::fromUtf8(m_cluster->userToken(m_key, QStringLiteral("someone"), 60))}});
        QCOMPARE(wrong.value(QLatin1String("type")).toString(), QStringLiteral("error"));
        QCOMPARE(wrong.value(QLatin1String("code")).toString(), QStringLiteral("forbidden"));
        const QJsonObject ok = c.request(QJsonObject{{QStringLiteral("type"), QStringLiteral("auth.refresh")},
                                                     {QStringLiteral("token"), QString::fromUtf8(m_cluster->userToken(m_key, QStringLiteral("renewer"), 60))}});
        QCOMPARE(ok.value(QLatin1String("type")).toString(), QStringLiteral("auth.refreshed"));
        QVERIFY(ok.value(QLatin1String("expires_ms")).toDouble() > QDateTime::currentMSecsSinceEpoch() + 50000);
        QVERIFY(!c.waitClosed(3500)); // past the first token's exp
        QVERIFY(c.isOpen());
    }

    void keySessionsEndWithTheKeyOnEveryNode()
    {
        // GIVEN two nodes and API-key sessions on the second
        const int second = m_cluster->startNode();
        const QString keys = m_cluster->admin() + QStringLiteral("/admin/apps/%1/keys").arg(m_appId);
        auto issue = [&] {
            const HttpResult k = m_cluster->rest.call("POST", keys, Cluster::kAdminToken, QJsonObject{{QStringLiteral("label"), QStringLiteral("ws")}});
            return qMakePair(k.json.value(QLatin1String("key_id")).toString(), k.json.value(QLatin1String("api_key")).toString().toUtf8());
        };
        const auto revoked = issue();
        const auto rotated = issue();
        WsClient a, b;
        QVERIFY(a.connectAndAuth(m_cluster->ws(second), revoked.second));
        QVERIFY(b.connectAndAuth(m_cluster->ws(second), rotated.second));
        // WHEN one key is revoked and the other rotated with a 1 s grace, through the first node
        QElapsedTimer clock;
        clock.start();
        QCOMPARE(m_cluster->rest.call("DELETE", keys + QLatin1Char('/') + revoked.first, Cluster::kAdminToken).status, 204);
        QCOMPARE(m_cluster->rest.call("POST", keys + QLatin1Char('/') + rotated.first + QStringLiteral("/rotate"), Cluster::kAdminToken,
                                      QJsonObject{{QStringLiteral("grace_s"), 1}}).status, 201);
        // THEN the revoked key's session closes within a second, the rotated one when its grace ends
        QVERIFY(a.waitClosed(1500));
        QCOMPARE(a.closeCode(), 4001);
        QVERIFY(b.isOpen());
        QVERIFY(b.waitClosed(3000));
        QCOMPARE(b.closeCode(), 4001);
        QVERIFY2(clock.elapsed() >= 900, qPrintable(QString::number(clock.elapsed())));
    }

    void crossAppRefused()
    {
        const auto other = m_cluster->createApp(QJsonObject{{QStringLiteral("name"), QStringLiteral("other")}});
        const QString mine = m_cluster->createConversation(m_key, {QStringLiteral("a"), QStringLiteral("b")});
        QVERIFY(!mine.isEmpty());
        const HttpResult r = m_cluster->rest.call("GET", m_cluster->api() + QStringLiteral("/v1/conversations/%1").arg(mine), other.second);
        QCOMPARE(r.status, 404);
        const HttpResult post = m_cluster->rest.call("POST", m_cluster->api() + QStringLiteral("/v1/conversations/%1/messages").arg(mine), other.second,
                                                     QJsonObject{{QStringLiteral("client_msg_id"), QStringLiteral("x")}, {QStringLiteral("content"), 1},
                                                                 {QStringLiteral("sender_id"), QStringLiteral("a")}});
        QCOMPARE(post.status, 404);
        // A user token of the other app cannot see it either.
        const QByteArray otherUser = m_cluster->userToken(other.second, QStringLiteral("a"));
        QCOMPARE(m_cluster->rest.call("GET", m_cluster->api() + QStringLiteral("/v1/conversations/%1").arg(mine), otherUser).status, 404);
    }

    void adminToken()
    {
        QCOMPARE(m_cluster->rest.call("GET", m_cluster->admin() + QStringLiteral("/admin/apps"), "wrong").status, 401);
        QCOMPARE(m_cluster->rest.call("GET", m_cluster->admin() + QStringLiteral("/admin/apps"), {}).status, 401);
        QCOMPARE(m_cluster->rest.call("GET", m_cluster->admin() + QStringLiteral("/admin/apps"), Cluster::kAdminToken).status, 200);
        // The admin API is not on the public listener.
        QCOMPARE(m_cluster->rest.call("GET", m_cluster->api() + QStringLiteral("/admin/apps"), Cluster::kAdminToken).status, 404);
    }
};

QTEST_MAIN(TestAuthFlow)
#include "tst_authflow.moc"

// The admin additions for the console (docs/protocol.md, "Admin additions for the console"):
// GET /admin/apps/{app_id} with counts, GET /admin/apps/{app_id}/keys, DELETE
// /admin/apps/{app_id}, and the stats frame's per-app figures.
#include "harness.h"

#include <QDateTime>
#include <QTest>

using namespace confab::test;

class TestAdminApps : public QObject
{
    Q_OBJECT

    std::unique_ptr<Cluster> m_cluster;

    QString url(const QString &path) const { return m_cluster->admin() + path; }
    HttpResult admin(const QByteArray &verb, const QString &path, const QJsonObject &body = {})
    {
        return m_cluster->rest.call(verb, url(path), Cluster::kAdminToken, body);
    }
    QString adminWs() const
    {
        return m_cluster->admin().replace(QStringLiteral("http://"), QStringLiteral("ws://")) + QStringLiteral("/admin/ws");
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_cluster = std::make_unique<Cluster>();
        QCOMPARE(m_cluster->startNode(), 0);
    }

    void needsTheAdminToken()
    {
        const auto app = m_cluster->createApp();
        for (const auto &[verb, path] : {std::pair<QByteArray, QString>{"GET", QStringLiteral("/admin/apps/%1")},
                                         {"GET", QStringLiteral("/admin/apps/%1/keys")},
                                         {"DELETE", QStringLiteral("/admin/apps/%1")}}) {
            QCOMPARE(m_cluster->rest.call(verb, url(path.arg(app.first)), "wrong").status, 401);
        }
        QCOMPARE(admin("GET", QStringLiteral("/admin/apps/%1").arg(app.first)).status, 200);
    }

    void unknownAppIsNotFound()
    {
        for (const auto &[verb, path] : {std::pair<QByteArray, QString>{"GET", QStringLiteral("/admin/apps/app_none")},
                                         {"GET", QStringLiteral("/admin/apps/app_none/keys")},
                                         {"DELETE", QStringLiteral("/admin/apps/app_none")}}) {
            const HttpResult r = admin(verb, path);
            QCOMPARE(r.status, 404);
            QCOMPARE(r.json.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString(), QStringLiteral("not_found"));
        }
    }

    void keysListedWithExpiryAfterRotation()
    {
        const auto app = m_cluster->createApp(); // one key labelled "t"
        const QString keysPath = QStringLiteral("/admin/apps/%1/keys").arg(app.first);
        HttpResult r = admin("GET", keysPath);
        QCOMPARE(r.status, 200);
        QJsonArray keys = r.json.value(QLatin1String("keys")).toArray();
        QCOMPARE(keys.size(), 1);
        const QJsonObject first = keys[0].toObject();
        QCOMPARE(first.value(QLatin1String("label")).toString(), QStringLiteral("t"));
        QVERIFY(!first.value(QLatin1String("key_id")).toString().isEmpty());
        QVERIFY(first.value(QLatin1String("created_ms")).toDouble() > 1.7e12);
        QVERIFY(!first.contains(QLatin1String("expires_ms")));
        QVERIFY(!first.contains(QLatin1String("last_used_ms"))); // never used yet
        QVERIFY(!r.body.contains("secret") && !r.body.contains("hash"));

        // Used: the list says when (recorded at most once a minute per key and node).
        const double before = double(QDateTime::currentMSecsSinceEpoch());
        QCOMPARE(m_cluster->rest.call("GET", m_cluster->api() + QStringLiteral("/v1/conversations"), app.second).status, 200);
        QCOMPARE(m_cluster->rest.call("GET", m_cluster->api() + QStringLiteral("/v1/conversations"), app.second).status, 200);
        double lastUsed = 0;
        QTRY_VERIFY((lastUsed = admin("GET", keysPath).json.value(QLatin1String("keys")).toArray()[0].toObject()
                                    .value(QLatin1String("last_used_ms")).toDouble()) > 0);
        QVERIFY2(lastUsed >= before - 1000 && lastUsed <= double(QDateTime::currentMSecsSinceEpoch()), qPrintable(QString::number(lastUsed)));

        // Rotating: the old key gets an expiry, the new one is listed without.
        const HttpResult rotated = admin("POST", keysPath + QLatin1Char('/') + first.value(QLatin1String("key_id")).toString()
                                                     + QStringLiteral("/rotate"),
                                         QJsonObject{{QStringLiteral("grace_s"), 3600}});
        QCOMPARE(rotated.status, 201);
        keys = admin("GET", keysPath).json.value(QLatin1String("keys")).toArray();
        QCOMPARE(keys.size(), 2);
        const double expires = keys[0].toObject().value(QLatin1String("expires_ms")).toDouble();
        QVERIFY(expires > keys[0].toObject().value(QLatin1String("created_ms")).toDouble() + 3500e3);
        QCOMPARE(keys[1].toObject().value(QLatin1String("key_id")).toString(), rotated.json.value(QLatin1String("key_id")).toString());
        QCOMPARE(keys[1].toObject().value(QLatin1String("label")).toString(), QStringLiteral("t"));

        // A revoked key is no longer listed.
        QCOMPARE(admin("DELETE", keysPath + QLatin1Char('/') + rotated.json.value(QLatin1String("key_id")).toString()).status, 204);
        keys = admin("GET", keysPath).json.value(QLatin1String("keys")).toArray();
        QCOMPARE(keys.size(), 1);
        QCOMPARE(keys[0].toObject().value(QLatin1String("key_id")).toString(), first.value(QLatin1String("key_id")).toString());
    }

    void countsThenDeleteRemovesEverything()
    {
        const auto app = m_cluster->createApp(QJsonObject{{QStringLiteral("name"), QStringLiteral("doomed")}});
        const auto other = m_cluster->createApp(QJsonObject{{QStringLiteral("name"), QStringLiteral("survivor")}});
        const QString c1 = m_cluster->createConversation(app.second, {QStringLiteral("a"), QStringLiteral("b")});
        const QString c2 = m_cluster->createConversation(app.second, {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")});
        const QString kept = m_cluster->createConversation(other.second, {QStringLiteral("a"), QStringLiteral("b")});
        QVERIFY(!c1.isEmpty() && !c2.isEmpty() && !kept.isEmpty());
        WsClient user;
        QVERIFY(user.connectAndAuth(m_cluster->ws(), m_cluster->userToken(app.second, QStringLiteral("a"))));
        for (int i = 0; i < 3; ++i)
            QCOMPARE(user.request(sendFrame(c1, QString::number(i))).value(QLatin1String("type")).toString(), QStringLiteral("message.ack"));

        const HttpResult got = admin("GET", QStringLiteral("/admin/apps/%1").arg(app.first));
        QCOMPARE(got.status, 200);
        QCOMPARE(got.json.value(QLatin1String("name")).toString(), QStringLiteral("doomed"));
        const QJsonObject counts = got.json.value(QLatin1String("counts")).toObject();
        QCOMPARE(counts.value(QLatin1String("conversations")).toInt(), 2);
        QCOMPARE(counts.value(QLatin1String("members")).toInt(), 5);
        QCOMPARE(counts.value(QLatin1String("keys")).toInt(), 1);
        for (const char *k : {"messages", "segments", "dead_letters"})
            QVERIFY2(counts.value(QLatin1String(k)).isDouble(), k);

        const HttpResult deleted = admin("DELETE", QStringLiteral("/admin/apps/%1").arg(app.first));
        QCOMPARE(deleted.status, 200);
        QCOMPARE(deleted.json.value(QLatin1String("app_id")).toString(), app.first);
        QCOMPARE(deleted.json.value(QLatin1String("removed")).toObject().value(QLatin1String("conversations")).toInt(), 2);
        // The app's sessions end as on a revocation (this one has a user token), and its key no
        // longer authenticates.
        QVERIFY(user.waitClosed(10000));
        QCOMPARE(user.closeCode(), 4001);
        QCOMPARE(m_cluster->rest.call("GET", m_cluster->api() + QStringLiteral("/v1/conversations"), app.second).status, 401);
        QCOMPARE(admin("GET", QStringLiteral("/admin/apps/%1").arg(app.first)).status, 404);
        QCOMPARE(admin("DELETE", QStringLiteral("/admin/apps/%1").arg(app.first)).status, 404);
        const QJsonArray apps = admin("GET", QStringLiteral("/admin/apps")).json.value(QLatin1String("apps")).toArray();
        for (const QJsonValue &a : apps)
            QVERIFY(a.toObject().value(QLatin1String("app_id")).toString() != app.first);
        // The other app is untouched.
        const QJsonObject otherCounts = admin("GET", QStringLiteral("/admin/apps/%1").arg(other.first)).json.value(QLatin1String("counts")).toObject();
        QCOMPARE(otherCounts.value(QLatin1String("conversations")).toInt(), 1);
        QCOMPARE(m_cluster->rest.call("GET", m_cluster->api() + QStringLiteral("/v1/conversations"), other.second).status, 200);
    }

    void statsCarryPerAppFigures()
    {
        const auto app = m_cluster->createApp(QJsonObject{{QStringLiteral("name"), QStringLiteral("busy")}});
        const QString convo = m_cluster->createConversation(app.second, {QStringLiteral("a"), QStringLiteral("b")});
        WsClient user;
        QVERIFY(user.connectAndAuth(m_cluster->ws(), m_cluster->userToken(app.second, QStringLiteral("a"))));
        WsClient adminWsClient;
        QVERIFY(adminWsClient.open(adminWs(), Cluster::kAdminToken));
        QVERIFY(!adminWsClient.waitFor(QStringLiteral("connection.ack")).isEmpty());
        adminWsClient.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("stats.subscribe")}, {QStringLiteral("interval_ms"), 200}});
        auto entry = [&](const QJsonObject &stats) {
            for (const QJsonValue &v : stats.value(QLatin1String("apps")).toArray())
                if (v.toObject().value(QLatin1String("app_id")).toString() == app.first)
                    return v.toObject();
            return QJsonObject{};
        };
        int sent = 0;
        QJsonObject seen;
        // The node announces once a second; keep sending until a frame shows this app's traffic.
        QTRY_VERIFY_WITH_TIMEOUT((user.request(sendFrame(convo, QString::number(sent++))),
                                  seen = entry(adminWsClient.waitFor(QStringLiteral("stats"))),
                                  seen.value(QLatin1String("connections")).toInt() == 1
                                      && seen.value(QLatin1String("ingest_per_s")).toDouble() > 0),
                                 10000);
        QCOMPARE(seen.value(QLatin1String("name")).toString(), QStringLiteral("busy"));
        QCOMPARE(seen.value(QLatin1String("dead_letters")).toInt(), 0);
        // The user leaves: the app's connections go back to 0 (the node counts sessions as they
        // authenticate and close).
        user.socket().close();
        QTRY_COMPARE_WITH_TIMEOUT(entry(adminWsClient.waitFor(QStringLiteral("stats"))).value(QLatin1String("connections")).toInt(),
                                  0, 10000);
        // Another app without traffic is listed with zeros.
        const auto idle = m_cluster->createApp(QJsonObject{{QStringLiteral("name"), QStringLiteral("idle")}});
        QJsonObject idleEntry;
        QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                     for (const QJsonValue &v : adminWsClient.waitFor(QStringLiteral("stats")).value(QLatin1String("apps")).toArray())
                                         if (v.toObject().value(QLatin1String("app_id")).toString() == idle.first)
                                             idleEntry = v.toObject();
                                     return !idleEntry.isEmpty();
                                 }()),
                                 5000);
        QCOMPARE(idleEntry.value(QLatin1String("connections")).toInt(), 0);
        QCOMPARE(idleEntry.value(QLatin1String("name")).toString(), QStringLiteral("idle"));
    }
};

QTEST_GUILESS_MAIN(TestAdminApps)
#include "tst_adminapps.moc"

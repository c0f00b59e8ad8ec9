// Webhooks end to end (PROTOCOL.md section 9, docs/webhooks.md): real confabd nodes on the
// fixture's PostgreSQL and Redis, calling a WebhookReceiver that checks every signature.
#include "harness.h"
#include "support/webhookreceiver.h"

#include <QSet>
#include <QTest>

using namespace confab::test;

namespace {

const QByteArray kToken = Cluster::kAdminToken;

QHash<QString, QString> webhookSettings(const QString &retryWindow, const QString &timeout = QStringLiteral("2s"))
{
    return {{QStringLiteral("CONFAB_WEBHOOKS_ALLOW_PRIVATE"), QStringLiteral("true")},
            {QStringLiteral("CONFAB_WEBHOOKS_COALESCE"), QStringLiteral("1s")},
            {QStringLiteral("CONFAB_WEBHOOKS_TIMEOUT"), timeout},
            {QStringLiteral("CONFAB_WEBHOOKS_RETRY_WINDOW"), retryWindow},
            {QStringLiteral("CONFAB_SEGMENTS_DEAD_LETTER_RETRY"), QStringLiteral("1d")}};
}

// Points the app's webhook at the receiver and teaches the receiver the secret (shown once).
QByteArray setWebhook(Cluster &c, const QString &appId, WebhookReceiver &receiver, int node = 0)
{
    const HttpResult r = c.rest.call("PATCH", c.admin(node) + QStringLiteral("/admin/apps/") + appId, kToken,
                                     QJsonObject{{QStringLiteral("webhook"), QJsonObject{{QStringLiteral("url"), receiver.url()}}}});
    const QByteArray secret = r.json.value(QLatin1String("webhook_secret")).toString().toUtf8();
    receiver.setSecrets({secret});
    return secret;
}

QStringList ids(const QList<WebhookReceiver::Call> &calls)
{
    QStringList out;
    for (const auto &c : calls)
        out.append(QString::fromUtf8(c.eventId));
    return out;
}

QJsonObject dataOf(const WebhookReceiver::Call &c)
{
    return c.body.value(QLatin1String("data")).toObject();
}

// Every call is signed correctly, and one event id always carries the same event.
void checkCalls(const WebhookReceiver &receiver)
{
    QHash<QByteArray, QJsonObject> byId;
    for (const auto &c : receiver.calls()) {
        QVERIFY2(c.signatureValid, c.signature.constData());
        QCOMPARE(c.body.value(QLatin1String("id")).toString().toUtf8(), c.eventId);
        if (byId.contains(c.eventId))
            QCOMPARE(byId.value(c.eventId), c.body);
        byId.insert(c.eventId, c.body);
    }
}

} // namespace

class tst_Webhooks : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<Cluster> m_shared; // for the data-driven refusals
    QString m_sharedApp;

private Q_SLOTS:
    void cleanupTestCase() { m_shared.reset(); }

    void offlineMemberGetsOneCoalescedCall()
    {
        // GIVEN two nodes and an app whose webhook points at the receiver
        WebhookReceiver receiver;
        QVERIFY(receiver.listen());
        Cluster c(webhookSettings(QStringLiteral("1m")));
        QVERIFY(c.startNode() == 0);
        QVERIFY(c.startNode() == 1);
        const auto [appId, key] = c.createApp();
        QVERIFY(!setWebhook(c, appId, receiver).isEmpty());
        const QString convo = c.createConversation(key, {QStringLiteral("alice"), QStringLiteral("bob")});
        QTRY_COMPARE_WITH_TIMEOUT(receiver.delivered(QStringLiteral("conversation.created")).size(), 1, 10000);

        // WHEN alice (online on node 1) sends a burst of 20 while bob has no session anywhere
        WsClient alice;
        QVERIFY(alice.connectAndAuth(c.ws(0), c.userToken(key, QStringLiteral("alice"))));
        for (int i = 1; i <= 20; ++i) {
            const QJsonObject ack = alice.request(sendFrame(convo, QStringLiteral("m%1").arg(i)));
            QCOMPARE(ack.value(QLatin1String("type")).toString(), QStringLiteral("message.ack"));
        }

        // THEN bob's back end gets one message.offline with the count and the last 3 envelopes
        QTRY_COMPARE_WITH_TIMEOUT(receiver.delivered(QStringLiteral("message.offline")).size(), 1, 10000);
        const QJsonObject first = dataOf(receiver.delivered(QStringLiteral("message.offline")).first());
        QCOMPARE(first.value(QLatin1String("user_id")).toString(), QStringLiteral("bob"));
        QCOMPARE(first.value(QLatin1String("convo_id")).toString(), convo);
        QCOMPARE(first.value(QLatin1String("count")).toInt(), 20);
        const QJsonArray last3 = first.value(QLatin1String("messages")).toArray();
        QCOMPARE(last3.size(), 3);
        QCOMPARE(last3.at(2).toObject().value(QLatin1String("seq_no")).toInt(), 20);
        QCOMPARE(last3.at(0).toObject().value(QLatin1String("seq_no")).toInt(), 18);

        // WHEN bob is online on the other node, alice sends 5 more, bob leaves, alice sends 1
        alice.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("presence.subscribe")},
                               {QStringLiteral("user_ids"), QJsonArray{QStringLiteral("bob")}}});
        QCOMPARE(alice.waitFor(QStringLiteral("presence.update")).value(QLatin1String("status")).toString(), QStringLiteral("offline"));
        {
            WsClient bob;
            QVERIFY(bob.connectAndAuth(c.ws(1), c.userToken(key, QStringLiteral("bob"))));
            QCOMPARE(alice.waitFor(QStringLiteral("presence.update")).value(QLatin1String("status")).toString(), QStringLiteral("online"));
            for (int i = 21; i <= 25; ++i)
                QCOMPARE(alice.request(sendFrame(convo, QStringLiteral("m%1").arg(i))).value(QLatin1String("type")).toString(),
                         QStringLiteral("message.ack"));
            bob.socket().close();
            QCOMPARE(alice.waitFor(QStringLiteral("presence.update")).value(QLatin1String("status")).toString(), QStringLiteral("offline"));
        }
        QCOMPARE(alice.request(sendFrame(convo, QStringLiteral("m26"))).value(QLatin1String("seq_no")).toInt(), 26);

        // THEN the next call carries only the message sent while bob was away: none of the 5
        // sent while he was online was recorded (it would have come first: one (user, convo) is
        // delivered in order)
        QTRY_COMPARE_WITH_TIMEOUT(receiver.delivered(QStringLiteral("message.offline")).size(), 2, 10000);
        const QJsonObject second = dataOf(receiver.delivered(QStringLiteral("message.offline")).at(1));
        QCOMPARE(second.value(QLatin1String("count")).toInt(), 1);
        QCOMPARE(second.value(QLatin1String("messages")).toArray().at(0).toObject().value(QLatin1String("seq_no")).toInt(), 26);
        // the sender is never notified, and every call is signed; two nodes never sent one event twice
        for (const auto &call : receiver.delivered(QStringLiteral("message.offline")))
            QCOMPARE(dataOf(call).value(QLatin1String("user_id")).toString(), QStringLiteral("bob"));
        checkCalls(receiver);
        const QStringList sent = ids(receiver.calls());
        QCOMPARE(QSet<QString>(sent.begin(), sent.end()).size(), sent.size());

        // either node may have claimed the deliveries: the counter is on the one that sent them
        const QByteArray delivered = "confab_webhook_deliveries_total{app=\"" + appId.toUtf8() + "\",status=\"delivered\"}";
        const HttpResult metrics0 = c.rest.call("GET", c.admin(0) + QStringLiteral("/metrics"), {});
        const HttpResult metrics1 = c.rest.call("GET", c.admin(1) + QStringLiteral("/metrics"), {});
        QVERIFY(metrics0.body.contains(delivered) || metrics1.body.contains(delivered));
        QVERIFY(metrics0.body.contains("confab_webhook_pending"));
        QVERIFY(metrics1.body.contains("confab_webhook_pending"));
    }

    void failingReceiverGetsEverythingOnceItRecovers()
    {
        WebhookReceiver receiver;
        QVERIFY(receiver.listen());
        receiver.setMode(WebhookReceiver::Mode::Fail);
        Cluster c(webhookSettings(QStringLiteral("1m")));
        QVERIFY(c.startNode() == 0);
        const auto [appId, key] = c.createApp();
        setWebhook(c, appId, receiver);

        // GIVEN every kind of event while the receiver answers 500
        const QString convo = c.createConversation(key, {QStringLiteral("u1"), QStringLiteral("u2")});
        const QString members = c.api() + QStringLiteral("/v1/conversations/%1/members").arg(convo);
        QCOMPARE(c.rest.call("POST", members, key, QJsonObject{{QStringLiteral("user_id"), QStringLiteral("u3")}}).status, 200);
        QCOMPARE(c.rest.call("DELETE", members + QStringLiteral("/u3"), key).status, 204);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(c.rest.call("POST", c.api() + QStringLiteral("/v1/conversations/%1/messages").arg(convo), key,
                                 QJsonObject{{QStringLiteral("client_msg_id"), QStringLiteral("k%1").arg(i)},
                                             {QStringLiteral("content"), QStringLiteral("hi")},
                                             {QStringLiteral("sender_id"), QStringLiteral("u1")}})
                         .status,
                     201);
        }
        // WHEN it has failed a few attempts and then recovers
        QTRY_VERIFY_WITH_TIMEOUT(receiver.calls().size() >= 6, 15000);
        QVERIFY(receiver.delivered().isEmpty());
        receiver.setMode(WebhookReceiver::Mode::Ok);

        // THEN every event arrives, membership changes of one user in order
        QTRY_COMPARE_WITH_TIMEOUT(receiver.delivered().size(), 4, 20000);
        QCOMPARE(receiver.delivered(QStringLiteral("conversation.created")).size(), 1);
        QCOMPARE(receiver.delivered(QStringLiteral("message.offline")).size(), 1);
        QCOMPARE(dataOf(receiver.delivered(QStringLiteral("message.offline")).first()).value(QLatin1String("count")).toInt(), 3);
        const QStringList order = [&] {
            QStringList types;
            for (const auto &call : receiver.delivered())
                types.append(call.body.value(QLatin1String("type")).toString());
            return types;
        }();
        QVERIFY2(order.indexOf(QStringLiteral("member.added")) < order.indexOf(QStringLiteral("member.removed")),
                 qPrintable(order.join(u',')));
        QCOMPARE(dataOf(receiver.delivered(QStringLiteral("member.removed")).first()).value(QLatin1String("user_id")).toString(),
                 QStringLiteral("u3"));
        checkCalls(receiver);
        // duplicates, if any, only ever with the same event id: 4 distinct events
        const QStringList all = ids(receiver.calls());
        QCOMPARE(QSet<QString>(all.begin(), all.end()).size(), 4);
    }

    void deadLettersAreRetriedAndDelivered()
    {
        WebhookReceiver receiver;
        QVERIFY(receiver.listen());
        receiver.setMode(WebhookReceiver::Mode::Fail);
        Cluster c(webhookSettings(QStringLiteral("2s")));
        QVERIFY(c.startNode() == 0);
        const auto [appId, key] = c.createApp();
        setWebhook(c, appId, receiver);
        const QString convo = c.createConversation(key, {QStringLiteral("u1"), QStringLiteral("u2")});

        // WHEN the receiver fails for longer than the retry window
        QJsonObject letter;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const QJsonArray items = c.rest.call("GET", c.admin() + QStringLiteral("/admin/dead-letters"), kToken)
                                             .json.value(QLatin1String("items")).toArray();
                letter = items.isEmpty() ? QJsonObject() : items.first().toObject();
                return !letter.isEmpty();
            }(),
            15000);
        // THEN a dead letter of kind webhook names the app and conversation
        QCOMPARE(letter.value(QLatin1String("kind")).toString(), QStringLiteral("webhook"));
        QCOMPARE(letter.value(QLatin1String("app_id")).toString(), appId);
        QCOMPARE(letter.value(QLatin1String("convo_id")).toString(), convo);
        QVERIFY(letter.value(QLatin1String("attempts")).toInt() >= 2);
        QVERIFY(letter.value(QLatin1String("error")).toString().contains(QLatin1String("500")));
        QVERIFY(receiver.delivered().isEmpty());

        // WHEN the receiver is back and the operator retries the letter
        receiver.setMode(WebhookReceiver::Mode::Ok);
        const QString id = letter.value(QLatin1String("id")).toString();
        QCOMPARE(c.rest.call("POST", c.admin() + QStringLiteral("/admin/dead-letters/%1/retry").arg(id), kToken).status, 200);
        // THEN the event is delivered with its original id, and the letter is gone
        QTRY_COMPARE_WITH_TIMEOUT(receiver.delivered(QStringLiteral("conversation.created")).size(), 1, 10000);
        QCOMPARE(receiver.delivered().first().eventId, receiver.calls().first().eventId);
        QVERIFY(c.rest.call("GET", c.admin() + QStringLiteral("/admin/dead-letters"), kToken)
                    .json.value(QLatin1String("items")).toArray().isEmpty());
        QCOMPARE(c.rest.call("POST", c.admin() + QStringLiteral("/admin/dead-letters/%1/retry").arg(id), kToken).status, 404);

        // AND a discarded letter drops its events
        receiver.setMode(WebhookReceiver::Mode::Fail);
        c.createConversation(key, {QStringLiteral("u1"), QStringLiteral("u3")});
        QString second;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const QJsonArray items = c.rest.call("GET", c.admin() + QStringLiteral("/admin/dead-letters"), kToken)
                                             .json.value(QLatin1String("items")).toArray();
                second = items.isEmpty() ? QString() : items.first().toObject().value(QLatin1String("id")).toString();
                return !second.isEmpty();
            }(),
            15000);
        // (through the admin WebSocket this time, as the console does)
        WsClient admin;
        QVERIFY(admin.open(c.admin().replace(QStringLiteral("http://"), QStringLiteral("ws://")) + QStringLiteral("/admin/ws"), kToken));
        const QJsonObject listed = admin.request(QJsonObject{{QStringLiteral("type"), QStringLiteral("dead_letters.list")},
                                                             {QStringLiteral("limit"), 10}});
        QCOMPARE(listed.value(QLatin1String("items")).toArray().at(0).toObject().value(QLatin1String("kind")).toString(),
                 QStringLiteral("webhook"));
        const QJsonObject discarded = admin.request(QJsonObject{{QStringLiteral("type"), QStringLiteral("dead_letters.discard")},
                                                                {QStringLiteral("id"), second}});
        QCOMPARE(discarded.value(QLatin1String("ok")).toBool(), true);
        QVERIFY(c.rest.call("GET", c.admin() + QStringLiteral("/admin/dead-letters"), kToken)
                    .json.value(QLatin1String("items")).toArray().isEmpty());
        checkCalls(receiver);
    }

    void killedNodesDeliveriesAreHandedOver()
    {
        WebhookReceiver receiver;
        QVERIFY(receiver.listen());
        receiver.setMode(WebhookReceiver::Mode::Hang);
        Cluster c(webhookSettings(QStringLiteral("10m"), QStringLiteral("1s")));
        QVERIFY(c.startNode() == 0);
        const auto [appId, key] = c.createApp();
        setWebhook(c, appId, receiver);

        // GIVEN node 1 in the middle of a call (its event leased) and another event queued
        c.createConversation(key, {QStringLiteral("u1"), QStringLiteral("u2")});
        c.createConversation(key, {QStringLiteral("u1"), QStringLiteral("u3")});
        QTRY_VERIFY_WITH_TIMEOUT(receiver.calls().size() >= 1, 10000);
        // WHEN it is killed and another node starts
        c.node(0).kill();
        receiver.setMode(WebhookReceiver::Mode::Ok);
        QVERIFY(c.startNode() == 1);
        // THEN the new node delivers both once the dead node's lease has expired
        QTRY_COMPARE_WITH_TIMEOUT(receiver.delivered(QStringLiteral("conversation.created")).size(), 2, 30000);
        checkCalls(receiver);
        const QStringList delivered = ids(receiver.delivered());
        QCOMPARE(QSet<QString>(delivered.begin(), delivered.end()).size(), 2);
    }

    void hangingEndpointDoesNotDelayAnotherApp()
    {
        WebhookReceiver slow, fast;
        QVERIFY(slow.listen());
        QVERIFY(fast.listen());
        slow.setMode(WebhookReceiver::Mode::Hang);
        auto settings = webhookSettings(QStringLiteral("10m"), QStringLiteral("60s"));
        settings.insert(QStringLiteral("CONFAB_WEBHOOKS_MAX_IN_FLIGHT_PER_APP"), QStringLiteral("2"));
        Cluster c(settings);
        QVERIFY(c.startNode() == 0);
        const auto [slowApp, slowKey] = c.createApp();
        const auto [fastApp, fastKey] = c.createApp();
        setWebhook(c, slowApp, slow);
        setWebhook(c, fastApp, fast);

        // GIVEN an app whose endpoint never answers, with more events than its in-flight bound
        for (int i = 0; i < 8; ++i)
            c.createConversation(slowKey, {QStringLiteral("u1"), QStringLiteral("s%1").arg(i)});
        QTRY_COMPARE_WITH_TIMEOUT(slow.calls().size(), 2, 10000);
        // WHEN another app has events
        for (int i = 0; i < 5; ++i)
            c.createConversation(fastKey, {QStringLiteral("u1"), QStringLiteral("f%1").arg(i)});
        // THEN they are delivered while the slow app's calls still hang (60 s timeout), and the
        // slow app never holds more than its bound
        QTRY_COMPARE_WITH_TIMEOUT(fast.delivered().size(), 5, 20000);
        QCOMPARE(slow.hanging(), 2);
        QCOMPARE(slow.calls().size(), 2);
        checkCalls(fast);
    }

    void secretIsShownOnceAndRotatesWithGrace()
    {
        WebhookReceiver receiver;
        QVERIFY(receiver.listen());
        Cluster c(webhookSettings(QStringLiteral("1m")));
        QVERIFY(c.startNode() == 0);
        const auto [appId, key] = c.createApp();
        const QString app = c.admin() + QStringLiteral("/admin/apps/") + appId;
        const QByteArray first = setWebhook(c, appId, receiver);
        QVERIFY(first.startsWith("whsec_"));
        // a second PATCH does not show it again; the app shows its webhook without secrets
        const HttpResult again = c.rest.call("PATCH", app, kToken,
                                             QJsonObject{{QStringLiteral("webhook"),
                                                          QJsonObject{{QStringLiteral("url"), receiver.url()},
                                                                      {QStringLiteral("events"), QJsonArray{QStringLiteral("conversation.created")}}}}});
        QCOMPARE(again.status, 200);
        QVERIFY(!again.json.contains(QLatin1String("webhook_secret")));
        QVERIFY(!again.body.contains(first));
        QCOMPARE(again.json.value(QLatin1String("webhook")).toObject().value(QLatin1String("events")).toArray(),
                 QJsonArray{QStringLiteral("conversation.created")});

        // WHEN the secret is rotated with a grace period
        const HttpResult rotated = c.rest.call("POST", app + QStringLiteral("/webhook/secret"), kToken,
                                               QJsonObject{{QStringLiteral("grace_s"), 3600}});
        QCOMPARE(rotated.status, 201);
        const QByteArray second = rotated.json.value(QLatin1String("webhook_secret")).toString().toUtf8();
        QVERIFY(second.startsWith("whsec_") && second != first);
        // THEN calls carry two signatures, the new secret's first
        c.createConversation(key, {QStringLiteral("u1"), QStringLiteral("u2")});
        QTRY_COMPARE_WITH_TIMEOUT(receiver.delivered().size(), 1, 15000);
        const WebhookReceiver::Call call = receiver.delivered().first();
        QCOMPARE(call.signature.count(",v1="), 2);
        QCOMPARE(WebhookReceiver::countValid(call.signature.left(call.signature.lastIndexOf(",v1=")), call.raw, {second}), 1);
        QCOMPARE(WebhookReceiver::countValid(call.signature, call.raw, {first}), 1);

        // AND without a grace only the new one signs; removing the webhook stops the calls
        const QByteArray third = c.rest.call("POST", app + QStringLiteral("/webhook/secret"), kToken,
                                             QJsonObject{{QStringLiteral("grace_s"), 0}})
                                     .json.value(QLatin1String("webhook_secret")).toString().toUtf8();
        receiver.setSecrets({third});
        c.createConversation(key, {QStringLiteral("u1"), QStringLiteral("u3")});
        QTRY_COMPARE_WITH_TIMEOUT(receiver.delivered().size(), 2, 15000);
        QCOMPARE(receiver.delivered().at(1).signature.count(",v1="), 1);
        QVERIFY(receiver.delivered().at(1).signatureValid);
        const HttpResult removed = c.rest.call("PATCH", app, kToken, QByteArray("{\"webhook\":null}"));
        QCOMPARE(removed.status, 200);
        QVERIFY(removed.json.value(QLatin1String("webhook")).isNull());
    }

    void badWebhooksAreRefused_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addRow("not an object") << QByteArray("{\"webhook\":\"https://x\"}");
        QTest::addRow("no url") << QByteArray("{\"webhook\":{}}");
        QTest::addRow("ftp") << QByteArray("{\"webhook\":{\"url\":\"ftp://example.com/\"}}");
        QTest::addRow("unknown event") << QByteArray("{\"webhook\":{\"url\":\"http://127.0.0.1:1/\",\"events\":[\"message.sent\"]}}");
        QTest::addRow("empty events") << QByteArray("{\"webhook\":{\"url\":\"http://127.0.0.1:1/\",\"events\":[]}}");
        QTest::addRow("unknown field") << QByteArray("{\"webhook\":{\"url\":\"http://127.0.0.1:1/\",\"secret\":\"x\"}}");
    }
    void badWebhooksAreRefused()
    {
        QFETCH(QByteArray, body);
        if (!m_shared) {
            m_shared = std::make_unique<Cluster>(webhookSettings(QStringLiteral("1m")));
            QVERIFY(m_shared->startNode() == 0);
            m_sharedApp = m_shared->createApp().first;
        }
        Cluster *c = m_shared.get();
        const HttpResult r = c->rest.call("PATCH", c->admin() + QStringLiteral("/admin/apps/") + m_sharedApp, kToken, body);
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString(), QStringLiteral("bad_request"));
    }

    void privateAddressesNeedAllowPrivate()
    {
        Cluster c;
        QVERIFY(c.startNode() == 0);
        const QString appId = c.createApp().first;
        const QString app = c.admin() + QStringLiteral("/admin/apps/") + appId;
        for (const char *url : {"http://example.com/hook", "https://127.0.0.1/hook", "https://localhost/hook",
                                "https://10.0.0.1/hook", "https://[::1]/hook"}) {
            const HttpResult r = c.rest.call("PATCH", app, kToken,
                                             QJsonObject{{QStringLiteral("webhook"), QJsonObject{{QStringLiteral("url"), QLatin1String(url)}}}});
            QVERIFY2(r.status == 400, url);
        }
    }
};

QTEST_GUILESS_MAIN(tst_Webhooks)
#include "tst_webhooks.moc"

// Idempotency end to end: [limits] dedup_window, resends whose original is only in segments, and
// no false `unavailable`: a node too busy to read Redis's replies in time answers the real
// outcome (PROTOCOL.md section 5), and whatever it answers `unavailable` was either not stored
// or comes back as a duplicate.
#include "harness.h"

#include <QJsonDocument>
#include <QTest>
#include <QThread>

#include <algorithm>

#include <signal.h>

using namespace confab::test;

namespace {

// A send whose req is its client_msg_id, so answers can be matched without request().
QJsonObject sendWithReq(const QString &convo, const QString &cmid)
{
    QJsonObject f = sendFrame(convo, cmid, QJsonObject{{QStringLiteral("text"), cmid}});
    f.insert(QStringLiteral("req"), cmid);
    return f;
}

QString type(const QJsonObject &f)
{
    return f.value(QLatin1String("type")).toString();
}

// The ack or error carrying req, once it arrived (empty after 15 s).
QJsonObject answerTo(WsClient &client, const QString &req)
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 15000) {
        for (const QString &t : {QStringLiteral("message.ack"), QStringLiteral("error")}) {
            for (const QJsonObject &f : client.frames(t)) {
                if (f.value(QLatin1String("req")).toString() == req)
                    return f;
            }
        }
        QTest::qWait(5);
    }
    return {};
}

} // namespace

class TestIdempotency : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void resendOfAFlushedMessage()
    {
        // GIVEN a message flushed to segments with nothing kept in the tail
        Cluster cluster({{QStringLiteral("CONFAB_SEGMENTS_HOT_WINDOW"), QStringLiteral("0")}});
        QCOMPARE(cluster.startNode(), 0);
        const QByteArray key = cluster.createApp().second;
        const QString convo = cluster.createConversation(key, {QStringLiteral("u1"), QStringLiteral("u2")});
        const QByteArray body = R"({"client_msg_id":"flushed-1","sender_id":"u1","content":{"t":1}})";
        const HttpResult first = cluster.rest.call("POST", cluster.api() + QStringLiteral("/v1/conversations/%1/messages").arg(convo), key, body);
        QCOMPARE(first.status, 201);
        const HttpResult flushed = cluster.rest.call("POST", cluster.admin() + QStringLiteral("/admin/flush"), Cluster::kAdminToken, QByteArray());
        QCOMPARE(flushed.status, 200);
        // WHEN it is resent, THEN the original ack comes back from the segment
        const HttpResult again = cluster.rest.call("POST", cluster.api() + QStringLiteral("/v1/conversations/%1/messages").arg(convo), key, body);
        QCOMPARE(again.status, 200);
        QCOMPARE(again.json.value(QLatin1String("duplicate")).toBool(), true);
        QCOMPARE(again.json.value(QLatin1String("server_msg_id")), first.json.value(QLatin1String("server_msg_id")));
        QCOMPARE(again.json.value(QLatin1String("seq_no")), first.json.value(QLatin1String("seq_no")));
        QCOMPARE(again.json.value(QLatin1String("ts")), first.json.value(QLatin1String("ts")));
        QCOMPARE(cluster.history(key, convo).size(), 1);
    }

    void dedupWindowIsConfigurable()
    {
        Cluster cluster({{QStringLiteral("CONFAB_LIMITS_DEDUP_WINDOW"), QStringLiteral("2s")}});
        QCOMPARE(cluster.startNode(), 0);
        const QByteArray key = cluster.createApp().second;
        const QString convo = cluster.createConversation(key, {QStringLiteral("u1"), QStringLiteral("u2")});
        const QString url = cluster.api() + QStringLiteral("/v1/conversations/%1/messages").arg(convo);
        const QByteArray body = R"({"client_msg_id":"short","sender_id":"u1","content":1})";
        QCOMPARE(cluster.rest.call("POST", url, key, body).status, 201);
        QCOMPARE(cluster.rest.call("POST", url, key, body).status, 200); // within the window
        QTest::qWait(3200);                                               // past 1.5 windows
        const HttpResult late = cluster.rest.call("POST", url, key, body);
        QCOMPARE(late.status, 201);
        QCOMPARE(late.json.value(QLatin1String("seq_no")).toInteger(), 2);
    }

    void busyNodeAnswersRealOutcomes()
    {
        // GIVEN a node whose Redis timeout is short, with sends in flight on 4 connections
        Cluster cluster({{QStringLiteral("CONFAB_REDIS_COMMAND_TIMEOUT"), QStringLiteral("300ms")}});
        QCOMPARE(cluster.startNode(), 0);
        const QByteArray key = cluster.createApp(QJsonObject{{QStringLiteral("limits"), QJsonObject{
            {QStringLiteral("user_msgs_per_min"), 0}, {QStringLiteral("app_msgs_per_s"), 0},
            {QStringLiteral("conns_per_user_per_10s"), 0}, {QStringLiteral("max_inflight_per_conn"), 1000}}}}).second;
        const QString convo = cluster.createConversation(key, {QStringLiteral("u1"), QStringLiteral("u2")});
        const QByteArray token = cluster.userToken(key, QStringLiteral("u1"));
        std::vector<std::unique_ptr<WsClient>> clients;
        for (int c = 0; c < 4; ++c) {
            clients.push_back(std::make_unique<WsClient>());
            QVERIFY(clients.back()->connectAndAuth(cluster.ws(), token));
        }
        const qint64 pid = cluster.node().process().processId();
        const int perClient = 50;
        for (int round = 0; round < 3; ++round) {
            for (int c = 0; c < 4; ++c) {
                for (int i = 0; i < perClient; ++i) {
                    const QString id = QStringLiteral("r%1-c%2-%3").arg(round).arg(c).arg(i);
                    clients[size_t(c)]->send(sendWithReq(convo, id));
                }
            }
            // WHEN the node's loop cannot run for 4 timeouts while Redis answers
            QTest::qWait(5);
            ::kill(pid_t(pid), SIGSTOP);
            QThread::msleep(1200);
            ::kill(pid_t(pid), SIGCONT);
        }
        // THEN every send gets an answer, and none is a false `unavailable`
        QStringList unavailable;
        int acks = 0;
        for (int round = 0; round < 3; ++round) {
            for (int c = 0; c < 4; ++c) {
                for (int i = 0; i < perClient; ++i) {
                    const QString id = QStringLiteral("r%1-c%2-%3").arg(round).arg(c).arg(i);
                    const QJsonObject answer = answerTo(*clients[size_t(c)], id);
                    QVERIFY2(!answer.isEmpty(), qPrintable(id));
                    if (type(answer) == QLatin1String("message.ack"))
                        ++acks;
                    else if (answer.value(QLatin1String("code")).toString() == QLatin1String("unavailable"))
                        unavailable.append(id);
                    else
                        QFAIL(qPrintable(QStringLiteral("%1: %2").arg(id, QString::fromUtf8(QJsonDocument(answer).toJson()))));
                }
            }
        }
        qInfo("%d acks, %lld unavailable", acks, qint64(unavailable.size()));
        // Whatever was answered unavailable is absent from history, or a duplicate on resend.
        QSet<QString> stored;
        for (const QJsonObject &m : cluster.history(key, convo))
            stored.insert(m.value(QLatin1String("client_msg_id")).toString());
        QCOMPARE(stored.size(), acks + int(std::count_if(unavailable.begin(), unavailable.end(),
                                                          [&stored](const QString &id) { return stored.contains(id); })));
        for (const QString &id : unavailable) {
            const QJsonObject again = clients[0]->request(sendFrame(convo, id, QJsonObject{{QStringLiteral("text"), id}}));
            QCOMPARE(type(again), QStringLiteral("message.ack"));
            QCOMPARE(again.value(QLatin1String("duplicate")).toBool(), stored.contains(id));
        }
        QVERIFY2(unavailable.isEmpty(), qPrintable(unavailable.join(QLatin1Char(' '))));
    }
};

QTEST_MAIN(TestIdempotency)
#include "tst_idempotency.moc"

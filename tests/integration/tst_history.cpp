// History across the Redis tail and the segments in object storage, against real confabd
// processes, PostgreSQL, Redis and the S3 test server (PROTOCOL.md sections 3-5, DESIGN.md
// guarantees 1, 2 and 4; docs/storage.md).
#include "harness.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QUrlQuery>
#include <QProcess>
#include <QTest>

using namespace confab::test;

namespace {

QString typeOf(const QJsonObject &f)
{
    return f.value(QLatin1String("type")).toString();
}

// "seq server_msg_id content" of every message: what two reads must agree on.
QStringList summary(const QJsonArray &messages)
{
    QStringList out;
    for (const QJsonValue &v : messages) {
        const QJsonObject m = v.toObject();
        out.append(QStringLiteral("%1 %2 %3").arg(m.value(QLatin1String("seq_no")).toInt())
                       .arg(m.value(QLatin1String("server_msg_id")).toString(),
                            m.value(QLatin1String("content")).toObject().value(QLatin1String("text")).toString()));
    }
    return out;
}

QString logKey(const QString &app, const QString &convo)
{
    return QStringLiteral("c:{%1:%2}:log").arg(app, convo);
}

} // namespace

class TestHistory : public QObject
{
    Q_OBJECT

    struct App {
        QString id;
        QByteArray key;
    };

    static QJsonObject noLimits()
    {
        return QJsonObject{{QStringLiteral("limits"),
                            QJsonObject{{QStringLiteral("user_msgs_per_min"), 0},
                                        {QStringLiteral("app_msgs_per_s"), 0},
                                        {QStringLiteral("conns_per_user_per_10s"), 0}}}};
    }

    static QString messagesUrl(Cluster &c, const QString &convo, int node = 0)
    {
        return c.api(node) + QStringLiteral("/v1/conversations/%1/messages").arg(convo);
    }

    // POSTs one message as `sender`; answers the HTTP status and fills the ack.
    static int post(Cluster &c, const App &app, const QString &convo, const QString &cmid, int node = 0,
                    QJsonObject *ack = nullptr)
    {
        const HttpResult r = c.rest.call("POST", messagesUrl(c, convo, node), app.key,
                                         QJsonObject{{QStringLiteral("client_msg_id"), cmid},
                                                     {QStringLiteral("content"), QJsonObject{{QStringLiteral("text"), cmid}}},
                                                     {QStringLiteral("sender_id"), QStringLiteral("alice")}});
        if (ack)
            *ack = r.json;
        return r.status;
    }

    static void postMany(Cluster &c, const App &app, const QString &convo, int from, int to)
    {
        for (int i = from; i <= to; ++i) {
            QJsonObject ack;
            QCOMPARE(post(c, app, convo, QStringLiteral("m%1").arg(i), 0, &ack), 201);
            QCOMPARE(ack.value(QLatin1String("seq_no")).toInt(), i);
        }
    }

    // Follows page tokens from the first query; forward pages append, backward ones prepend.
    static QJsonArray readAll(Cluster &c, const App &app, const QString &convo, const QString &query, bool forward)
    {
        QJsonArray all;
        HttpResult page = c.rest.call("GET", messagesUrl(c, convo) + query, app.key);
        for (int guard = 0; guard < 1000; ++guard) {
            if (page.status != 200) {
                qWarning("history page answered %d: %s", page.status, page.body.constData());
                return {};
            }
            const QJsonArray msgs = page.json.value(QLatin1String("messages")).toArray();
            if (forward) {
                for (const QJsonValue &m : msgs)
                    all.append(m);
            } else {
                QJsonArray merged = msgs;
                for (const QJsonValue &m : all)
                    merged.append(m);
                all = merged;
            }
            const QJsonValue next = page.json.value(QLatin1String("next_page_token"));
            if (next.isNull())
                break;
            page = c.rest.call("GET", messagesUrl(c, convo) + QStringLiteral("?limit=%1&page_token=%2")
                                   .arg(QUrlQuery(query.mid(1)).queryItemValue(QStringLiteral("limit")), next.toString()),
                               app.key);
        }
        return all;
    }

    // sync pages after `after` until has_more is false.
    static QJsonArray syncAll(WsClient &ws, const QString &convo, int after, int limit)
    {
        QJsonArray all;
        for (int guard = 0; guard < 1000; ++guard) {
            const QJsonObject r = ws.request(QJsonObject{{QStringLiteral("type"), QStringLiteral("sync")},
                                                         {QStringLiteral("convo_id"), convo},
                                                         {QStringLiteral("after_seq"), after},
                                                         {QStringLiteral("limit"), limit}});
            if (typeOf(r) != QLatin1String("sync.result")) {
                qWarning("sync answered %s", QJsonDocument(r).toJson(QJsonDocument::Compact).constData());
                return {};
            }
            const QJsonArray msgs = r.value(QLatin1String("messages")).toArray();
            for (const QJsonValue &m : msgs)
                all.append(m);
            if (!r.value(QLatin1String("has_more")).toBool() || msgs.isEmpty())
                break;
            after = msgs.last().toObject().value(QLatin1String("seq_no")).toInt();
        }
        return all;
    }

    static QJsonObject adminPost(Cluster &c, const QString &path, int expectStatus = 200)
    {
        const HttpResult r = c.rest.call("POST", c.admin() + path, Cluster::kAdminToken, QByteArray());
        if (r.status != expectStatus)
            qWarning("%s answered %d: %s", qPrintable(path), r.status, r.body.constData());
        return r.status == expectStatus ? r.json : QJsonObject{};
    }

    static qint64 sqlNumber(Cluster &c, const QString &sql)
    {
        return psql(c.dbUrl(), sql).toLongLong();
    }

private Q_SLOTS:
    // 150 messages with a flush in the middle: forward, backward and sync reads from any
    // starting point agree, whether the messages are in segments, the tail or both.
    void identicalAcrossTheBoundary()
    {
        Cluster c({{QStringLiteral("CONFAB_SEGMENTS_MAX_AGE"), QStringLiteral("1h")},
                   {QStringLiteral("CONFAB_SEGMENTS_HOT_WINDOW"), QStringLiteral("0")}});
        QCOMPARE(c.startNode(), 0);
        const auto created = c.createApp(noLimits());
        const App app{created.first, created.second};
        const QString convo = c.createConversation(app.key, {QStringLiteral("alice"), QStringLiteral("bob")});
        QVERIFY(!convo.isEmpty());

        postMany(c, app, convo, 1, 75);
        QVERIFY(!QTest::currentTestFailed());
        const QJsonObject flushed = adminPost(c, QStringLiteral("/admin/flush"));
        QCOMPARE(flushed.value(QLatin1String("segments_written")).toInt(), 1);
        // With no hot window the flushed half has left Redis: it can only come from segments.
        QCOMPARE(c.redisCli({QStringLiteral("XLEN"), logKey(app.id, convo)}), QByteArray("0"));
        QCOMPARE(sqlNumber(c, QStringLiteral("SELECT max(last_seq) FROM segment_blocks")), 75);
        postMany(c, app, convo, 76, 150);
        QVERIFY(!QTest::currentTestFailed());

        QStringList expected;
        for (int i = 1; i <= 150; ++i)
            expected.append(QStringLiteral("%1 ").arg(i));

        WsClient bob;
        QVERIFY(bob.connectAndAuth(c.ws(), c.userToken(app.key, QStringLiteral("bob"))));
        auto checkAll = [&](const char *when) {
            const QStringList forward = summary(readAll(c, app, convo, QStringLiteral("?after_seq=0&limit=17"), true));
            QCOMPARE(forward.size(), 150);
            for (int i = 0; i < 150; ++i)
                QVERIFY2(forward[i].startsWith(expected[i]) && forward[i].endsWith(QStringLiteral(" m%1").arg(i + 1)), when);
            QCOMPARE(summary(readAll(c, app, convo, QStringLiteral("?limit=23"), false)), forward);
            QCOMPARE(summary(syncAll(bob, convo, 0, 31)), forward);
            for (int start : {1, 37, 74, 75, 76, 120, 149, 150}) {
                const QStringList after = forward.mid(start);
                QCOMPARE(summary(readAll(c, app, convo, QStringLiteral("?after_seq=%1&limit=20").arg(start), true)), after);
                QCOMPARE(summary(syncAll(bob, convo, start, 200)), after);
                const QStringList before = forward.mid(0, start - 1);
                QCOMPARE(summary(readAll(c, app, convo, QStringLiteral("?before_seq=%1&limit=20").arg(start), false)), before);
            }
        };
        checkAll("first flush");
        QVERIFY(!QTest::currentTestFailed());

        // A second flush writes the second half; a third finds nothing to write.
        QCOMPARE(adminPost(c, QStringLiteral("/admin/flush")).value(QLatin1String("segments_written")).toInt(), 1);
        const qint64 blocks = sqlNumber(c, QStringLiteral("SELECT count(*) FROM segment_blocks"));
        QCOMPARE(adminPost(c, QStringLiteral("/admin/flush")).value(QLatin1String("segments_written")).toInt(), 0);
        QCOMPARE(sqlNumber(c, QStringLiteral("SELECT count(*) FROM segment_blocks")), blocks);
        QCOMPARE(sqlNumber(c, QStringLiteral("SELECT max(last_seq) FROM segment_blocks")), 150);
        QCOMPARE(c.redisCli({QStringLiteral("XLEN"), logKey(app.id, convo)}), QByteArray("0"));
        checkAll("everything in segments");
    }

    // Issue 12's probe: over an API-key WebSocket, 1,500 sends of 60 KB into one conversation
    // (30 sender_ids): 90 MB, more than one codec block (64 MiB) takes. Before, every flush of
    // the app failed ("records exceed 67108864 bytes") and both conversations became dead
    // letters. Now it is written in objects of at most max_bytes, the app's other conversation
    // flushes as usual, and history reads every message back in order.
    void busyConversationNeverStopsItsApp()
    {
        Cluster c({{QStringLiteral("CONFAB_SEGMENTS_MAX_AGE"), QStringLiteral("1s")},
                   {QStringLiteral("CONFAB_SEGMENTS_HOT_WINDOW"), QStringLiteral("0")}});
        QCOMPARE(c.startNode(), 0);
        const auto created = c.createApp(noLimits());
        const App app{created.first, created.second};
        QStringList senders;
        for (int i = 0; i < 30; ++i)
            senders.append(QStringLiteral("u%1").arg(i));
        const QString busy = c.createConversation(app.key, senders);
        const QString other = c.createConversation(app.key, {QStringLiteral("alice"), QStringLiteral("u1")});
        QVERIFY(!busy.isEmpty() && !other.isEmpty());

        WsClient ws;
        QVERIFY(ws.connectAndAuth(c.ws(), app.key));
        constexpr int kSends = 1500;
        constexpr int kWindow = 32; // under max_inflight_per_conn
        auto textOf = [](int i) {
            const QString head = QStringLiteral("m%1 ").arg(i);
            return head + QString(60000 - head.size(), QLatin1Char(char('a' + i % 26)));
        };
        QHash<int, int> sentAs; // seq_no -> send: sends in flight together take seq_nos in any order
        for (int from = 1; from <= kSends; from += kWindow) {
            const int to = qMin(kSends, from + kWindow - 1);
            for (int i = from; i <= to; ++i)
                ws.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("message.send")},
                                    {QStringLiteral("req"), QStringLiteral("s%1").arg(i)},
                                    {QStringLiteral("convo_id"), busy},
                                    {QStringLiteral("client_msg_id"), QStringLiteral("probe-%1").arg(i)},
                                    {QStringLiteral("sender_id"), senders[i % 30]},
                                    {QStringLiteral("content"), QJsonObject{{QStringLiteral("text"), textOf(i)}}}});
            for (int i = from; i <= to; ++i) {
                const QString req = QStringLiteral("s%1").arg(i);
                const QJsonObject ack = ws.waitFor(QStringLiteral("message.ack"), [&req](const QJsonObject &f) {
                    return f.value(QLatin1String("req")).toString() == req;
                }, 20000);
                QVERIFY2(!ack.isEmpty(), qPrintable(req));
                sentAs.insert(ack.value(QLatin1String("seq_no")).toInt(), i);
            }
            ws.clear(); // the message.create pushes are not needed
        }
        QCOMPARE(sentAs.size(), kSends);
        QJsonObject ack;
        QCOMPARE(post(c, app, other, QStringLiteral("after-the-probe"), 0, &ack), 201);

        // Both conversations are flushed by the worker itself, without a dead letter.
        const QString flushedOf = QStringLiteral("SELECT COALESCE(max(flushed_seq), 0) FROM flush_state WHERE convo_id = '%1'");
        QTRY_COMPARE_WITH_TIMEOUT(sqlNumber(c, flushedOf.arg(busy)), kSends, 60000);
        QTRY_COMPARE_WITH_TIMEOUT(sqlNumber(c, flushedOf.arg(other)), 1, 10000);
        QCOMPARE(sqlNumber(c, QStringLiteral("SELECT count(*) FROM dead_letters")), 0);
        // 90 MB of records in objects of at most max_bytes (1 MiB by default), back to back
        QVERIFY(sqlNumber(c, QStringLiteral("SELECT count(*) FROM segment_blocks WHERE convo_id = '%1'").arg(busy)) >= 85);
        QCOMPARE(sqlNumber(c, QStringLiteral("SELECT count(*) FROM segment_blocks a JOIN segment_blocks b"
                                             " ON a.convo_id = b.convo_id AND b.first_seq = a.last_seq + 1"
                                             " WHERE a.convo_id = '%1'").arg(busy)),
                 sqlNumber(c, QStringLiteral("SELECT count(*) - 1 FROM segment_blocks WHERE convo_id = '%1'").arg(busy)));
        QCOMPARE(c.redisCli({QStringLiteral("XLEN"), logKey(app.id, busy)}), QByteArray("0"));

        // Every message reads back from the segments, in order.
        const QJsonArray all = readAll(c, app, busy, QStringLiteral("?after_seq=0&limit=200"), true);
        QCOMPARE(all.size(), kSends);
        for (int i = 0; i < kSends; ++i) {
            const QJsonObject m = all[i].toObject();
            QCOMPARE(m.value(QLatin1String("seq_no")).toInt(), i + 1);
            QCOMPARE(m.value(QLatin1String("content")).toObject().value(QLatin1String("text")).toString(),
                     textOf(sentAs.value(i + 1)));
        }
    }

    // kill -9 of confabd during a send storm: after a restart every acknowledged message is in
    // history and seq_no is gapless.
    void killDuringSendStorm()
    {
        Cluster c({{QStringLiteral("CONFAB_SEGMENTS_MAX_AGE"), QStringLiteral("200ms")}});
        QCOMPARE(c.startNode(), 0);
        const auto created = c.createApp(noLimits());
        const App app{created.first, created.second};
        const QStringList senders{QStringLiteral("s1"), QStringLiteral("s2"), QStringLiteral("s3"), QStringLiteral("s4")};
        const QString convo = c.createConversation(app.key, senders + QStringList{QStringLiteral("alice")});
        std::vector<std::unique_ptr<WsClient>> clients;
        for (const QString &u : senders) {
            clients.push_back(std::make_unique<WsClient>());
            QVERIFY(clients.back()->connectAndAuth(c.ws(), c.userToken(app.key, u)));
        }
        // Each sender keeps 16 sends in flight until confabd dies under it.
        QHash<int, QString> acked; // seq -> server_msg_id
        QList<int> next(senders.size(), 0);
        auto sendOne = [&](int s) {
            clients[s]->send(QJsonObject{{QStringLiteral("type"), QStringLiteral("message.send")},
                                         {QStringLiteral("req"), QStringLiteral("r%1-%2").arg(s).arg(next[s])},
                                         {QStringLiteral("convo_id"), convo},
                                         {QStringLiteral("client_msg_id"), QStringLiteral("k%1-%2").arg(s).arg(next[s])},
                                         {QStringLiteral("content"), QJsonObject{{QStringLiteral("text"), QStringLiteral("storm")}}}});
            ++next[s];
        };
        for (int s = 0; s < senders.size(); ++s)
            for (int i = 0; i < 16; ++i)
                sendOne(s);
        QElapsedTimer t;
        t.start();
        while (acked.size() < 1500 && t.elapsed() < 20000) {
            QTest::qWait(2);
            for (int s = 0; s < senders.size(); ++s) {
                // Nothing arrives between taking the acks and clearing (no event loop runs).
                const QList<QJsonObject> acks = clients[s]->frames(QStringLiteral("message.ack"));
                clients[s]->clear();
                for (const QJsonObject &a : acks) {
                    acked.insert(a.value(QLatin1String("seq_no")).toInt(), a.value(QLatin1String("server_msg_id")).toString());
                    sendOne(s);
                }
            }
        }
        QVERIFY2(acked.size() >= 200, "the storm produced too few acks");
        c.node(0).kill();
        c.node(0).process().waitForFinished(5000);

        // GIVEN the restarted node (recovery runs before it listens)
        QVERIFY(c.node(0).start());
        const QJsonArray all = readAll(c, app, convo, QStringLiteral("?after_seq=0&limit=200"), true);
        QVERIFY(!all.isEmpty());
        // THEN seq_no is gapless and every acked message is there, with its server_msg_id
        QHash<int, QString> stored;
        for (int i = 0; i < all.size(); ++i) {
            const QJsonObject m = all[i].toObject();
            QCOMPARE(m.value(QLatin1String("seq_no")).toInt(), i + 1);
            stored.insert(i + 1, m.value(QLatin1String("server_msg_id")).toString());
        }
        for (auto it = acked.cbegin(); it != acked.cend(); ++it)
            QCOMPARE(stored.value(it.key()), it.value());
        // ...the next send continues the sequence, and a flush indexes all of it
        QJsonObject ack;
        QCOMPARE(post(c, app, convo, QStringLiteral("after-restart"), 0, &ack), 201);
        QCOMPARE(ack.value(QLatin1String("seq_no")).toInt(), all.size() + 1);
        // The killed node's flush lease on the app lapses within its TTL; then the worker
        // writes everything by itself.
        QTRY_COMPARE_WITH_TIMEOUT(sqlNumber(c, QStringLiteral("SELECT max(last_seq) FROM segment_blocks")),
                                  qint64(all.size() + 1), 45000);
        qInfo("%d acked before the kill, %d stored", int(acked.size()), int(all.size()));
    }

    // The S3 server stops: flushes become dead letters, history answers from the tail, /readyz
    // says s3 is down; once S3 is back a retry empties the dead letters and history is whole.
    void storageOutageBecomesDeadLetters()
    {
        TestEnv env;
        S3Server s3(env);
        QVERIFY(s3.start());
        Cluster c(outageSettings(s3, QStringLiteral("200ms"), QStringLiteral("2s")));
        QCOMPARE(c.startNode(), 0);
        const auto created = c.createApp(noLimits());
        const App app{created.first, created.second};
        const QString convo = c.createConversation(app.key, {QStringLiteral("alice"), QStringLiteral("bob")});
        postMany(c, app, convo, 1, 10);
        QVERIFY(!QTest::currentTestFailed());
        adminPost(c, QStringLiteral("/admin/flush"));
        QCOMPARE(sqlNumber(c, QStringLiteral("SELECT max(last_seq) FROM segment_blocks")), 10);

        s3.stop();
        postMany(c, app, convo, 11, 30);
        QVERIFY(!QTest::currentTestFailed());
        QJsonArray items;
        QTRY_VERIFY_WITH_TIMEOUT(
            !(items = c.rest.call("GET", c.admin() + QStringLiteral("/admin/dead-letters"), Cluster::kAdminToken)
                          .json.value(QLatin1String("items")).toArray()).isEmpty(),
            30000);
        QCOMPARE(items.size(), 1);
        const QJsonObject dl = items[0].toObject();
        QCOMPARE(dl.value(QLatin1String("kind")).toString(), QStringLiteral("segment_flush"));
        QCOMPARE(dl.value(QLatin1String("app_id")).toString(), app.id);
        QCOMPARE(dl.value(QLatin1String("convo_id")).toString(), convo);
        QCOMPARE(dl.value(QLatin1String("first_seq")).toInt(), 11);
        QCOMPARE(dl.value(QLatin1String("last_seq")).toInt(), 30);
        QVERIFY(dl.value(QLatin1String("attempts")).toInt() >= 2);
        QVERIFY(!dl.value(QLatin1String("error")).toString().isEmpty());
        QVERIFY(dl.value(QLatin1String("created_ms")).toDouble() > 0);
        QVERIFY(dl.value(QLatin1String("last_attempt_ms")).toDouble() >= dl.value(QLatin1String("created_ms")).toDouble());
        const HttpResult ready = c.rest.call("GET", c.admin() + QStringLiteral("/readyz"), {});
        QCOMPARE(ready.status, 503);
        QCOMPARE(ready.json.value(QLatin1String("checks")).toObject().value(QLatin1String("s3")).toString(), QStringLiteral("down"));
        // History still answers, from the tail (the hot window keeps 1..10 there too).
        QCOMPARE(readAll(c, app, convo, QStringLiteral("?after_seq=0&limit=50"), true).size(), 30);
        // A retry while storage is still down fails and keeps the dead letter.
        const QString id = dl.value(QLatin1String("id")).toString();
        const HttpResult early = c.rest.call("POST", c.admin() + QStringLiteral("/admin/dead-letters/%1/retry").arg(id),
                                             Cluster::kAdminToken, QByteArray());
        QCOMPARE(early.status, 503);
        QCOMPARE(early.json.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString(), QStringLiteral("unavailable"));

        QVERIFY(s3.start());
        QCOMPARE(adminPost(c, QStringLiteral("/admin/dead-letters/%1/retry").arg(id)).value(QLatin1String("ok")).toBool(), true);
        QCOMPARE(c.rest.call("GET", c.admin() + QStringLiteral("/admin/dead-letters"), Cluster::kAdminToken)
                     .json.value(QLatin1String("items")).toArray().size(), 0);
        QCOMPARE(sqlNumber(c, QStringLiteral("SELECT max(last_seq) FROM segment_blocks")), 30);
        const QJsonArray all = readAll(c, app, convo, QStringLiteral("?after_seq=0&limit=50"), true);
        QCOMPARE(all.size(), 30);
        QCOMPARE(all.last().toObject().value(QLatin1String("seq_no")).toInt(), 30);
        // Unknown ids are not_found.
        QCOMPARE(c.rest.call("POST", c.admin() + QStringLiteral("/admin/dead-letters/nope/retry"), Cluster::kAdminToken,
                             QByteArray()).status, 404);
    }

    // FLUSHALL of Redis: the next sends continue each conversation after the highest seq_no in
    // segments, and history still has the flushed messages.
    void redisLossContinuesTheSequence()
    {
        Cluster c({{QStringLiteral("CONFAB_SEGMENTS_MAX_AGE"), QStringLiteral("1h")}});
        QCOMPARE(c.startNode(), 0);
        const auto created = c.createApp(noLimits());
        const App app{created.first, created.second};
        const QString convo = c.createConversation(app.key, {QStringLiteral("alice"), QStringLiteral("bob")});
        const QString other = c.createConversation(app.key, {QStringLiteral("alice"), QStringLiteral("carol")});
        postMany(c, app, convo, 1, 20);
        QVERIFY(!QTest::currentTestFailed());
        postMany(c, app, other, 1, 5);
        QVERIFY(!QTest::currentTestFailed());
        QCOMPARE(adminPost(c, QStringLiteral("/admin/flush")).value(QLatin1String("segments_written")).toInt(), 1);

        QCOMPARE(c.redisCli({QStringLiteral("FLUSHALL")}), QByteArray("OK"));
        // A send may be refused (unavailable, nothing applied) while counters are rebuilt; on a
        // cluster each slot is marked recovered on its own master, so each conversation may wait.
        QJsonObject ack;
        const auto sendAfterLoss = [&](const QString &conversation) {
            int status = 0;
            QElapsedTimer waited;
            waited.start();
            while ((status = post(c, app, conversation, QStringLiteral("after-loss"), 0, &ack)) == 503
                   && waited.elapsed() < 10000)
                QTest::qWait(50);
            return status;
        };
        QCOMPARE(sendAfterLoss(convo), 201);
        QCOMPARE(ack.value(QLatin1String("seq_no")).toInt(), 21);
        QCOMPARE(sendAfterLoss(other), 201);
        QCOMPARE(ack.value(QLatin1String("seq_no")).toInt(), 6);
        const QJsonArray all = readAll(c, app, convo, QStringLiteral("?after_seq=0&limit=50"), true);
        QCOMPARE(all.size(), 21);
        for (int i = 0; i < all.size(); ++i)
            QCOMPARE(all[i].toObject().value(QLatin1String("seq_no")).toInt(), i + 1);
    }
};

QTEST_MAIN(TestHistory)
#include "tst_history.moc"

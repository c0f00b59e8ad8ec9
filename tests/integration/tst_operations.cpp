// The operator's surface of a real confabd (issue "Operating Confab"): strict retention end to
// end, /metrics checked by promtool and moving with the events it counts, the admin REST
// operations.
#include "harness.h"
#include "support/exposition.h"

#include <QDateTime>
#include <QJsonArray>
#include <QSignalSpy>
#include <QNetworkReply>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

using namespace confab::test;

namespace {

int objectStatus(const QString &endpoint, const QString &bucket, const QString &key)
{
    QNetworkAccessManager nam;
    QNetworkReply *r = nam.head(QNetworkRequest(QUrl(QStringLiteral("%1/%2/%3").arg(endpoint, bucket, key))));
    QSignalSpy done(r, &QNetworkReply::finished);
    done.wait(10000);
    const int status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r->deleteLater();
    return status;
}

QStringList seqsOf(const QJsonArray &messages)
{
    QStringList out;
    for (const QJsonValue &m : messages)
        out.append(QString::number(m.toObject().value(QLatin1String("seq_no")).toInt()));
    return out;
}

} // namespace

class TestOperations : public QObject
{
    Q_OBJECT

    static QJsonObject noLimits()
    {
        return QJsonObject{{QStringLiteral("limits"),
                            QJsonObject{{QStringLiteral("user_msgs_per_min"), 0}, {QStringLiteral("app_msgs_per_s"), 0}}}};
    }

    static void post(Cluster &c, const QByteArray &key, const QString &convo, int from, int to)
    {
        for (int i = from; i <= to; ++i) {
            const HttpResult r = c.rest.call("POST", c.api() + QStringLiteral("/v1/conversations/%1/messages").arg(convo), key,
                                             QJsonObject{{QStringLiteral("client_msg_id"), QStringLiteral("m%1").arg(i)},
                                                         {QStringLiteral("content"), i},
                                                         {QStringLiteral("sender_id"), QStringLiteral("alice")}});
            QCOMPARE(r.status, 201);
        }
    }

    static QByteArray metrics(Cluster &c)
    {
        return c.rest.call("GET", c.admin() + QStringLiteral("/metrics"), {}).body;
    }

    static Exposition scrape(Cluster &c)
    {
        return Exposition::parse(metrics(c));
    }

    static QJsonObject adminPost(Cluster &c, const QString &path)
    {
        const HttpResult r = c.rest.call("POST", c.admin() + path, Cluster::kAdminToken, QByteArray());
        if (r.status != 200)
            qWarning("%s answered %d: %s", qPrintable(path), r.status, r.body.constData());
        return r.json;
    }

private Q_SLOTS:
    // max_age=15s: after a retention run nothing expired is returned by history or sync, the
    // expired segment object is gone from the bucket, its index rows from PostgreSQL, and the
    // deletion counter grew. A segment that is only partly expired stays, but its expired
    // records are not returned.
    void retentionRemovesExpired()
    {
        Cluster c({{QStringLiteral("CONFAB_RETENTION_MAX_AGE"), QStringLiteral("15s")},
                   {QStringLiteral("CONFAB_RETENTION_INTERVAL"), QStringLiteral("1d")},
                   {QStringLiteral("CONFAB_SEGMENTS_MAX_AGE"), QStringLiteral("1d")},
                   {QStringLiteral("CONFAB_SEGMENTS_HOT_WINDOW"), QStringLiteral("0")}});
        QCOMPARE(c.startNode(), 0);
        const auto app = c.createApp(noLimits());
        const QString convo = c.createConversation(app.second, {QStringLiteral("alice"), QStringLiteral("bob")});
        const QString other = c.createConversation(app.second, {QStringLiteral("alice"), QStringLiteral("carol")});

        // GIVEN an old segment (1..10), a segment half old (11..15 old, 16..20 new), and a
        // tail with an old and a new message in another conversation
        post(c, app.second, convo, 1, 10);
        QCOMPARE(adminPost(c, QStringLiteral("/admin/flush")).value(QLatin1String("segments_written")).toInt(), 1);
        const QString oldKey = QString::fromUtf8(psql(c.dbUrl(), QStringLiteral("SELECT segment_key FROM segments")));
        QVERIFY(!oldKey.isEmpty());
        TestEnv env;
        QCOMPARE(objectStatus(env.s3Endpoint(), env.s3Bucket(), oldKey), 200);
        post(c, app.second, convo, 11, 15);
        post(c, app.second, other, 1, 1);
        QTest::qWait(15500);
        post(c, app.second, convo, 16, 20);
        post(c, app.second, other, 2, 2);
        QCOMPARE(adminPost(c, QStringLiteral("/admin/flush")).value(QLatin1String("segments_written")).toInt(), 1);
        QCOMPARE(psql(c.dbUrl(), QStringLiteral("SELECT count(*) FROM segments")), QByteArray("2"));
        const double deletedBefore = scrape(c).at("confab_retention_deleted_segments_total");
        QCOMPARE(deletedBefore, 0.0);

        // WHEN a retention pass runs
        QCOMPARE(adminPost(c, QStringLiteral("/admin/retention/run")).value(QLatin1String("segments_deleted")).toInt(), 1);

        // THEN the old object and its index rows are gone, the half-old segment stays
        QCOMPARE(objectStatus(env.s3Endpoint(), env.s3Bucket(), oldKey), 404);
        QCOMPARE(psql(c.dbUrl(), QStringLiteral("SELECT count(*) FROM segments WHERE segment_key = '%1'").arg(oldKey)), QByteArray("0"));
        QCOMPARE(psql(c.dbUrl(), QStringLiteral("SELECT count(*) FROM segment_blocks WHERE segment_key = '%1'").arg(oldKey)), QByteArray("0"));
        QCOMPARE(psql(c.dbUrl(), QStringLiteral("SELECT count(*) FROM segments")), QByteArray("1"));
        QCOMPARE(scrape(c).at("confab_retention_deleted_segments_total"), 1.0);

        // ...and no read path returns anything expired
        const QStringList fresh{QStringLiteral("16"), QStringLiteral("17"), QStringLiteral("18"), QStringLiteral("19"), QStringLiteral("20")};
        const QString url = c.api() + QStringLiteral("/v1/conversations/%1/messages").arg(convo);
        QCOMPARE(seqsOf(c.rest.call("GET", url + QStringLiteral("?after_seq=0"), app.second).json.value(QLatin1String("messages")).toArray()), fresh);
        const HttpResult latest = c.rest.call("GET", url, app.second);
        QCOMPARE(seqsOf(latest.json.value(QLatin1String("messages")).toArray()), fresh);
        QVERIFY(latest.json.value(QLatin1String("next_page_token")).isNull());
        QCOMPARE(seqsOf(c.rest.call("GET", url + QStringLiteral("?before_seq=16"), app.second).json.value(QLatin1String("messages")).toArray()),
                 QStringList{});
        WsClient bob;
        QVERIFY(bob.connectAndAuth(c.ws(), c.userToken(app.second, QStringLiteral("bob"))));
        const QJsonObject sync = bob.request(QJsonObject{{QStringLiteral("type"), QStringLiteral("sync")},
                                                         {QStringLiteral("convo_id"), convo}, {QStringLiteral("after_seq"), 0}});
        QCOMPARE(seqsOf(sync.value(QLatin1String("messages")).toArray()), fresh);
        QCOMPARE(sync.value(QLatin1String("last_seq")).toInt(), 20);
        // The tail of the other conversation lost its expired entry; the counter is kept.
        QCOMPARE(seqsOf(c.rest.call("GET", c.api() + QStringLiteral("/v1/conversations/%1/messages?after_seq=0").arg(other), app.second)
                            .json.value(QLatin1String("messages")).toArray()),
                 QStringList{QStringLiteral("2")});
        post(c, app.second, convo, 21, 21);
        QCOMPARE(seqsOf(c.rest.call("GET", url + QStringLiteral("?after_seq=20"), app.second).json.value(QLatin1String("messages")).toArray()),
                 QStringList{QStringLiteral("21")});
        // A second pass has nothing left to delete.
        QCOMPARE(adminPost(c, QStringLiteral("/admin/retention/run")).value(QLatin1String("segments_deleted")).toInt(), 0);
    }

    // /metrics passes promtool, and each PROTOCOL.md section 8 family moves with its event.
    void metricsMoveWithTheirEvents()
    {
        Cluster c({{QStringLiteral("CONFAB_SEGMENTS_MAX_AGE"), QStringLiteral("1d")}});
        QCOMPARE(c.startNode(), 0);
        const auto app = c.createApp(noLimits());
        const QString convo = c.createConversation(app.second, {QStringLiteral("alice"), QStringLiteral("bob")});
        WsClient bob;
        QVERIFY(bob.connectAndAuth(c.ws(), c.userToken(app.second, QStringLiteral("bob"))));
        const Exposition before = scrape(c);

        constexpr int kN = 7;
        post(c, app.second, convo, 1, kN);
        for (int i = 0; i < kN; ++i)
            QVERIFY(!bob.waitFor(QStringLiteral("message.create")).isEmpty());
        // A duplicate and a refused send do not count as ingested.
        const HttpResult dup = c.rest.call("POST", c.api() + QStringLiteral("/v1/conversations/%1/messages").arg(convo), app.second,
                                           QJsonObject{{QStringLiteral("client_msg_id"), QStringLiteral("m1")},
                                                       {QStringLiteral("content"), 1}, {QStringLiteral("sender_id"), QStringLiteral("alice")}});
        QCOMPARE(dup.status, 200);
        QCOMPARE(c.rest.call("GET", c.api() + QStringLiteral("/v1/conversations"), "ck_bad_token").status, 401);
        // The stream depth gauge moves when the flush worker next reads the pending sets: within
        // [segments] max_age / 4, at most 5 s (docs/storage.md).
        QTRY_COMPARE_WITH_TIMEOUT(scrape(c).at("confab_stream_depth"), double(kN), 7000);
        const Exposition loaded = scrape(c);
        QCOMPARE(loaded.at("confab_messages_ingested_total")
                     - before.at("confab_messages_ingested_total"),
                 double(kN));
        QCOMPARE(loaded.at("confab_ws_connections"), 1.0);
        QVERIFY(loaded.at("confab_delivery_latency_seconds_count")
                >= before.at("confab_delivery_latency_seconds_count") + kN);
        QCOMPARE(loaded.at("confab_stream_depth"), double(kN));
        QVERIFY(loaded.sum("confab_http_requests_total", {{"code", "201"}})
                >= before.sum("confab_http_requests_total", {{"code", "201"}}) + kN);
        QVERIFY(loaded.sum("confab_http_request_duration_seconds_count")
                > before.sum("confab_http_request_duration_seconds_count"));
        QVERIFY(loaded.sum("confab_auth_failures_total")
                > before.sum("confab_auth_failures_total"));
        QVERIFY(loaded.at("confab_redis_memory_bytes") > 0);

        // A flush moves the segment families and the S3 request counter.
        QCOMPARE(adminPost(c, QStringLiteral("/admin/flush")).value(QLatin1String("segments_written")).toInt(), 1);
        QTest::qWait(1200); // after a flush, the next tick (1 s) reads the pending sets again
        const QByteArray flushedText = metrics(c);
        const Exposition flushed = Exposition::parse(flushedText);
        QCOMPARE(flushed.at("confab_segments_written_total"), 1.0);
        QCOMPARE(flushed.at("confab_segment_bytes_count"), 1.0);
        QCOMPARE(flushed.at("confab_flush_duration_seconds_count"), 1.0);
        QVERIFY(flushed.sum("confab_s3_requests_total", {{"op", "put"}})
                >= loaded.sum("confab_s3_requests_total", {{"op", "put"}}) + 1);
        QCOMPARE(flushed.at("confab_stream_depth"), 0.0);
        QCOMPARE(flushed.at("confab_dead_letters"), 0.0);
        QVERIFY(flushed.at("confab_retention_deleted_segments_total") >= 0);

        // promtool accepts the live exposition.
        const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
        QVERIFY2(!promtool.isEmpty(), "promtool (Debian package prometheus) is needed");
        QProcess check;
        check.start(promtool, {QStringLiteral("check"), QStringLiteral("metrics")});
        QVERIFY(check.waitForStarted());
        check.write(flushedText);
        check.closeWriteChannel();
        QVERIFY(check.waitForFinished(30000));
        const QByteArray complaints = check.readAllStandardOutput() + check.readAllStandardError();
        QVERIFY2(check.exitCode() == 0, complaints.constData());
    }

    // [server] write_coalesce_above reaches the public listener, pushes still arrive through the
    // windows, and confab_ws_write_windows_total counts them (docs/architecture.md).
    void writeWindowsAreCountedWhenTheRateIsReached()
    {
        // GIVEN a node whose window applies from one frame a second on
        Cluster c({{QStringLiteral("CONFAB_SERVER_WRITE_COALESCE_ABOVE"), QStringLiteral("1")}});
        QCOMPARE(c.startNode(), 0);
        const auto app = c.createApp(noLimits());
        const QString convo = c.createConversation(app.second, {QStringLiteral("alice"), QStringLiteral("bob")});
        WsClient bob;
        QVERIFY(bob.connectAndAuth(c.ws(), c.userToken(app.second, QStringLiteral("bob"))));
        QCOMPARE(scrape(c).at("confab_ws_write_windows_total"), 0.0);
        // WHEN messages are pushed to bob in two bursts, more than the rate's span apart
        constexpr int kN = 4;
        post(c, app.second, convo, 1, kN);
        QTest::qWait(150);
        post(c, app.second, convo, kN + 1, 2 * kN);
        // THEN every push arrives
        for (int i = 0; i < 2 * kN; ++i)
            QVERIFY(!bob.waitFor(QStringLiteral("message.create")).isEmpty());
        // AND the windows they waited for are counted (the stats tick mirrors the total)
        QTRY_VERIFY_WITH_TIMEOUT(scrape(c).at("confab_ws_write_windows_total") > 0, 10000);
    }

    // [server] loop_hold reaches confabd's loop: with every wakeup held (and long), sends are
    // still acked in order, with gapless seqs, and every push arrives (docs/architecture.md).
    void aHeldLoopStillAcksAndDelivers()
    {
        // GIVEN a node whose loop holds each wakeup 20 ms, at any load
        Cluster c({ { QStringLiteral("CONFAB_SERVER_LOOP_HOLD"), QStringLiteral("20ms") },
            { QStringLiteral("CONFAB_SERVER_LOOP_HOLD_ABOVE"), QStringLiteral("0") } });
        QCOMPARE(c.startNode(), 0);
        const auto app = c.createApp(noLimits());
        const QString convo
            = c.createConversation(app.second, { QStringLiteral("alice"), QStringLiteral("bob") });
        WsClient alice;
        WsClient bob;
        QVERIFY(alice.connectAndAuth(c.ws(), c.userToken(app.second, QStringLiteral("alice"))));
        QVERIFY(bob.connectAndAuth(c.ws(), c.userToken(app.second, QStringLiteral("bob"))));
        // WHEN alice sends ten messages without waiting for their acks
        constexpr int kN = 10;
        for (int i = 1; i <= kN; ++i) {
            QJsonObject frame
                = sendFrame(convo, QStringLiteral("held-%1").arg(i), QStringLiteral("m%1").arg(i));
            frame.insert(QStringLiteral("req"), QString::number(i));
            alice.send(frame);
        }
        // THEN each is acked, in order, with the next seq
        for (int i = 1; i <= kN; ++i) {
            const QJsonObject ack = alice.waitFor(QStringLiteral("message.ack"));
            QCOMPARE(ack.value(QLatin1String("req")).toString(), QString::number(i));
            QCOMPARE(ack.value(QLatin1String("seq_no")).toInteger(), qint64(i));
        }
        // AND bob gets every message, in seq order
        for (int i = 1; i <= kN; ++i) {
            const QJsonObject push = bob.waitFor(QStringLiteral("message.create"));
            QCOMPARE(push.value(QLatin1String("message"))
                         .toObject()
                         .value(QLatin1String("seq_no"))
                         .toInteger(),
                qint64(i));
        }
    }

    // GET /admin/stats answers the admin WebSocket's stats frame (an addition for curl users).
    void statsOverRest()
    {
        Cluster c;
        QCOMPARE(c.startNode(), 0);
        const HttpResult r = c.rest.call("GET", c.admin() + QStringLiteral("/admin/stats"), Cluster::kAdminToken);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QLatin1String("type")).toString(), QStringLiteral("stats"));
        for (const char *field : {"ts", "node_id", "nodes", "connections", "ingest_per_s", "stream_depth", "streams",
                                  "flush", "dead_letters", "redis"})
            QVERIFY2(r.json.contains(QLatin1String(field)), field);
        QCOMPARE(c.rest.call("GET", c.admin() + QStringLiteral("/admin/stats"), "wrong").status, 401);
    }
};

QTEST_MAIN(TestOperations)
#include "tst_operations.moc"

// confab-console's admin client against a real confabd (issue "confab-console"): stats arrive
// over /admin/ws, a wrong token is refused and not retried.
#include "core/adminclient.h"
#include "core/deadletterbatch.h"
#include "core/stats.h"
#include "harness.h"

#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <algorithm>

using namespace confab::test;
using confab::console::AdminClient;
using confab::console::AdminReply;
using confab::console::DeadLetterBatch;

class TestConsoleLive : public QObject
{
    Q_OBJECT

    std::unique_ptr<Cluster> m_cluster;

    QUrl adminWs() const
    {
        return QUrl(m_cluster->admin().replace(QStringLiteral("http://"), QStringLiteral("ws://")) + QStringLiteral("/admin/ws"));
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_cluster = std::make_unique<Cluster>();
        QCOMPARE(m_cluster->startNode(), 0);
    }

    void statsArrive()
    {
        AdminClient client;
        client.setStatsIntervalMs(200);
        QSignalSpy stats(&client, &AdminClient::statsReceived);
        client.open(adminWs(), QString::fromLatin1(Cluster::kAdminToken));
        QTRY_VERIFY_WITH_TIMEOUT(stats.size() >= 3, 10000);
        const auto s = stats.last().first().value<confab::console::Stats>();
        QCOMPARE(s.nodeId, QStringLiteral("node1"));
        QCOMPARE(s.nodes.size(), 1);
        QCOMPARE(client.state(), AdminClient::State::Connected);
    }

    // A dead letter made by stopping the S3 server is listed, a retry while storage is still
    // down fails with its reason, and once S3 is back a retry from the client succeeds.
    void deadLetterListedAndRetried()
    {
        TestEnv env;
        S3Server s3(env);
        QVERIFY(s3.start());
        Cluster cluster(outageSettings(s3, QStringLiteral("200ms"), QStringLiteral("1s")));
        QCOMPARE(cluster.startNode(), 0);
        const auto app = cluster.createApp();
        const QString convo = cluster.createConversation(app.second, {QStringLiteral("a"), QStringLiteral("b")});
        s3.stop();
        for (int i = 1; i <= 5; ++i) {
            const HttpResult r = cluster.rest.call(
                "POST", cluster.api() + QStringLiteral("/v1/conversations/%1/messages").arg(convo), app.second,
                QJsonObject{{QStringLiteral("client_msg_id"), QStringLiteral("m%1").arg(i)},
                            {QStringLiteral("content"), i}, {QStringLiteral("sender_id"), QStringLiteral("a")}});
            QCOMPARE(r.status, 201);
        }

        AdminClient client;
        client.setStatsIntervalMs(200);
        QSignalSpy stats(&client, &AdminClient::statsReceived);
        client.open(QUrl(cluster.admin().replace(QStringLiteral("http://"), QStringLiteral("ws://")) + QStringLiteral("/admin/ws")),
                    QString::fromLatin1(Cluster::kAdminToken));
        // The stats frame shows the waiting stream, then the dead letter.
        QTRY_VERIFY_WITH_TIMEOUT(!stats.isEmpty() && stats.last().first().value<confab::console::Stats>().deadLetterCount == 1, 20000);
        const auto s = stats.last().first().value<confab::console::Stats>();
        QCOMPARE(s.streamDepth, 5);
        QCOMPARE(s.streams.size(), 1);
        QCOMPARE(s.streams.first().convoId, convo);

        AdminReply *list = client.listDeadLetters();
        QSignalSpy listed(list, &AdminReply::finished);
        QVERIFY(listed.wait(10000));
        QVERIFY(list->isOk());
        QCOMPARE(list->deadLetters().size(), 1);
        const confab::console::DeadLetter dl = list->deadLetters().first();
        QCOMPARE(dl.kind, QStringLiteral("segment_flush"));
        QCOMPARE(dl.convoId, convo);
        QCOMPARE(dl.firstSeq, 1);
        QCOMPARE(dl.lastSeq, 5);

        AdminReply *early = client.retryDeadLetter(dl.id);
        QSignalSpy earlyDone(early, &AdminReply::finished);
        QVERIFY(earlyDone.wait(20000));
        QVERIFY(!early->isOk());
        QCOMPARE(early->error().code, confab::ErrorCode::Unavailable);

        QVERIFY(s3.start());
        AdminReply *retry = client.retryDeadLetter(dl.id);
        QSignalSpy retried(retry, &AdminReply::finished);
        QVERIFY(retried.wait(20000));
        QVERIFY2(retry->isOk(), qPrintable(retry->error().message));
        AdminReply *after = client.listDeadLetters();
        QSignalSpy listedAfter(after, &AdminReply::finished);
        QVERIFY(listedAfter.wait(10000));
        QVERIFY(after->isOk());
        QCOMPARE(after->deadLetters().size(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(stats.last().first().value<confab::console::Stats>().deadLetterCount == 0, 10000);

        AdminReply *flush = client.flushNow();
        QSignalSpy flushed(flush, &AdminReply::finished);
        QVERIFY(flushed.wait(10000));
        QVERIFY(flush->isOk());
        QCOMPARE(flush->response().value(QLatin1String("segments_written")).toInt(), 0);
    }

    // The server goes away and comes back on the same address: the client waits, reconnects by
    // itself and stats resume.
    void reconnectsAfterRestart()
    {
        Cluster cluster;
        QCOMPARE(cluster.startNode(), 0);
        AdminClient client;
        client.setStatsIntervalMs(200);
        client.setReconnectBackoff(100, 500);
        QSignalSpy stats(&client, &AdminClient::statsReceived);
        client.open(QUrl(cluster.admin().replace(QStringLiteral("http://"), QStringLiteral("ws://")) + QStringLiteral("/admin/ws")),
                    QString::fromLatin1(Cluster::kAdminToken));
        QTRY_VERIFY_WITH_TIMEOUT(!stats.isEmpty(), 10000);
        cluster.node(0).terminate();
        QTRY_VERIFY_WITH_TIMEOUT(client.state() != AdminClient::State::Connected, 10000);
        QVERIFY(!client.lastError().isEmpty());
        QVERIFY(cluster.node(0).start());
        stats.clear();
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), AdminClient::State::Connected, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(!stats.isEmpty(), 10000);
    }

    // Retrying more dead letters than the server's 8 admin requests in flight: the batch keeps
    // at most 8 out, every one is answered (none refused with rate_limited for good), and the
    // outcome is one count of successes and failures with the first failure's reason.
    void batchRetryStaysWithinTheInFlightLimit()
    {
        TestEnv env;
        S3Server s3(env);
        QVERIFY(s3.start());
        Cluster cluster(outageSettings(s3, QStringLiteral("200ms"), QStringLiteral("1s")));
        QCOMPARE(cluster.startNode(), 0);
        const auto app = cluster.createApp();
        constexpr int kConvos = 12;
        QStringList convos;
        for (int i = 0; i < kConvos; ++i)
            convos << cluster.createConversation(app.second, {QStringLiteral("a"), QStringLiteral("b")});
        // GIVEN one dead letter per conversation (S3 down past the retry window)
        s3.stop();
        for (const QString &convo : std::as_const(convos)) {
            const HttpResult r = cluster.rest.call(
                "POST", cluster.api() + QStringLiteral("/v1/conversations/%1/messages").arg(convo), app.second,
                QJsonObject{{QStringLiteral("client_msg_id"), QStringLiteral("m-%1").arg(convo)},
                            {QStringLiteral("content"), 1}, {QStringLiteral("sender_id"), QStringLiteral("a")}});
            QCOMPARE(r.status, 201);
        }
        AdminClient client;
        client.setStatsIntervalMs(200);
        QSignalSpy stats(&client, &AdminClient::statsReceived);
        client.open(QUrl(cluster.admin().replace(QStringLiteral("http://"), QStringLiteral("ws://")) + QStringLiteral("/admin/ws")),
                    QString::fromLatin1(Cluster::kAdminToken));
        QTRY_VERIFY_WITH_TIMEOUT(!stats.isEmpty() && stats.last().first().value<confab::console::Stats>().deadLetterCount == kConvos, 30000);
        AdminReply *list = client.listDeadLetters();
        QSignalSpy listed(list, &AdminReply::finished);
        QVERIFY(listed.wait(10000));
        QVERIFY(list->isOk());
        QStringList ids;
        for (const confab::console::DeadLetter &dl : list->deadLetters())
            ids << dl.id;
        QCOMPARE(ids.size(), kConvos);
        // AND one id the server does not know, in the middle of the selection
        ids.insert(5, QStringLiteral("01J00000000000000000000000"));
        QVERIFY(s3.start());

        // WHEN they are all retried as one batch
        DeadLetterBatch batch(&client, DeadLetterBatch::Kind::Retry, ids);
        QSignalSpy finished(&batch, &DeadLetterBatch::finished);
        QSignalSpy items(&batch, &DeadLetterBatch::itemDone);
        int peakPending = 0;
        QTimer sampler;
        sampler.setInterval(0);
        QObject::connect(&sampler, &QTimer::timeout, &client,
                         [&] { peakPending = std::max(peakPending, client.pendingRequests()); });
        sampler.start();
        batch.start();
        QVERIFY(finished.wait(60000));
        sampler.stop();

        // THEN never more than the server's limit was out, and all of them were
        QCOMPARE(batch.peakInFlight(), DeadLetterBatch::maxInFlight());
        QVERIFY2(peakPending <= 8, qPrintable(QString::number(peakPending)));
        QCOMPARE(finished.size(), 1);
        QCOMPARE(items.size(), kConvos + 1);
        // AND the summary is 12 retried, 1 failed with its reason
        QCOMPARE(batch.succeeded(), kConvos);
        QCOMPARE(batch.failed(), 1);
        QVERIFY2(batch.firstError().contains(QLatin1String("no such dead letter")), qPrintable(batch.firstError()));
        AdminReply *after = client.listDeadLetters();
        QSignalSpy listedAfter(after, &AdminReply::finished);
        QVERIFY(listedAfter.wait(10000));
        QVERIFY(after->isOk());
        QCOMPARE(after->deadLetters().size(), 0);
    }

    void wrongTokenRefused()
    {
        AdminClient client;
        client.setReconnectBackoff(100, 200);
        client.open(adminWs(), QStringLiteral("wrong"));
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), AdminClient::State::Disconnected, 10000);
        QVERIFY(!client.lastError().isEmpty());
    }
};

QTEST_MAIN(TestConsoleLive)
#include "tst_consolelive.moc"

// confab-console's admin client against a real confabd (issue "confab-console"): stats arrive
// over /admin/ws, a wrong token is refused and not retried.
#include "core/adminclient.h"
#include "core/stats.h"
#include "harness.h"

#include <QSignalSpy>
#include <QTest>

using namespace confab::test;
using confab::console::AdminClient;
using confab::console::AdminReply;

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

// The console's window against a loaded two-node confabd (issue "confab-console"): real traffic
// over REST and WebSocket, then an S3 outage that makes streams fall behind and a dead letter.
// Checks what each view shows, retries the dead letter from the window once storage is back,
// and saves the screenshots of docs/console.md (English and German) to CONFAB_SCREENSHOT_DIR,
// by default <build>/tests/integration/screenshots; scripts/console-screenshots.sh regenerates
// docs/images/ with it.
#include "core/adminclient.h"
#include "core/deadlettersmodel.h"
#include "core/nodesmodel.h"
#include "core/profilestore.h"
#include "core/streamsmodel.h"
#include "harness.h"
#include "screenshots.h"
#include "widgets/deadletterspage.h"
#include "widgets/language.h"
#include "widgets/mainwindow.h"
#include "widgets/overviewpage.h"
#include "widgets/streamspage.h"

#include <QDir>
#include <QItemSelectionModel>
#include <QJsonDocument>
#include <QMessageBox>
#include <QNetworkReply>
#include <QPushButton>
#include <QSettings>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <memory>
#include <vector>

using namespace confab::test;
using namespace confab::console;

namespace
{

struct Conversation {
    QString id;
    QStringList members;
};

// Sends one message per tick to the current targets, in turn: three of four over a member's
// WebSocket, the fourth over REST with the API key. Nothing waits, so the window keeps
// receiving stats while the load runs.
class Load
{
public:
    Load(QString api, QByteArray apiKey, QHash<QString, WsClient *> sockets)
        : m_api(std::move(api))
        , m_apiKey(std::move(apiKey))
        , m_sockets(std::move(sockets))
    {
        m_timer.setInterval(50);
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] { tick(); });
    }

    void start(const QList<Conversation> &targets)
    {
        m_targets = targets;
        m_timer.start();
    }
    void stop() { m_timer.stop(); }
    [[nodiscard]] int restAccepted() const { return m_restAccepted; }
    [[nodiscard]] int sent() const { return m_sent; }

private:
    void tick()
    {
        const Conversation &c = m_targets.at(m_sent % m_targets.size());
        const QString sender = c.members.at((m_sent / m_targets.size()) % c.members.size());
        const QString cmid = QStringLiteral("shot-%1").arg(m_sent);
        const QJsonObject content { { QStringLiteral("text"),
            QStringLiteral("message %1 from %2").arg(m_sent).arg(sender) } };
        if (m_sent % 4 == 3) {
            QNetworkRequest req(
                QUrl(m_api + QStringLiteral("/v1/conversations/%1/messages").arg(c.id)));
            req.setHeader(
                QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
            req.setRawHeader("Authorization", "Bearer " + m_apiKey);
            const QJsonObject body { { QStringLiteral("client_msg_id"), cmid },
                { QStringLiteral("content"), content }, { QStringLiteral("sender_id"), sender } };
            QNetworkReply *reply
                = m_nam.post(req, QJsonDocument(body).toJson(QJsonDocument::Compact));
            QObject::connect(reply, &QNetworkReply::finished, &m_timer, [this, reply] {
                if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 201)
                    ++m_restAccepted;
                reply->deleteLater();
            });
        } else {
            m_sockets.value(sender)->send(
                { { QStringLiteral("type"), QStringLiteral("message.send") },
                    { QStringLiteral("req"), cmid }, { QStringLiteral("convo_id"), c.id },
                    { QStringLiteral("client_msg_id"), cmid },
                    { QStringLiteral("content"), content } });
        }
        ++m_sent;
    }

    QString m_api;
    QByteArray m_apiKey;
    QHash<QString, WsClient *> m_sockets;
    QList<Conversation> m_targets;
    QNetworkAccessManager m_nam;
    QTimer m_timer;
    int m_sent = 0;
    int m_restAccepted = 0;
};

QStringList idsOf(const QList<Conversation> &convos)
{
    QStringList ids;
    for (const Conversation &c : convos)
        ids.append(c.id);
    return ids;
}

} // namespace

class TestConsoleScreens : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;


    // Selects the first `rows` dead letters (all of them by default).
    static void selectDeadLetters(MainWindow &window, int rows = -1)
    {
        QTableView *view = window.deadLettersPage()->view();
        const int last = (rows < 0 ? view->model()->rowCount() : rows) - 1;
        view->selectionModel()->select(
            QItemSelection(view->model()->index(0, 0), view->model()->index(last, 0)),
            QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    }

    // The discard confirmation, grabbed and cancelled: nothing is discarded.
    void shootDiscardConfirmation(MainWindow &window, const QString &name)
    {
        QTest::mouseClick(
            window.findChild<QPushButton *>(QStringLiteral("discardButton")), Qt::LeftButton);
        QMessageBox *box = nullptr;
        QTRY_VERIFY((box = window.findChild<QMessageBox *>(QStringLiteral("discardConfirmation")))
            != nullptr);
        QTRY_VERIFY(box->isVisible());
        QVERIFY(saveScreenshot(box, name));
        box->button(QMessageBox::Cancel)->click();
        QTRY_VERIFY(!window.findChild<QMessageBox *>(QStringLiteral("discardConfirmation")));
    }

    static QStringList streamKeys(MainWindow &window)
    {
        QStringList keys;
        for (const StreamStats &s : window.streamsPage()->model()->rows())
            keys.append(s.convoId);
        return keys;
    }

    // confab_flush_failures_total of a node's /metrics.
    static int flushFailures(Cluster &cluster, int node)
    {
        return int(cluster.metric(node, "confab_flush_failures_total"));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QCOMPARE(installTranslations(QStringLiteral("en")), QStringLiteral("en_US"));
    }

    // Retry on more dead letters than the server's 8 admin requests in flight: the window keeps
    // within the limit (no rate_limited failure) and shows one summary for all of them.
    void retryOfMoreThanEightSelectedRows()
    {
        TestEnv env;
        S3Server s3(env);
        QVERIFY(s3.start());
        Cluster cluster(outageSettings(s3, QStringLiteral("200ms"), QStringLiteral("1s")));
        QCOMPARE(cluster.startNode(), 0);
        const auto app = cluster.createApp();
        constexpr int kRows = 12;
        s3.stop();
        for (int i = 0; i < kRows; ++i) {
            const QString convo = cluster.createConversation(
                app.second, { QStringLiteral("a"), QStringLiteral("b") });
            const HttpResult r = cluster.rest.call("POST",
                cluster.api() + QStringLiteral("/v1/conversations/%1/messages").arg(convo),
                app.second,
                QJsonObject { { QStringLiteral("client_msg_id"), QStringLiteral("m%1").arg(i) },
                    { QStringLiteral("content"), i },
                    { QStringLiteral("sender_id"), QStringLiteral("a") } });
            QCOMPARE(r.status, 201);
        }

        QSettings settings(
            m_dir.filePath(QStringLiteral("batch.ini")), QSettings::IniFormat);
        AdminClient client;
        client.setStatsIntervalMs(200);
        ProfileStore profiles(&settings);
        MainWindow window(&client, &profiles, &settings);
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/admin/ws")
                             .arg(cluster.node(0).internalPort())),
            QString::fromLatin1(Cluster::kAdminToken));
        window.tabs()->setCurrentIndex(MainWindow::DeadLettersTab);
        QTRY_COMPARE_WITH_TIMEOUT(window.deadLettersPage()->model()->rowCount(), kRows, 30000);

        // WHEN S3 is back and all 12 rows are retried at once
        QVERIFY(s3.start());
        selectDeadLetters(window);
        QCOMPARE(window.deadLettersPage()->selectedIds().size(), kRows);
        int peakPending = 0;
        QTimer sampler;
        sampler.setInterval(0);
        connect(&sampler, &QTimer::timeout, &client,
            [&] { peakPending = std::max(peakPending, client.pendingRequests()); });
        sampler.start();
        QTest::mouseClick(
            window.findChild<QPushButton *>(QStringLiteral("retryButton")), Qt::LeftButton);
        // THEN one summary says all of them were retried, none refused
        QTRY_COMPARE_WITH_TIMEOUT(
            window.actionResultText(), QStringLiteral("Retried 12 dead letters."), 60000);
        sampler.stop();
        QVERIFY2(peakPending <= 8, qPrintable(QString::number(peakPending)));
        QTRY_COMPARE(window.deadLettersPage()->model()->rowCount(), 0);
        window.close();
        client.close();
    }

    void viewsOfALoadedServer()
    {
        // GIVEN two nodes on their own S3 server, flushing every half second and turning a
        // failed flush into a dead letter after one second of retries.
        TestEnv env;
        S3Server s3(env);
        QVERIFY(s3.start());
        Cluster cluster(outageSettings(s3, QStringLiteral("500ms"), QStringLiteral("1s")));
        QCOMPARE(cluster.startNode(), 0);
        // Only node1 (the one the window watches) flushes: the flush counts of a stats frame are
        // its own node's, and with both flushing the app, which node takes each flush's lease
        // is timing (once node2 took nearly all of them for three minutes).
        QCOMPARE(cluster.startNode({{QStringLiteral("CONFAB_SEGMENTS_MAX_AGE"), QStringLiteral("1d")}}), 1);

        // An app without rate limits, six conversations of three members each, and every user
        // online: all on node1, three of them on node2 as well.
        const auto app
            = cluster.createApp(QJsonObject { { QStringLiteral("name"), QStringLiteral("acme") },
                { QStringLiteral("limits"),
                    QJsonObject { { QStringLiteral("user_msgs_per_min"), 0 },
                        { QStringLiteral("app_msgs_per_s"), 0 },
                        { QStringLiteral("conns_per_user_per_10s"), 0 } } } });
        QVERIFY(!app.first.isEmpty());
        const QStringList users { QStringLiteral("alice"), QStringLiteral("bob"),
            QStringLiteral("carol"), QStringLiteral("dave"), QStringLiteral("erin") };
        QList<Conversation> convos;
        for (int i = 0; i < 6; ++i) {
            const QStringList members { users.at(i % 5), users.at((i + 1) % 5),
                users.at((i + 3) % 5) };
            const QString id = cluster.createConversation(app.second, members);
            QVERIFY(!id.isEmpty());
            convos.append({ id, members });
        }
        std::vector<std::unique_ptr<WsClient>> sockets;
        QHash<QString, WsClient *> senders;
        for (qsizetype i = 0; i < users.size(); ++i) {
            const QString &u = users.at(i);
            const QByteArray token = cluster.userToken(app.second, u);
            for (int node = 0; node < (i < 3 ? 2 : 1); ++node) {
                sockets.push_back(std::make_unique<WsClient>());
                QVERIFY(sockets.back()->connectAndAuth(cluster.ws(node), token));
                if (node == 0)
                    senders.insert(u, sockets.back().get());
            }
        }

        // The window connects to node1's admin WebSocket as the program does after the
        // connect dialog, before any traffic, so the charts see all of it.
        QSettings settings(m_dir.filePath(QStringLiteral("console.ini")), QSettings::IniFormat);
        // Streams here flush after 0.5 s; one 5 s old is well behind (the default, 60 s, is
        // twice the default max_age).
        settings.setValue(QStringLiteral("streams/behindSeconds"), 5);
        QList<Stats> frames;
        AdminClient client;
        client.setStatsIntervalMs(500);
        connect(&client, &AdminClient::statsReceived, &client,
            [&frames](const Stats &s) { frames.append(s); });
        ProfileStore profiles(&settings);
        auto window = std::make_unique<MainWindow>(&client, &profiles, &settings);
        window->resize(1280, 800);
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window.get()));
        const QUrl adminWs(
            QStringLiteral("ws://127.0.0.1:%1/admin/ws").arg(cluster.node(0).internalPort()));
        client.open(adminWs, QString::fromLatin1(Cluster::kAdminToken));
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), AdminClient::State::Connected, 10000);

        // WHEN messages flow at 20/s into every conversation for a while...
        Load load(cluster.api(0), app.second, senders);
        load.start(convos);
        QTRY_VERIFY_WITH_TIMEOUT(window->overviewPage()->history().size() >= 36 && !frames.isEmpty()
                && frames.last().flush.segmentsTotal >= 5,
            60000); // generous: on a loaded 2-core CI box the first flushes lag

        // ...then object storage goes away while three conversations keep receiving.
        const QList<Conversation> stuck = convos.mid(0, 3);
        load.start(stuck);
        s3.stop();
        QTRY_VERIFY_WITH_TIMEOUT(
            !cluster.rest
                 .call("GET", cluster.admin() + QStringLiteral("/admin/dead-letters"),
                     Cluster::kAdminToken)
                 .json.value(QLatin1String("items"))
                 .toArray()
                 .isEmpty(),
            20000);

        // THEN the views show it: both nodes with their connections, the stuck conversations
        // falling behind, the dead letter listed.
        QTRY_VERIFY_WITH_TIMEOUT(window->deadLettersPage()->model()->rowCount() >= 1, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(window->streamsPage()->model()->behindCount() >= 3, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(!frames.isEmpty() && frames.last().ingestPerS > 0, 5000);
        const NodesModel *nodes = window->overviewPage()->nodesModel();
        QCOMPARE(nodes->rowCount(), 2);
        QStringList nodeIds;
        for (const NodeStats &n : nodes->rows()) {
            nodeIds.append(n.nodeId);
            QVERIFY2(n.connections > 0, qPrintable(n.nodeId));
        }
        nodeIds.sort();
        QCOMPARE(nodeIds, QStringList({ QStringLiteral("node1"), QStringLiteral("node2") }));
        QVERIFY(window->overviewPage()->figureText(QStringLiteral("connections"))
            != QLatin1String("0"));
        const QStringList shown = streamKeys(*window);
        for (const Conversation &c : stuck)
            QVERIFY2(shown.contains(c.id), qPrintable(shown.join(QLatin1Char(' '))));
        for (const DeadLetter &dl : window->deadLettersPage()->model()->rows()) {
            QCOMPARE(dl.kind, QStringLiteral("segment_flush"));
            QCOMPARE(dl.appId, app.first);
            QVERIFY2(idsOf(convos).contains(dl.convoId), qPrintable(dl.convoId));
        }
        QVERIFY(window->tabs()->tabText(MainWindow::DeadLettersTab).contains(QLatin1Char('(')));

        window->tabs()->setCurrentIndex(MainWindow::OverviewTab);
        QVERIFY(saveScreenshot(window.get(), QStringLiteral("overview-en")));
        window->tabs()->setCurrentIndex(MainWindow::StreamsTab);
        QVERIFY(saveScreenshot(window.get(), QStringLiteral("streams-en")));
        window->tabs()->setCurrentIndex(MainWindow::DeadLettersTab);
        selectDeadLetters(*window, 1);
        QVERIFY(saveScreenshot(window.get(), QStringLiteral("dead-letters-en")));
        shootDiscardConfirmation(*window, QStringLiteral("discard-en"));

        // A retry while storage is still down fails with its reason; the dead letter stays.
        const int deadLetters = window->deadLettersPage()->model()->rowCount();
        selectDeadLetters(*window, 1);
        auto *retryButton = window->findChild<QPushButton *>(QStringLiteral("retryButton"));
        QVERIFY(retryButton->isEnabled());
        QTest::mouseClick(retryButton, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(window->actionResultText().startsWith(
                                     QLatin1String("Retried 0 dead letters. 1 failed:")),
            20000);
        QCOMPARE(window->deadLettersPage()->model()->rowCount(), deadLetters);

        // German: the window translates its texts when built, so a new one is built after the
        // catalogue changes, on the same connection. Its charts get the frames the English
        // window has seen, then live ones.
        window->close();
        window.reset();
        QCOMPARE(installTranslations(QStringLiteral("de")), QStringLiteral("de_DE"));
        window = std::make_unique<MainWindow>(&client, &profiles, &settings);
        window->resize(1280, 800);
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window.get()));
        for (const Stats &s : std::as_const(frames))
            window->overviewPage()->showStats(s);
        const qsizetype replayed = window->overviewPage()->history().size();
        QTRY_VERIFY_WITH_TIMEOUT(window->overviewPage()->history().size() >= replayed + 2
                && window->streamsPage()->model()->behindCount() >= 3
                && window->deadLettersPage()->model()->rowCount() >= 1,
            10000);
        QCOMPARE(window->overviewPage()->nodesModel()->rowCount(), 2);
        QCOMPARE(window->tabs()->tabText(MainWindow::OverviewTab), QStringLiteral("&Übersicht"));
        QVERIFY2(window->connectionText().startsWith(QLatin1String("Verbunden")),
            qPrintable(window->connectionText()));
        window->tabs()->setCurrentIndex(MainWindow::OverviewTab);
        QVERIFY(saveScreenshot(window.get(), QStringLiteral("overview-de")));
        window->tabs()->setCurrentIndex(MainWindow::StreamsTab);
        QVERIFY(saveScreenshot(window.get(), QStringLiteral("streams-de")));
        window->tabs()->setCurrentIndex(MainWindow::DeadLettersTab);
        selectDeadLetters(*window, 1);
        QVERIFY(saveScreenshot(window.get(), QStringLiteral("dead-letters-de")));
        shootDiscardConfirmation(*window, QStringLiteral("discard-de"));

        // Storage is back: Retry in the window writes the dead letters, and none is left. First
        // node1, the one that flushes, must have given up on the app (two failed flushes, each
        // longer than the 1 s retry window): until the dead-letter retry (1 h) only the
        // window's Retry flushes it then, and no automatic flush races with it.
        load.stop();
        QTRY_VERIFY_WITH_TIMEOUT(flushFailures(cluster, 0) >= 2, 20000);
        QVERIFY(s3.start());
        const int open = window->deadLettersPage()->model()->rowCount();
        selectDeadLetters(*window);
        retryButton = window->findChild<QPushButton *>(QStringLiteral("retryButton"));
        QVERIFY(retryButton->isEnabled());
        QTest::mouseClick(retryButton, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(window->actionResultText(),
            open == 1 ? QStringLiteral("1 Dead Letter wiederholt.")
                      : QStringLiteral("%1 Dead Letters wiederholt.").arg(open),
            30000);
        QTRY_COMPARE(window->deadLettersPage()->model()->rowCount(), 0);
        const HttpResult after = cluster.rest.call(
            "GET", cluster.admin() + QStringLiteral("/admin/dead-letters"), Cluster::kAdminToken);
        QCOMPARE(after.status, 200);
        QCOMPARE(after.json.value(QLatin1String("items")).toArray().size(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(frames.last().deadLetterCount == 0, 10000);
        QVERIFY(load.sent() > 0 && load.restAccepted() > 0);
        window->close();
        client.close();
    }
};

QTEST_MAIN(TestConsoleScreens)
#include "tst_consolescreens.moc"

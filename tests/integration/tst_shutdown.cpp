// The graceful shutdown (issue 12, docs/operations.md "Shutdown"): SIGTERM under load with Redis
// paused sends every client a system.notice, refuses new sends, answers the sends already in
// flight once Redis is back, closes with 1001 and exits 0; every acknowledged message is in the
// history a fresh node reads. The grace end and a second SIGTERM end the drain early.
#include "harness.h"

#include <QJsonArray>
#include <QSet>
#include <QTest>

#include <csignal>
#include <sys/types.h>

using namespace confab::test;

namespace
{

// Stops a process (SIGSTOP) for its own lifetime: the cluster's redis-server is always resumed,
// also when a QVERIFY returns early.
class PausedProcess
{
public:
    explicit PausedProcess(qint64 pid)
        : m_pid(pid)
    {
        if (m_pid > 0)
            m_paused = ::kill(pid_t(m_pid), SIGSTOP) == 0;
    }
    ~PausedProcess() { resume(); }
    PausedProcess(const PausedProcess &) = delete;
    PausedProcess &operator=(const PausedProcess &) = delete;

    [[nodiscard]] bool isPaused() const { return m_paused; }
    void resume()
    {
        if (std::exchange(m_paused, false))
            ::kill(pid_t(m_pid), SIGCONT);
    }

private:
    qint64 m_pid;
    bool m_paused = false;
};

QJsonObject sendWithReq(const QString &convo, const QString &id)
{
    QJsonObject f = sendFrame(convo, id, QJsonObject { { QStringLiteral("text"), id } });
    f.insert(QStringLiteral("req"), id);
    return f;
}

bool hasReq(const QJsonObject &frame, const QString &req)
{
    return frame.value(QLatin1String("req")).toString() == req;
}

} // namespace

class TestShutdown : public QObject
{
    Q_OBJECT

    struct Client {
        std::unique_ptr<WsClient> ws = std::make_unique<WsClient>();
        QString user;
    };

    static QHash<QString, QString> settings(const QString &grace)
    {
        return { { QStringLiteral("CONFAB_SERVER_SHUTDOWN_GRACE"), grace },
            { QStringLiteral("CONFAB_LIMITS_USER_MSGS_PER_MIN"), QStringLiteral("100000") } };
    }

    // client_msg_id -> seq_no of every message.ack the clients received.
    static QHash<QString, qint64> acked(const std::vector<Client> &clients)
    {
        QHash<QString, qint64> out;
        for (const Client &c : clients) {
            for (const QJsonObject &a : c.ws->frames(QStringLiteral("message.ack")))
                out.insert(a.value(QLatin1String("req")).toString(),
                    qint64(a.value(QLatin1String("seq_no")).toDouble()));
        }
        return out;
    }

    static QHash<QString, qint64> history(
        Cluster &cluster, int node, const QByteArray &key, const QString &convo)
    {
        QHash<QString, qint64> out;
        QString url = cluster.api(node)
            + QStringLiteral("/v1/conversations/%1/messages?after_seq=0&limit=200").arg(convo);
        for (;;) {
            const HttpResult r = cluster.rest.call("GET", url, key);
            if (r.status != 200) {
                qWarning("history: HTTP %d %s", r.status, r.body.constData());
                return out;
            }
            for (const QJsonValue &v : r.json.value(QLatin1String("messages")).toArray()) {
                const QJsonObject m = v.toObject();
                out.insert(m.value(QLatin1String("client_msg_id")).toString(),
                    qint64(m.value(QLatin1String("seq_no")).toDouble()));
            }
            const QString next = r.json.value(QLatin1String("next_page_token")).toString();
            if (next.isEmpty())
                return out;
            url = cluster.api(node)
                + QStringLiteral("/v1/conversations/%1/messages?page_token=%2").arg(convo, next);
        }
    }

    // Six users in one conversation, each connected to node 0.
    static void connectClients(Cluster &cluster, const QByteArray &key, const QString &convo,
        std::vector<Client> &clients, QStringList users)
    {
        Q_UNUSED(convo);
        for (const QString &u : users) {
            Client c;
            c.user = u;
            QVERIFY(c.ws->connectAndAuth(cluster.ws(), cluster.userToken(key, u)));
            clients.push_back(std::move(c));
        }
    }

private Q_SLOTS:
    void sigtermUnderLoadWithRedisPaused()
    {
        Cluster cluster(settings(QStringLiteral("15s")));
        QCOMPARE(cluster.startNode(), 0);
        QVERIFY(cluster.redis());
        const QByteArray key = cluster.createApp().second;
        QStringList users;
        for (int i = 1; i <= 6; ++i)
            users << QStringLiteral("u%1").arg(i);
        const QString convo = cluster.createConversation(key, users);
        std::vector<Client> clients;
        connectClients(cluster, key, convo, clients, users);
        QCOMPARE(int(clients.size()), 6);

        // GIVEN a load of sends, all acknowledged
        for (Client &c : clients) {
            for (int i = 0; i < 20; ++i)
                c.ws->send(sendWithReq(convo, QStringLiteral("%1-warm-%2").arg(c.user).arg(i)));
        }
        QTRY_COMPARE_WITH_TIMEOUT(acked(clients).size(), 6 * 20, 20000);

        // AND sends in flight while Redis stands still
        PausedProcess redis(cluster.redis()->pid());
        QVERIFY(redis.isPaused());
        QStringList inFlight;
        for (Client &c : clients) {
            for (int i = 0; i < 4; ++i) {
                const QString id = QStringLiteral("%1-inflight-%2").arg(c.user).arg(i);
                c.ws->send(sendWithReq(convo, id));
                inFlight << id;
            }
        }
        QTest::qWait(300); // they reach the node, which waits for Redis
        for (const QString &id : std::as_const(inFlight))
            QVERIFY2(!acked(clients).contains(id), qPrintable(id));

        // WHEN the node gets SIGTERM
        QProcess &node = cluster.node().process();
        node.terminate();

        // THEN every client hears of the shutdown first, while its sends are still in flight
        for (Client &c : clients) {
            const QJsonObject notice = c.ws->waitFor(QStringLiteral("system.notice"), {}, 10000);
            QCOMPARE(
                notice.value(QLatin1String("code")).toString(), QStringLiteral("shutting_down"));
            QVERIFY(!notice.value(QLatin1String("message")).toString().isEmpty());
            QCOMPARE(notice.value(QLatin1String("grace_ms")).toInteger(), 15000);
            QVERIFY(c.ws->isOpen());
        }
        // AND a new send is refused clearly, not left unanswered
        for (Client &c : clients) {
            const QString late = QStringLiteral("%1-late").arg(c.user);
            c.ws->send(sendWithReq(convo, late));
            const QJsonObject refused = c.ws->waitFor(
                QStringLiteral("error"), [&late](const QJsonObject &f) { return hasReq(f, late); });
            QCOMPARE(
                refused.value(QLatin1String("code")).toString(), QStringLiteral("unavailable"));
        }

        // WHEN Redis serves again
        redis.resume();
        // THEN the sends in flight are acknowledged, then each client is closed with 1001
        for (Client &c : clients) {
            QVERIFY(c.ws->waitClosed(15000));
            QCOMPARE(c.ws->closeCode(), 1001);
        }
        const QHash<QString, qint64> acks = acked(clients);
        for (const QString &id : std::as_const(inFlight))
            QVERIFY2(acks.contains(id), qPrintable(id + QStringLiteral(" was never acknowledged")));
        // AND the node exits 0 within the grace
        QTRY_COMPARE_WITH_TIMEOUT(node.state(), QProcess::NotRunning, 15000);
        QCOMPARE(node.exitStatus(), QProcess::NormalExit);
        QCOMPARE(node.exitCode(), 0);
        const QByteArray log = cluster.node().output();
        QVERIFY2(!log.contains("shutdown_grace is over"), log.constData());

        // AND a fresh node reads every acknowledged message, and none of the refused ones
        QCOMPARE(cluster.startNode(), 1);
        const QHash<QString, qint64> stored = history(cluster, 1, key, convo);
        QCOMPARE(acks.size(), 6 * 24);
        for (auto it = acks.cbegin(); it != acks.cend(); ++it) {
            QVERIFY2(
                stored.contains(it.key()), qPrintable(it.key() + QStringLiteral(" is missing")));
            QCOMPARE(stored.value(it.key()), it.value());
        }
        for (const QString &u : std::as_const(users))
            QVERIFY(!stored.contains(u + QStringLiteral("-late")));
    }

    // Redis stays paused past the grace: the node closes every client with 1001 anyway and
    // exits 0 without waiting for Redis; the send it could not finish has no ack.
    void graceEndForcesTheExit()
    {
        Cluster cluster(settings(QStringLiteral("1s")));
        QCOMPARE(cluster.startNode(), 0);
        const QByteArray key = cluster.createApp().second;
        const QString convo
            = cluster.createConversation(key, { QStringLiteral("a"), QStringLiteral("b") });
        std::vector<Client> clients;
        connectClients(cluster, key, convo, clients, { QStringLiteral("a") });
        QCOMPARE(int(clients.size()), 1);
        WsClient &c = *clients.front().ws;
        QCOMPARE(c.request(sendFrame(convo, QStringLiteral("before")))
                     .value(QLatin1String("type"))
                     .toString(),
            QStringLiteral("message.ack"));

        PausedProcess redis(cluster.redis()->pid());
        QVERIFY(redis.isPaused());
        c.send(sendWithReq(convo, QStringLiteral("stuck")));
        QTest::qWait(200);
        QProcess &node = cluster.node().process();
        node.terminate();
        QVERIFY(!c.waitFor(QStringLiteral("system.notice"), {}, 10000).isEmpty());
        // THEN while Redis is still paused the client is closed and the node is gone
        QVERIFY(c.waitClosed(10000));
        QCOMPARE(c.closeCode(), 1001);
        QTRY_COMPARE_WITH_TIMEOUT(node.state(), QProcess::NotRunning, 10000);
        QVERIFY(redis.isPaused());
        QCOMPARE(node.exitStatus(), QProcess::NormalExit);
        QCOMPARE(node.exitCode(), 0);
        QVERIFY(c.frames(QStringLiteral("message.ack")).isEmpty());
        const QByteArray log = cluster.node().output();
        QVERIFY2(log.contains("shutdown_grace is over"), log.constData());
    }

    // A second SIGTERM ends a drain that would otherwise wait for the whole grace.
    void secondSignalEndsTheDrain()
    {
        Cluster cluster(settings(QStringLiteral("19s")));
        QCOMPARE(cluster.startNode(), 0);
        const QByteArray key = cluster.createApp().second;
        const QString convo
            = cluster.createConversation(key, { QStringLiteral("a"), QStringLiteral("b") });
        std::vector<Client> clients;
        connectClients(cluster, key, convo, clients, { QStringLiteral("a") });
        QCOMPARE(int(clients.size()), 1);
        WsClient &c = *clients.front().ws;

        PausedProcess redis(cluster.redis()->pid());
        QVERIFY(redis.isPaused());
        c.send(sendWithReq(convo, QStringLiteral("stuck")));
        QTest::qWait(200);
        QProcess &node = cluster.node().process();
        node.terminate();
        QVERIFY(!c.waitFor(QStringLiteral("system.notice"), {}, 10000).isEmpty());
        QVERIFY(c.isOpen()); // still waiting for its send: the drain goes on
        node.terminate();
        // Well before the 19 s grace: the second signal, not the grace end, closed it.
        QVERIFY(c.waitClosed(10000));
        QCOMPARE(c.closeCode(), 1001);
        QTRY_COMPARE_WITH_TIMEOUT(node.state(), QProcess::NotRunning, 10000);
        const QByteArray log = cluster.node().output();
        QVERIFY2(node.exitStatus() == QProcess::NormalExit, log.constData());
        QCOMPARE(node.exitCode(), 0);
        QVERIFY2(log.contains("second stop signal"), log.constData());
    }
};

QTEST_MAIN(TestShutdown)
#include "tst_shutdown.moc"

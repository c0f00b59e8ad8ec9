// confab-console's admin client against a real confabd (issue "confab-console"): stats arrive
// over /admin/ws, a wrong token is refused and not retried.
#include "core/adminclient.h"
#include "core/stats.h"
#include "harness.h"

#include <QSignalSpy>
#include <QTest>

using namespace confab::test;
using confab::console::AdminClient;

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

// confab-console over wss:// (docs/tls.md): the admin client verifies the node's certificate
// against a CA file chosen for the profile, and refuses a node whose certificate it cannot
// verify, saying why.
#include "core/adminclient.h"
#include "core/stats.h"
#include "harness.h"
#include "support/testca.h"

#include <QSignalSpy>
#include <QSslConfiguration>
#include <QTest>

using namespace confab::test;
using confab::console::AdminClient;

class TestConsoleTls : public QObject
{
    Q_OBJECT

    std::unique_ptr<TestCa> m_ca;
    std::unique_ptr<Cluster> m_cluster;

    QUrl adminWss() const
    {
        return QUrl(m_cluster->admin().replace(QStringLiteral("https://"), QStringLiteral("wss://"))
                    + QStringLiteral("/admin/ws"));
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_ca = std::make_unique<TestCa>();
        QVERIFY2(m_ca->isValid(), m_ca->error().constData());
        const TestCa::Pair pair = m_ca->issue(QStringLiteral("node"), QStringLiteral("4004"));
        QVERIFY2(!pair.cert.isEmpty(), m_ca->error().constData());
        m_cluster = std::make_unique<Cluster>(QHash<QString, QString>{
            {QStringLiteral("CONFAB_TLS_CERT"), pair.cert},
            {QStringLiteral("CONFAB_TLS_KEY"), pair.key},
            {QStringLiteral("CONFAB_TLS_INTERNAL"), QStringLiteral("true")}});
        // Only the harness's readiness check trusts the test CA; the console's own client must
        // get it from the CA file or not at all.
        const QSslConfiguration original = QSslConfiguration::defaultConfiguration();
        QSslConfiguration trusting = original;
        QVERIFY(trusting.addCaCertificates(m_ca->caFile()));
        QSslConfiguration::setDefaultConfiguration(trusting);
        const int node = m_cluster->startNode();
        QSslConfiguration::setDefaultConfiguration(original);
        QCOMPARE(node, 0);
        QVERIFY(adminWss().scheme() == QLatin1String("wss"));
    }

    void connectsWithTheCaFile()
    {
        AdminClient client;
        client.setStatsIntervalMs(200);
        QSignalSpy stats(&client, &AdminClient::statsReceived);
        client.open(adminWss(), QString::fromLatin1(Cluster::kAdminToken), m_ca->caFile());
        QTRY_VERIFY_WITH_TIMEOUT(stats.size() >= 2, 10000);
        QCOMPARE(stats.last().first().value<confab::console::Stats>().nodeId, QStringLiteral("node1"));
        QCOMPARE(client.state(), AdminClient::State::Connected);
    }

    void refusesAnUntrustedCertificate()
    {
        // GIVEN no CA file: the system store does not know the test CA
        AdminClient client;
        client.setReconnectBackoff(60000, 60000);
        QSignalSpy stats(&client, &AdminClient::statsReceived);
        client.open(adminWss(), QString::fromLatin1(Cluster::kAdminToken));
        // THEN the connection fails with the reason, and is never treated as connected
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), AdminClient::State::WaitingToReconnect, 10000);
        QVERIFY2(client.lastError().contains(QLatin1String("TLS certificate not accepted")),
                 qPrintable(client.lastError()));
        QVERIFY(stats.isEmpty());

        // GIVEN a CA file of another CA
        TestCa other(QStringLiteral("Some Other CA"));
        QVERIFY(other.isValid());
        AdminClient wrong;
        wrong.setReconnectBackoff(60000, 60000);
        wrong.open(adminWss(), QString::fromLatin1(Cluster::kAdminToken), other.caFile());
        QTRY_COMPARE_WITH_TIMEOUT(wrong.state(), AdminClient::State::WaitingToReconnect, 10000);
        QVERIFY2(wrong.lastError().contains(QLatin1String("TLS certificate not accepted")),
                 qPrintable(wrong.lastError()));
    }

    void unreadableCaFile()
    {
        AdminClient client;
        client.setReconnectBackoff(60000, 60000);
        client.open(adminWss(), QString::fromLatin1(Cluster::kAdminToken), m_ca->path(QStringLiteral("missing.pem")));
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), AdminClient::State::WaitingToReconnect, 10000);
        QVERIFY2(client.lastError().contains(QLatin1String("cannot read the CA file")), qPrintable(client.lastError()));
    }
};

QTEST_MAIN(TestConsoleTls)
#include "tst_consoletls.moc"

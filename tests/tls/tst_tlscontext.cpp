// tls::loadServerConfiguration: a usable pair becomes a TLS 1.2+ server configuration; every
// unusable one (missing, unreadable, not PEM, encrypted, mismatched) is one clear line naming
// the file, and never a passphrase prompt.
#include "support/testca.h"
#include "tls/tlscontext.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSslKey>
#include <QTest>

using namespace confab;
using confab::test::TestCa;

class TestTlsContext : public QObject
{
    Q_OBJECT

    std::unique_ptr<TestCa> m_ca;
    TestCa::Pair m_ec, m_rsa;
    QString m_encryptedKey;
    QString m_garbage;

private Q_SLOTS:
    void initTestCase()
    {
        m_ca = std::make_unique<TestCa>();
        QVERIFY2(m_ca->isValid(), m_ca->error().constData());
        m_ec = m_ca->issue(QStringLiteral("ec"), QStringLiteral("0a01"), TestCa::KeyType::Ec);
        m_rsa = m_ca->issue(QStringLiteral("rsa"), QStringLiteral("0b02"), TestCa::KeyType::Rsa);
        QVERIFY2(!m_ec.cert.isEmpty() && !m_rsa.cert.isEmpty(), m_ca->error().constData());
        m_encryptedKey = m_ca->path(QStringLiteral("encrypted.key"));
        QCOMPARE(QProcess::execute(QStringLiteral("openssl"),
                                   {QStringLiteral("pkey"), QStringLiteral("-in"), m_ec.key, QStringLiteral("-aes256"),
                                    QStringLiteral("-passout"), QStringLiteral("pass:secret"), QStringLiteral("-out"),
                                    m_encryptedKey}),
                 0);
        m_garbage = m_ca->path(QStringLiteral("garbage.pem"));
        QFile g(m_garbage);
        QVERIFY(g.open(QIODevice::WriteOnly));
        g.write("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
    }

    void usablePairs_data()
    {
        QTest::addColumn<QString>("cert");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QByteArray>("serial");
        QTest::addColumn<int>("algorithm");
        QTest::addRow("EC key (SEC1 PEM)") << m_ec.cert << m_ec.key << m_ec.serial << int(QSsl::Ec);
        QTest::addRow("RSA key (PKCS#8 PEM)") << m_rsa.cert << m_rsa.key << m_rsa.serial << int(QSsl::Rsa);
    }
    void usablePairs()
    {
        QFETCH(QString, cert);
        QFETCH(QString, key);
        QFETCH(QByteArray, serial);
        QFETCH(int, algorithm);
        const auto c = tls::loadServerConfiguration(cert, key);
        QVERIFY2(c, c ? "" : qPrintable(c.error().message));
        QCOMPARE(c->protocol(), QSsl::TlsV1_2OrLater);
        QCOMPARE(c->localCertificateChain().size(), 2); // leaf and CA, in file order
        QCOMPARE(c->localCertificate().serialNumber(), serial);
        QCOMPARE(int(c->privateKey().algorithm()), algorithm);
        QVERIFY(!c->privateKey().isNull());
        QCOMPARE(c->peerVerifyMode(), QSslSocket::VerifyNone);
        const QString described = tls::describeCertificate(*c);
        QVERIFY2(described.contains(QStringLiteral("CN=127.0.0.1")) && described.contains(QString::fromLatin1(serial)),
                 qPrintable(described));
    }

    void unusablePairs_data()
    {
        QTest::addColumn<QString>("cert");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("mentions");
        QTest::addRow("missing cert") << m_ca->path(QStringLiteral("none.pem")) << m_ec.key
                                      << QStringLiteral("[tls] cert: cannot read %1").arg(m_ca->path(QStringLiteral("none.pem")));
        QTest::addRow("missing key") << m_ec.cert << m_ca->path(QStringLiteral("none.key"))
                                     << QStringLiteral("[tls] key: cannot read");
        QTest::addRow("key is a directory") << m_ec.cert << QDir::tempPath() << QStringLiteral("[tls] key: cannot read");
        QTest::addRow("cert not PEM") << m_ec.key << m_ec.key << QStringLiteral("holds no PEM certificate");
        QTest::addRow("cert PEM of garbage") << m_garbage << m_ec.key << QStringLiteral("holds no PEM certificate");
        QTest::addRow("key not PEM") << m_ec.cert << m_ec.cert << QStringLiteral("holds no unencrypted PEM private key");
        QTest::addRow("encrypted key") << m_ec.cert << m_encryptedKey << QStringLiteral("holds no unencrypted PEM private key");
        QTest::addRow("mismatched pair") << m_ec.cert << m_rsa.key
                                         << QStringLiteral("%1 is not the private key of the certificate in %2").arg(m_rsa.key, m_ec.cert);
    }
    void unusablePairs()
    {
        QFETCH(QString, cert);
        QFETCH(QString, key);
        QFETCH(QString, mentions);
        const auto c = tls::loadServerConfiguration(cert, key);
        QVERIFY(!c);
        QVERIFY2(c.error().message.contains(mentions), qPrintable(c.error().message));
        QVERIFY(!c.error().message.contains(u'\n'));
    }
};

QTEST_GUILESS_MAIN(TestTlsContext)
#include "tst_tlscontext.moc"

// Native TLS on both listeners ([tls] in PROTOCOL.md section 1, docs/tls.md): wss:// and https://
// against a real confabd on the fixture's PostgreSQL, Redis and S3, under both event dispatchers;
// TLS 1.2 at least; plain HTTP on the TLS port; the pair re-read on SIGHUP while open
// connections keep working; a clear start-up error for a pair that cannot be used.
#include "harness.h"
#include "support/testca.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTest>

#include <csignal>
#include <sys/stat.h>
#include <unistd.h>

using namespace confab::test;

namespace {

QString typeOf(const QJsonObject &f)
{
    return f.value(QLatin1String("type")).toString();
}

// The serial of the certificate a new TLS connection to port is served with; empty when the
// handshake fails (the client trusts only the test CA, through the default configuration).
QByteArray servedSerial(quint16 port)
{
    QSslSocket s;
    s.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
    if (!s.waitForEncrypted(10000))
        return {};
    return s.peerCertificate().serialNumber();
}

// confab_ws_closes_total{code="4008"} of the cluster's node.
qint64 closes4008(Cluster &cluster)
{
    const HttpResult r = cluster.rest.call("GET", cluster.admin() + QStringLiteral("/metrics"), {});
    for (const QByteArray &line : r.body.split('\n')) {
        if (line.startsWith("confab_ws_closes_total{") && line.contains(R"(code="4008")"))
            return line.split(' ').value(1).toLongLong();
    }
    return 0;
}

bool copyOver(const QString &from, const QString &to)
{
    QFile::remove(to);
    return QFile::copy(from, to);
}

struct OpenSsl {
    int exitCode = -1;
    QByteArray output;
};

// `openssl s_client` with extra arguments, as a client Qt would not let us be (TLS 1.1).
OpenSsl sClient(quint16 port, const QStringList &extra)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("openssl"),
            QStringList{QStringLiteral("s_client"), QStringLiteral("-connect"),
                        QStringLiteral("127.0.0.1:%1").arg(port)} + extra);
    p.closeWriteChannel(); // s_client ends when its stdin does
    if (!p.waitForFinished(20000))
        p.kill();
    return OpenSsl{p.exitCode(), p.readAll()};
}

} // namespace

class TestTls : public QObject
{
    Q_OBJECT

    std::unique_ptr<TestCa> m_ca;
    TestCa::Pair m_a, m_b, m_other;

    QHash<QString, QString> tlsEnv(const QString &cert, const QString &key, bool internal)
    {
        return {{QStringLiteral("CONFAB_TLS_CERT"), cert},
                {QStringLiteral("CONFAB_TLS_KEY"), key},
                {QStringLiteral("CONFAB_TLS_INTERNAL"), internal ? QStringLiteral("true") : QStringLiteral("false")}};
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_ca = std::make_unique<TestCa>();
        QVERIFY2(m_ca->isValid(), m_ca->error().constData());
        m_a = m_ca->issue(QStringLiteral("a"), QStringLiteral("1001"), TestCa::KeyType::Ec);
        m_b = m_ca->issue(QStringLiteral("b"), QStringLiteral("2002"), TestCa::KeyType::Rsa);
        m_other = m_ca->issue(QStringLiteral("other"), QStringLiteral("3003"), TestCa::KeyType::Ec);
        QVERIFY2(!m_a.cert.isEmpty() && !m_b.cert.isEmpty() && !m_other.cert.isEmpty(), m_ca->error().constData());
        // Every client of this process (REST, QWebSocket, the harness's readiness check)
        // trusts the test CA, and only through verification: no error is ever ignored.
        QSslConfiguration c = QSslConfiguration::defaultConfiguration();
        QVERIFY(c.addCaCertificates(m_ca->caFile()));
        QSslConfiguration::setDefaultConfiguration(c);
    }

    void wssAndHttps_data()
    {
        QTest::addColumn<QString>("dispatcher");
        QTest::addRow("epoll") << QStringLiteral("epoll");
        QTest::addRow("qt") << QStringLiteral("qt");
    }
    void wssAndHttps()
    {
        QFETCH(QString, dispatcher);
        // GIVEN a node with TLS on both listeners
        QHash<QString, QString> env = tlsEnv(m_a.cert, m_a.key, true);
        env.insert(QStringLiteral("CONFAB_EVENT_DISPATCHER"), dispatcher);
        Cluster cluster(env);
        QCOMPARE(cluster.startNode(), 0); // its readiness answered over https
        QVERIFY(cluster.admin().startsWith(QLatin1String("https://")));
        QVERIFY(cluster.ws().startsWith(QLatin1String("wss://")));

        // WHEN the admin REST API (internal listener) and the app REST API (public) are used
        const auto app = cluster.createApp(QJsonObject{
            {QStringLiteral("limits"), QJsonObject{{QStringLiteral("conns_per_user_per_10s"), 0}}}});
        QVERIFY(app.second.startsWith("ck_"));
        const QString convo = cluster.createConversation(app.second, {QStringLiteral("alice"), QStringLiteral("bob")});
        QVERIFY(!convo.isEmpty());

        // THEN clients exchange frames over wss://, large ones (many TLS records) included
        WsClient alice, bob;
        QVERIFY(alice.connectAndAuth(cluster.ws(), cluster.userToken(app.second, QStringLiteral("alice"))));
        QVERIFY(bob.connectAndAuth(cluster.ws(), cluster.userToken(app.second, QStringLiteral("bob"))));
        const QSslConfiguration session = alice.socket().sslConfiguration();
        QCOMPARE(session.peerCertificate().serialNumber(), m_a.serial);
        QVERIFY(session.sessionProtocol() == QSsl::TlsV1_2 || session.sessionProtocol() == QSsl::TlsV1_3);
        const QString big(60000, u'x');
        for (int i = 0; i < 20; ++i) {
            const QString text = i % 2 ? big : QStringLiteral("hello %1").arg(i);
            const QJsonObject ack = alice.request(
                sendFrame(convo, QStringLiteral("m%1").arg(i), QJsonObject{{QStringLiteral("text"), text}}));
            QCOMPARE(typeOf(ack), QStringLiteral("message.ack"));
            const QJsonObject created = bob.waitFor(QStringLiteral("message.create"));
            const QJsonObject m = created.value(QLatin1String("message")).toObject();
            QCOMPARE(m.value(QLatin1String("seq_no")).toInt(), i + 1);
            QCOMPARE(m.value(QLatin1String("content")).toObject().value(QLatin1String("text")).toString(), text);
        }
        // and the admin WebSocket answers over wss:// on the internal listener
        WsClient admin;
        QVERIFY(admin.open(cluster.admin().replace(QLatin1String("https://"), QLatin1String("wss://"))
                               + QStringLiteral("/admin/ws"),
                           Cluster::kAdminToken));
        QCOMPARE(admin.socket().sslConfiguration().peerCertificate().serialNumber(), m_a.serial);
    }

    void tlsVersions()
    {
        Cluster cluster(tlsEnv(m_a.cert, m_a.key, false));
        QCOMPARE(cluster.startNode(), 0);
        const quint16 port = cluster.node().publicPort();
        // A TLS 1.1-only client is refused (the client side allows it: security level 0)...
        const OpenSsl old = sClient(port, {QStringLiteral("-tls1_1"), QStringLiteral("-cipher"),
                                           QStringLiteral("DEFAULT:@SECLEVEL=0")});
        QVERIFY2(old.exitCode != 0, old.output.constData());
        QVERIFY2(old.output.contains("alert protocol version") || old.output.contains("unsupported protocol"),
                 old.output.constData());
        // ...where the same client with 1.2 or 1.3 gets through.
        for (const char *version : {"-tls1_2", "-tls1_3"}) {
            const OpenSsl ok = sClient(port, {QLatin1String(version), QStringLiteral("-CAfile"), m_ca->caFile()});
            QVERIFY2(ok.exitCode == 0, ok.output.constData());
            QVERIFY2(ok.output.contains("Verify return code: 0 (ok)"), ok.output.constData());
        }
        // The internal listener stays plain without internal = true.
        QVERIFY(cluster.admin().startsWith(QLatin1String("http://")));
        QCOMPARE(cluster.rest.call("GET", cluster.admin() + QStringLiteral("/healthz"), {}).status, 200);
    }

    void plainHttpOnTlsPort()
    {
        Cluster cluster(tlsEnv(m_a.cert, m_a.key, false));
        QCOMPARE(cluster.startNode(), 0);
        // A client that connects and never starts a handshake is bounded in time
        QTcpSocket silent;
        silent.connectToHost(QStringLiteral("127.0.0.1"), cluster.node().publicPort());
        QVERIFY(silent.waitForConnected(5000));
        QElapsedTimer silentFor;
        silentFor.start();

        // GIVEN a plain HTTP request on the TLS port
        QTcpSocket plain;
        plain.connectToHost(QStringLiteral("127.0.0.1"), cluster.node().publicPort());
        QVERIFY(plain.waitForConnected(5000));
        plain.write("GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        // THEN the connection is closed without a plaintext answer
        QTRY_VERIFY_WITH_TIMEOUT(plain.state() == QAbstractSocket::UnconnectedState, 15000);
        QVERIFY(!plain.readAll().startsWith("HTTP/"));
        // AND the node keeps serving TLS clients
        const HttpResult r = cluster.rest.call("POST", cluster.api() + QStringLiteral("/v1/auth/token"), "ck_wrong",
                                               QJsonObject{{QStringLiteral("user_id"), QStringLiteral("u")}});
        QCOMPARE(r.status, 401);

        // THEN the silent client was dropped after the 10 s handshake timeout
        QTRY_VERIFY_WITH_TIMEOUT(silent.state() == QAbstractSocket::UnconnectedState, 30000);
        QVERIFY2(silentFor.elapsed() >= 9000, qPrintable(QString::number(silentFor.elapsed())));
    }

    void reloadOnSighup()
    {
        // GIVEN a node serving pair A from files an operator (or certbot) replaces in place
        const QString cert = m_ca->path(QStringLiteral("live.pem"));
        const QString key = m_ca->path(QStringLiteral("live.key"));
        QVERIFY(copyOver(m_a.cert, cert) && copyOver(m_a.key, key));
        Cluster cluster(tlsEnv(cert, key, true));
        QCOMPARE(cluster.startNode(), 0);
        ConfabProcess &node = cluster.node();
        const auto app = cluster.createApp(QJsonObject{
            {QStringLiteral("limits"), QJsonObject{{QStringLiteral("conns_per_user_per_10s"), 0}}}});
        const QString convo = cluster.createConversation(app.second, {QStringLiteral("alice")});
        WsClient alice;
        QVERIFY(alice.connectAndAuth(cluster.ws(), cluster.userToken(app.second, QStringLiteral("alice"))));
        QCOMPARE(alice.socket().sslConfiguration().peerCertificate().serialNumber(), m_a.serial);
        QCOMPARE(servedSerial(node.publicPort()), m_a.serial);

        // WHEN pair B replaces it and the node gets SIGHUP
        QVERIFY(copyOver(m_b.cert, cert) && copyOver(m_b.key, key));
        QCOMPARE(::kill(pid_t(node.process().processId()), SIGHUP), 0);

        // THEN new connections on both listeners are served B
        QTRY_COMPARE_WITH_TIMEOUT(servedSerial(node.publicPort()), m_b.serial, 10000);
        QCOMPARE(servedSerial(node.internalPort()), m_b.serial);
        // AND the open WebSocket, set up with A, keeps working
        QVERIFY(alice.isOpen());
        QCOMPARE(typeOf(alice.request(sendFrame(convo, QStringLiteral("after-reload"), QStringLiteral("x")))),
                 QStringLiteral("message.ack"));
        QCOMPARE(alice.socket().sslConfiguration().peerCertificate().serialNumber(), m_a.serial);

        // WHEN a mismatched pair is put in place and the node gets SIGHUP again
        QVERIFY(copyOver(m_a.cert, cert) && copyOver(m_other.key, key));
        QByteArray log = node.output();
        QCOMPARE(::kill(pid_t(node.process().processId()), SIGHUP), 0);
        // THEN the failure is logged and pair B stays
        QTRY_VERIFY_WITH_TIMEOUT((log += node.output()).contains("TLS certificate not reloaded"), 10000);
        QVERIFY2(log.contains("is not the private key of the certificate"), log.constData());
        QCOMPARE(servedSerial(node.publicPort()), m_b.serial);
        QVERIFY(alice.isOpen());
        QCOMPARE(typeOf(alice.request(sendFrame(convo, QStringLiteral("after-bad-reload"), QStringLiteral("x")))),
                 QStringLiteral("message.ack"));
    }

    void neverReadingTlsClientIsBounded()
    {
        // GIVEN a member whose TLS client stops reading after its connection.ack, and small
        // buffer limits. What the server has encrypted but the kernel has not taken must count
        // against them, or such a client would make the server buffer everything sent to it.
        QHash<QString, QString> env = tlsEnv(m_a.cert, m_a.key, false);
        env.insert(QStringLiteral("CONFAB_LIMITS_CLIENT_BUFFER_SOFT"), QStringLiteral("65536"));
        env.insert(QStringLiteral("CONFAB_LIMITS_CLIENT_BUFFER_HARD"), QStringLiteral("1048576"));
        env.insert(QStringLiteral("CONFAB_LIMITS_SLOW_CLIENT_TIMEOUT"), QStringLiteral("1s"));
        Cluster cluster(env);
        QCOMPARE(cluster.startNode(), 0);
        const auto app = cluster.createApp(QJsonObject{{QStringLiteral("limits"),
            QJsonObject{{QStringLiteral("user_msgs_per_min"), 0}, {QStringLiteral("conns_per_user_per_10s"), 0}}}});
        const QString convo = cluster.createConversation(app.second, {QStringLiteral("quiet"), QStringLiteral("fast")});

        QSslSocket quiet;
        quiet.connectToHostEncrypted(QStringLiteral("127.0.0.1"), cluster.node().publicPort());
        QVERIFY(quiet.waitForEncrypted(10000));
        quiet.write("GET /v1/ws?access_token=" + cluster.userToken(app.second, QStringLiteral("quiet"))
                    + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        QByteArray in;
        QElapsedTimer t;
        t.start();
        while (!in.contains("connection.ack") && t.elapsed() < 10000) {
            quiet.waitForReadyRead(100);
            in += quiet.readAll();
        }
        QVERIFY(in.contains("connection.ack"));
        quiet.setReadBufferSize(4096); // from now on the client reads (almost) nothing

        // WHEN the conversation gets 1 MB after 1 MB. Most of it stops in the kernel's buffers
        // (several MB on loopback), and a session over its soft limit skips messages and later
        // gets a sync.required, so how many megabytes it takes to keep Qt's buffer over the
        // soft limit for 1 s varies with the kernel's buffers: sending goes on until then.
        WsClient fast;
        QVERIFY(fast.connectAndAuth(cluster.ws(), cluster.userToken(app.second, QStringLiteral("fast"))));
        const QString body(20000, u'z');
        QElapsedTimer sending;
        sending.start();
        int sent = 0;
        while (closes4008(cluster) == 0 && sending.elapsed() < 60000) {
            for (int i = 0; i < 50; ++i, ++sent) {
                QJsonObject f = sendFrame(convo, QStringLiteral("f%1").arg(sent), body);
                f.insert(QStringLiteral("req"), QString::number(sent)); // acks are counted, not matched
                fast.send(f);
            }
            QTRY_COMPARE_WITH_TIMEOUT(fast.frames(QStringLiteral("message.ack")).size(), sent, 20000);
            QTest::qWait(200);
        }

        // THEN the server finds the quiet client slow and closes it with 4008 (were the
        // encrypted bytes Qt holds not counted, the kernel would stay full and Qt's buffer grow
        // without the session ever seeing itself over its limits)
        QVERIFY2(closes4008(cluster) > 0, qPrintable(QStringLiteral("not closed after %1 messages").arg(sent)));
    }

    void unusablePairAtStartUp_data()
    {
        QTest::addColumn<QString>("cert");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("mentions");
        const QString dir = m_ca->path(QStringLiteral("a-directory"));
        QDir().mkpath(dir);
        QFile garbage(m_ca->path(QStringLiteral("garbage.pem")));
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        garbage.write("not a certificate\n");
        garbage.close();
        QTest::addRow("missing cert") << m_ca->path(QStringLiteral("nowhere.pem")) << m_a.key
                                      << QStringLiteral("[tls] cert: cannot read");
        QTest::addRow("unreadable key (a directory)") << m_a.cert << dir << QStringLiteral("[tls] key: cannot read");
        QTest::addRow("not PEM") << garbage.fileName() << m_a.key << QStringLiteral("holds no PEM certificate");
        QTest::addRow("mismatched pair") << m_a.cert << m_other.key
                                         << QStringLiteral("is not the private key of the certificate");
        if (::geteuid() != 0) { // root reads a file whatever its mode
            const QString locked = m_ca->path(QStringLiteral("locked.key"));
            QVERIFY(copyOver(m_a.key, locked));
            QVERIFY(::chmod(QFile::encodeName(locked).constData(), 0) == 0);
            QTest::addRow("unreadable key (mode 000)") << m_a.cert << locked << QStringLiteral("[tls] key: cannot read");
        }
    }
    void unusablePairAtStartUp()
    {
        QFETCH(QString, cert);
        QFETCH(QString, key);
        QFETCH(QString, mentions);
        // serve: non-zero, the reason on one line, before connecting to anything
        ConfabProcess node(tlsEnv(cert, key, false));
        QVERIFY(!node.start());
        QCOMPARE(node.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(node.process().exitCode(), 1);
        const QByteArray out = node.output();
        QVERIFY2(out.contains("confabd: [tls]") && out.contains(mentions.toUtf8()), out.constData());

        // check-config reports the same problem
        QFile ini(m_ca->path(QStringLiteral("check.ini")));
        QVERIFY(ini.open(QIODevice::WriteOnly | QIODevice::Truncate));
        ini.write(QStringLiteral("[tls]\ncert = %1\nkey = %2\n").arg(cert, key).toUtf8());
        ini.close();
        QProcess check;
        check.setProcessChannelMode(QProcess::MergedChannels);
        check.start(qEnvironmentVariable("CONFAB_BIN_DIR") + QStringLiteral("/server/confabd"),
                    {QStringLiteral("check-config"), QStringLiteral("--config"), ini.fileName()});
        QVERIFY(check.waitForFinished(20000));
        QCOMPARE(check.exitCode(), 1);
        const QByteArray said = check.readAll();
        QVERIFY2(said.contains(mentions.toUtf8()), said.constData());
    }

    void checkConfigAcceptsAGoodPair()
    {
        QFile ini(m_ca->path(QStringLiteral("good.ini")));
        QVERIFY(ini.open(QIODevice::WriteOnly | QIODevice::Truncate));
        ini.write(QStringLiteral("[tls]\ncert = %1\nkey = %2\ninternal = true\n").arg(m_b.cert, m_b.key).toUtf8());
        ini.close();
        QProcess check;
        check.setProcessChannelMode(QProcess::MergedChannels);
        check.start(qEnvironmentVariable("CONFAB_BIN_DIR") + QStringLiteral("/server/confabd"),
                    {QStringLiteral("check-config"), QStringLiteral("--config"), ini.fileName()});
        QVERIFY(check.waitForFinished(20000));
        const QByteArray said = check.readAll();
        QVERIFY2(check.exitCode() == 0 && said.contains("OK"), said.constData());
    }
};

QTEST_GUILESS_MAIN(TestTls)
#include "tst_tls.moc"

// S3Store against the S3 test server of the `services` fixture (@20minutes/s3rver, which
// checks SigV4 signatures), plus small local TCP servers for retries and timeouts.

#include "objectstore/s3store.h"

#include "support/testenv.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include "runtask.h"

using namespace confab;
using namespace confab::objectstore;
using confab::test::run;

namespace
{

// Answers each HTTP request with the next status of a script (then 200), closing the
// connection after each answer; with an empty script and `silent`, never answers.
class ScriptedHttpServer : public QObject
{
    Q_OBJECT
public:
    explicit ScriptedHttpServer(QList<int> statuses, bool silent = false)
        : m_statuses(std::move(statuses))
        , m_silent(silent)
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, &ScriptedHttpServer::accept);
    }
    [[nodiscard]] QUrl url() const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()));
    }
    [[nodiscard]] int requests() const { return m_requests; }
    [[nodiscard]] QByteArray lastRequest() const { return m_last; }

private:
    void accept()
    {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            socket->setParent(this);
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] { read(socket); });
        }
    }
    void read(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        qsizetype length = 0;
        for (const QByteArray &line : buffer.left(end).split('\n')) {
            if (line.toLower().startsWith("content-length:"))
                length = line.mid(15).trimmed().toLongLong();
        }
        if (buffer.size() < end + 4 + length)
            return;
        ++m_requests;
        m_last = buffer;
        buffer.clear();
        if (m_silent)
            return;
        const int status = m_statuses.isEmpty() ? 200 : m_statuses.takeFirst();
        const QByteArray body = status >= 300
            ? QByteArray("<?xml version=\"1.0\"?><Error><Code>SlowDown</Code>"
                         "<Message>Please reduce your request rate.</Message></Error>")
            : QByteArray();
        socket->write("HTTP/1.1 " + QByteArray::number(status) + " X\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
        socket->disconnectFromHost();
    }

    QTcpServer m_server;
    QList<int> m_statuses;
    bool m_silent = false;
    int m_requests = 0;
    QByteArray m_last;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};

QList<QByteArray> statuses(const QSignalSpy &spy)
{
    QList<QByteArray> out;
    for (const auto &args : spy)
        out << args.at(1).toByteArray();
    return out;
}

} // namespace

class TestS3Store : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void putGetHeadRemove_data();
    void putGetHeadRemove();
    void rangedGet_data();
    void rangedGet();
    void missingKeys();
    void listPages();
    void presignedPut();
    void presignedGet();
    void wrongSecret();
    void pingAndWrongBucket();
    void retriesServerErrors();
    void noRetryOnClientErrors();
    void unreachableEndpoint();
    void timeoutIsRetriedThenUnavailable();

private:
    S3Options options() const;
    QString key(const QString &name) const { return m_prefix + name; }

    test::TestEnv m_env;
    QNetworkAccessManager m_nam;
    QString m_prefix;
    std::unique_ptr<S3Store> m_store;
};

S3Options TestS3Store::options() const
{
    S3Options o;
    o.endpoint = QUrl(m_env.s3Endpoint());
    o.region = QStringLiteral("us-east-1");
    o.bucket = m_env.s3Bucket();
    o.accessKey = QStringLiteral("S3RVER");
    o.secretKey = QStringLiteral("S3RVER");
    o.retryBaseMs = 20;
    return o;
}

void TestS3Store::initTestCase()
{
    QVERIFY2(m_env.isValid(), "run through ctest: the services fixture provides the S3 server");
    QVERIFY(!m_env.s3Endpoint().isEmpty());
    m_prefix = QStringLiteral("tst-s3store-%1-%2/")
                   .arg(QCoreApplication::applicationPid())
                   .arg(QDateTime::currentMSecsSinceEpoch());
    m_store = std::make_unique<S3Store>(options(), &m_nam);
}

void TestS3Store::putGetHeadRemove_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("data");
    QTest::addRow("plain") << QStringLiteral("segments/app1/0001.seg")
                           << QByteArray("segment bytes");
    QTest::addRow("encoded characters")
        << QStringLiteral("a+b c/d=e&f$g%h(1).txt") << QByteArray("plus, space, percent");
    QTest::addRow("utf8") << QStringLiteral("d\u00e9j\u00e0/\u1234.bin")
                          << QByteArray("\x00\x01\xff", 3);
    QTest::addRow("empty object") << QStringLiteral("empty") << QByteArray();
    QTest::addRow("one MiB") << QStringLiteral("big") << QByteArray(1 << 20, 'z');
}

void TestS3Store::putGetHeadRemove()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, data);
    const QString k = key(name);
    const auto put = run(m_store->put(k, data, "application/octet-stream"));
    QVERIFY2(put, qPrintable(put ? QString() : put.error().message));

    const auto got = run(m_store->get(k, std::nullopt));
    QVERIFY2(got, qPrintable(got ? QString() : got.error().message));
    QCOMPARE(*got, data);

    const auto info = run(m_store->head(k));
    QVERIFY2(info, qPrintable(info ? QString() : info.error().message));
    QCOMPARE(info->key, k);
    QCOMPARE(info->size, data.size());
    QVERIFY(!info->etag.isEmpty());
    QVERIFY(!info->etag.contains('"'));
    QVERIFY(qAbs(info->lastModifiedMs - QDateTime::currentMSecsSinceEpoch()) < 120000);

    QVERIFY(run(m_store->remove(k)));
    const auto gone = run(m_store->get(k, std::nullopt));
    QVERIFY(!gone);
    QCOMPARE(gone.error().code, ErrorCode::NotFound);
}

void TestS3Store::rangedGet_data()
{
    QTest::addColumn<qint64>("offset");
    QTest::addColumn<qint64>("length");
    QTest::addColumn<QByteArray>("expected");
    QTest::addRow("head") << qint64(0) << qint64(4) << QByteArray("0123");
    QTest::addRow("middle") << qint64(3) << qint64(2) << QByteArray("34");
    QTest::addRow("to end") << qint64(7) << qint64(-1) << QByteArray("789");
    QTest::addRow("past end clipped") << qint64(8) << qint64(100) << QByteArray("89");
}

void TestS3Store::rangedGet()
{
    QFETCH(qint64, offset);
    QFETCH(qint64, length);
    QFETCH(QByteArray, expected);
    const QString k = key(QStringLiteral("ranged"));
    QVERIFY(run(m_store->put(k, QByteArray("0123456789"), {})));
    const auto got = run(m_store->get(k, ByteRange { offset, length }));
    QVERIFY2(got, qPrintable(got ? QString() : got.error().message));
    QCOMPARE(*got, expected);
}

void TestS3Store::missingKeys()
{
    const QString k = key(QStringLiteral("no/such/key"));
    QSignalSpy spy(m_store.get(), &ObjectStore::requestFinished);
    const auto got = run(m_store->get(k, std::nullopt));
    QVERIFY(!got);
    QCOMPARE(got.error().code, ErrorCode::NotFound);
    QVERIFY2(
        got.error().message.contains(QLatin1String("NoSuchKey")), qPrintable(got.error().message));
    const auto info = run(m_store->head(k));
    QVERIFY(!info);
    QCOMPARE(info.error().code, ErrorCode::NotFound);
    QVERIFY(run(m_store->remove(k)));
    QCOMPARE(spy.count(), 3);
    QCOMPARE(statuses(spy).mid(0, 2), (QList<QByteArray> { "404", "404" }));
    QCOMPARE(
        run(m_store->put(QStringLiteral("../x"), "x", {})).error().code, ErrorCode::BadRequest);
}

void TestS3Store::listPages()
{
    // GIVEN five objects under a prefix and one beside it
    QStringList keys;
    for (int i = 0; i < 5; ++i)
        keys << key(QStringLiteral("list/%1").arg(i));
    for (const QString &k : keys)
        QVERIFY(run(m_store->put(k, k.toUtf8(), {})));
    QVERIFY(run(m_store->put(key(QStringLiteral("listx")), "x", {})));

    // WHEN they are listed two at a time
    QStringList seen;
    QString token;
    int pages = 0;
    do {
        const auto page = run(m_store->list(key(QStringLiteral("list/")), token, 2));
        QVERIFY2(page, qPrintable(page ? QString() : page.error().message));
        QVERIFY(page->objects.size() <= 2);
        for (const ObjectInfo &o : page->objects) {
            seen << o.key;
            QCOMPARE(o.size, o.key.toUtf8().size());
            QVERIFY(!o.etag.isEmpty());
            QVERIFY(o.lastModifiedMs > 0);
        }
        token = page->nextContinuationToken;
        ++pages;
    } while (!token.isEmpty() && pages < 10);

    // THEN each comes once, in order, in three pages
    QCOMPARE(seen, keys);
    QCOMPARE(pages, 3);
}

void TestS3Store::presignedPut()
{
    const QString k = key(QStringLiteral("attachments/photo 1+2.png"));
    const auto url = m_store->presignPut(k, 300, "image/png");
    QVERIFY(url);
    QVERIFY(url->toEncoded().contains("X-Amz-Signature="));

    // A client uploads with the URL alone, no credentials.
    QNetworkRequest request(*url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("image/png"));
    std::unique_ptr<QNetworkReply> reply(m_nam.put(request, QByteArray("PNG bytes")));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    QVERIFY(finished.wait(10000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QCOMPARE(*run(m_store->get(k, std::nullopt)), QByteArray("PNG bytes"));

    // The content type is part of the signature.
    QNetworkRequest other(*url);
    other.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("text/html"));
    std::unique_ptr<QNetworkReply> refused(m_nam.put(other, QByteArray("<script>")));
    QSignalSpy refusedDone(refused.get(), &QNetworkReply::finished);
    QVERIFY(refusedDone.wait(10000));
    QCOMPARE(refused->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 403);
    QCOMPARE(*run(m_store->get(k, std::nullopt)), QByteArray("PNG bytes"));
}

void TestS3Store::presignedGet()
{
    const QString k = key(QStringLiteral("attachments/doc%2B.pdf"));
    QVERIFY(run(m_store->put(k, QByteArray("PDF bytes"), "application/pdf")));
    const auto url = m_store->presignGet(k, 300);
    QVERIFY(url);
    std::unique_ptr<QNetworkReply> reply(m_nam.get(QNetworkRequest(*url)));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    QVERIFY(finished.wait(10000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QCOMPARE(reply->readAll(), QByteArray("PDF bytes"));

    // Tampering with the URL breaks the signature.
    QUrl tampered = *url;
    tampered.setPath(tampered.path() + QStringLiteral("x"));
    std::unique_ptr<QNetworkReply> bad(m_nam.get(QNetworkRequest(tampered)));
    QSignalSpy badDone(bad.get(), &QNetworkReply::finished);
    QVERIFY(badDone.wait(10000));
    QCOMPARE(bad->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 403);

    QCOMPARE(m_store->presignGet(k, 0).error().code, ErrorCode::BadRequest);
}

void TestS3Store::wrongSecret()
{
    S3Options o = options();
    o.secretKey = QStringLiteral("not-the-secret");
    S3Store store(o, &m_nam);
    QSignalSpy spy(&store, &ObjectStore::requestFinished);
    const auto put = run(store.put(key(QStringLiteral("forbidden")), "x", {}));
    QVERIFY(!put);
    QCOMPARE(put.error().code, ErrorCode::Internal);
    QVERIFY2(put.error().message.contains(QLatin1String("SignatureDoesNotMatch")),
        qPrintable(put.error().message));
    QVERIFY(!put.error().message.contains(QLatin1String("not-the-secret")));
    // Refusals are not retried.
    QCOMPARE(statuses(spy), QList<QByteArray> { "403" });
    QCOMPARE(
        run(m_store->head(key(QStringLiteral("forbidden")))).error().code, ErrorCode::NotFound);
}

void TestS3Store::pingAndWrongBucket()
{
    QVERIFY(run(m_store->ping()));
    S3Options o = options();
    o.bucket = QStringLiteral("no-such-bucket");
    S3Store store(o, &m_nam);
    const auto ping = run(store.ping());
    QVERIFY(!ping);
    QCOMPARE(ping.error().code, ErrorCode::NotFound);
    const auto put = run(store.put(QStringLiteral("k"), "x", {}));
    QVERIFY(!put);
    QVERIFY2(put.error().message.contains(QLatin1String("NoSuchBucket")),
        qPrintable(put.error().message));
    QVERIFY(!run(store.remove(QStringLiteral("k"))));
}

void TestS3Store::retriesServerErrors()
{
    // GIVEN a server that answers 503 twice, then 200
    ScriptedHttpServer server({ 503, 503 });
    S3Options o = options();
    o.endpoint = server.url();
    S3Store store(o, &m_nam);
    QSignalSpy spy(&store, &ObjectStore::requestFinished);

    // WHEN an object is written
    const auto put = run(store.put(QStringLiteral("k"), QByteArray("payload"), "text/plain"));

    // THEN the third attempt succeeds and each attempt was counted
    QVERIFY2(put, qPrintable(put ? QString() : put.error().message));
    QCOMPARE(server.requests(), 3);
    QCOMPARE(statuses(spy), (QList<QByteArray> { "503", "503", "200" }));
    QCOMPARE(spy.at(0).at(0).toByteArray(), QByteArray("put"));
    // Every attempt is signed afresh and carries the body.
    QVERIFY(server.lastRequest().startsWith("PUT /" + o.bucket.toUtf8() + "/k "));
    QVERIFY(server.lastRequest().contains("Authorization: AWS4-HMAC-SHA256 Credential=S3RVER/"));
    QVERIFY(server.lastRequest().endsWith("payload"));

    // AND a server that keeps failing costs 1 + maxRetries attempts, then Unavailable
    ScriptedHttpServer failing({ 500, 500, 500, 500, 500, 500 });
    o.endpoint = failing.url();
    o.maxRetries = 2;
    S3Store failingStore(o, &m_nam);
    const auto got = run(failingStore.get(QStringLiteral("k"), std::nullopt));
    QVERIFY(!got);
    QCOMPARE(got.error().code, ErrorCode::Unavailable);
    QVERIFY2(
        got.error().message.contains(QLatin1String("SlowDown")), qPrintable(got.error().message));
    QCOMPARE(failing.requests(), 3);
}

void TestS3Store::noRetryOnClientErrors()
{
    ScriptedHttpServer server({ 404, 400 });
    S3Options o = options();
    o.endpoint = server.url();
    S3Store store(o, &m_nam);
    QCOMPARE(run(store.head(QStringLiteral("k"))).error().code, ErrorCode::NotFound);
    QCOMPARE(server.requests(), 1);
    QCOMPARE(run(store.put(QStringLiteral("k"), "x", {})).error().code, ErrorCode::Internal);
    QCOMPARE(server.requests(), 2);
}

void TestS3Store::unreachableEndpoint()
{
    S3Options o = options();
    o.endpoint = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(test::freePort()));
    o.maxRetries = 3;
    o.retryBaseMs = 50;
    S3Store store(o, &m_nam);
    QSignalSpy spy(&store, &ObjectStore::requestFinished);
    QElapsedTimer timer;
    timer.start();
    const auto put = run(store.put(QStringLiteral("k"), "x", {}));
    QVERIFY(!put);
    QCOMPARE(put.error().code, ErrorCode::Unavailable);
    QCOMPARE(statuses(spy), (QList<QByteArray> { "error", "error", "error", "error" }));
    // Backoff 50 + 100 + 200 ms (+ jitter): the budget, not a hang.
    QVERIFY2(timer.elapsed() >= 350, qPrintable(QString::number(timer.elapsed())));
    QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
    QVERIFY(!run(store.ping()));
}

void TestS3Store::timeoutIsRetriedThenUnavailable()
{
    ScriptedHttpServer silent({}, true);
    S3Options o = options();
    o.endpoint = silent.url();
    o.requestTimeoutMs = 200;
    o.maxRetries = 1;
    S3Store store(o, &m_nam);
    QSignalSpy spy(&store, &ObjectStore::requestFinished);
    QElapsedTimer timer;
    timer.start();
    const auto got = run(store.get(QStringLiteral("k"), std::nullopt));
    QVERIFY(!got);
    QCOMPARE(got.error().code, ErrorCode::Unavailable);
    QVERIFY2(got.error().message.contains(QLatin1String("no progress within 200 ms")),
        qPrintable(got.error().message));
    QCOMPARE(statuses(spy), (QList<QByteArray> { "error", "error" }));
    QCOMPARE(silent.requests(), 2);
    QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
}

QTEST_GUILESS_MAIN(TestS3Store)
#include "tst_s3store.moc"

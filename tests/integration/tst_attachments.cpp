// Attachments end to end (docs/protocol.md, "Attachments"), on both kinds of object store: the
// S3 test server and a local directory whose URLs confabd signs and serves itself. Parts are
// 1 KiB here ([limits] attachment_part_bytes) so a multipart upload takes a few KiB.

#include "harness.h"

#include "objectstore/urlsigner.h"

#include <QDateTime>
#include <QFile>
#include <QNetworkReply>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

using namespace confab;
using namespace confab::test;

namespace {

constexpr int kPartBytes = 1024;
const QByteArray kOrigin = QByteArrayLiteral("http://app.test");

struct PutResult {
    int status = 0;
    QByteArray etag;
    QByteArray exposed; // Access-Control-Expose-Headers
    QByteArray body;
};

PutResult httpPut(const QString &url, const QByteArray &data, const QByteArray &contentType = {})
{
    QNetworkAccessManager nam;
    QNetworkRequest request{QUrl(url, QUrl::StrictMode)};
    if (!contentType.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
    request.setRawHeader("Origin", kOrigin);
    QNetworkReply *reply = nam.put(request, data);
    QElapsedTimer t;
    t.start();
    while (!reply->isFinished() && t.elapsed() < 20000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    PutResult r;
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.etag = reply->rawHeader("ETag");
    r.exposed = reply->rawHeader("Access-Control-Expose-Headers");
    r.body = reply->readAll();
    delete reply;
    return r;
}

QByteArray httpGet(const QString &url, int *status)
{
    QNetworkAccessManager nam;
    QNetworkReply *reply = nam.get(QNetworkRequest{QUrl(url, QUrl::StrictMode)});
    QElapsedTimer t;
    t.start();
    while (!reply->isFinished() && t.elapsed() < 20000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    delete reply;
    return body;
}

// Sends the head and `sent` of `length` body bytes to url, then drops the connection: an upload
// cut in the middle.
void cutPut(const QString &url, const QByteArray &sent, qint64 length)
{
    const QUrl u(url, QUrl::StrictMode);
    QTcpSocket socket;
    socket.connectToHost(u.host(), quint16(u.port()));
    QVERIFY(socket.waitForConnected(5000));
    socket.write("PUT " + u.path(QUrl::FullyEncoded).toLatin1() + '?' + u.query(QUrl::FullyEncoded).toLatin1()
                 + " HTTP/1.1\r\nHost: " + u.authority().toLatin1() + "\r\nContent-Length: " + QByteArray::number(length)
                 + "\r\n\r\n" + sent);
    QVERIFY(socket.waitForBytesWritten(5000));
    QTest::qWait(200); // let the server take the bytes before the connection goes
    socket.abort();
}

QByteArray payload(int size)
{
    QByteArray out;
    out.reserve(size);
    for (int i = 0; i < size; ++i)
        out.append(char((i * 7 + i / 251) & 0xff));
    return out;
}

} // namespace

class TestAttachments : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<Cluster> m_s3;
    std::unique_ptr<Cluster> m_local;
    QByteArray m_s3Key;
    QByteArray m_localKey;

    Cluster &cluster() { return QByteArray(QTest::currentDataTag()) == "local" ? *m_local : *m_s3; }
    QByteArray apiKey() { return QByteArray(QTest::currentDataTag()) == "local" ? m_localKey : m_s3Key; }
    QString url(const QString &path) { return cluster().api() + path; }
    QByteArray user(const QString &id) { return cluster().userToken(apiKey(), id); }

    void stores()
    {
        QTest::addColumn<bool>("local");
        QTest::addRow("s3") << false;
        QTest::addRow("local") << true;
    }

    HttpResult create(const QByteArray &token, const QString &convo, qint64 size)
    {
        return cluster().rest.call("POST", url(QStringLiteral("/v1/attachments")), token,
                                   QJsonObject{{QStringLiteral("convo_id"), convo}, {QStringLiteral("filename"), QStringLiteral("clip.mp4")},
                                               {QStringLiteral("content_type"), QStringLiteral("video/mp4")}, {QStringLiteral("size"), size}});
    }

    HttpResult parts(const QByteArray &token, const QString &key, const QString &uploadId)
    {
        return cluster().rest.call("GET",
                                   url(QStringLiteral("/v1/attachments/parts?key=%1&upload_id=%2")
                                           .arg(QString::fromLatin1(QUrl::toPercentEncoding(key)),
                                                QString::fromLatin1(QUrl::toPercentEncoding(uploadId)))),
                                   token);
    }

    HttpResult complete(const QByteArray &token, const QString &key, const QString &uploadId, const QJsonArray &done)
    {
        return cluster().rest.call("POST", url(QStringLiteral("/v1/attachments/complete")), token,
                                   QJsonObject{{QStringLiteral("key"), key}, {QStringLiteral("upload_id"), uploadId}, {QStringLiteral("parts"), done}});
    }

    QByteArray download(const QByteArray &token, const QString &key)
    {
        const HttpResult r = cluster().rest.call(
            "GET", url(QStringLiteral("/v1/attachments/url?key=") + QString::fromLatin1(QUrl::toPercentEncoding(key))), token);
        if (r.status != 200)
            return QByteArrayLiteral("<no download URL>");
        int status = 0;
        const QByteArray body = httpGet(r.json.value(QLatin1String("download_url")).toString(), &status);
        return status == 200 ? body : QByteArrayLiteral("<download failed>");
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QHash<QString, QString> common{
            {QStringLiteral("CONFAB_LIMITS_ATTACHMENT_PART_BYTES"), QString::number(kPartBytes)},
            {QStringLiteral("CONFAB_LIMITS_ATTACHMENT_MAX_BYTES"), QStringLiteral("100000")},
            {QStringLiteral("CONFAB_RETENTION_MULTIPART_MAX_AGE"), QStringLiteral("2s")},
            {QStringLiteral("CONFAB_SERVER_CORS_ORIGINS"), QString::fromLatin1(kOrigin)},
        };
        m_s3 = std::make_unique<Cluster>(common);
        QHash<QString, QString> local = common;
        local.insert(QStringLiteral("CONFAB_S3_ENDPOINT"), QStringLiteral("file://") + m_dir.filePath(QStringLiteral("objects")));
        m_local = std::make_unique<Cluster>(local);
        QCOMPARE(m_s3->startNode(), 0);
        QCOMPARE(m_local->startNode(), 0);
        m_s3Key = m_s3->createApp().second;
        m_localKey = m_local->createApp().second;
        QVERIFY(!m_s3Key.isEmpty() && !m_localKey.isEmpty());
    }

    void singlePut_data() { stores(); }
    void singlePut()
    {
        QFETCH(bool, local);
        const QString convo = cluster().createConversation(apiKey(), {QStringLiteral("a1"), QStringLiteral("a2")});
        const QByteArray data = payload(kPartBytes); // at the threshold: one PUT
        const HttpResult created = create(user(QStringLiteral("a1")), convo, data.size());
        QCOMPARE(created.status, 201);
        QVERIFY(!created.json.contains(QLatin1String("upload_id")));
        const QString uploadUrl = created.json.value(QLatin1String("upload_url")).toString();
        QVERIFY(uploadUrl.startsWith(QStringLiteral("http://")));
        if (local)
            QVERIFY(uploadUrl.startsWith(cluster().api() + QStringLiteral("/v1/blobs?")));
        const PutResult put = httpPut(uploadUrl, data, "video/mp4");
        QCOMPARE(put.status, 200);
        QVERIFY(!put.etag.isEmpty());
        if (local) {
            QVERIFY(put.exposed.contains("ETag"));
            // One byte more than announced: refused.
            const HttpResult again = create(user(QStringLiteral("a1")), convo, 10);
            QCOMPARE(httpPut(again.json.value(QLatin1String("upload_url")).toString(), payload(11)).status, 400);
        }
        QCOMPARE(download(user(QStringLiteral("a2")), created.json.value(QLatin1String("key")).toString()), data);
    }

    void multipartUpload_data() { stores(); }
    void multipartUpload()
    {
        const QString convo = cluster().createConversation(apiKey(), {QStringLiteral("b1"), QStringLiteral("b2")});
        const QByteArray data = payload(3 * kPartBytes + 100);
        const HttpResult created = create(user(QStringLiteral("b1")), convo, data.size());
        QCOMPARE(created.status, 201);
        QCOMPARE(created.json.value(QLatin1String("part_bytes")).toInt(), kPartBytes);
        const QString key = created.json.value(QLatin1String("key")).toString();
        const QString uploadId = created.json.value(QLatin1String("upload_id")).toString();
        const QJsonArray urls = created.json.value(QLatin1String("parts")).toArray();
        QCOMPARE(urls.size(), 4);
        QVERIFY(!created.json.contains(QLatin1String("upload_url")));
        QJsonArray done;
        for (int i = 0; i < urls.size(); ++i) {
            const QJsonObject p = urls.at(i).toObject();
            QCOMPARE(p.value(QLatin1String("part_number")).toInt(), i + 1);
            const PutResult put = httpPut(p.value(QLatin1String("upload_url")).toString(), data.mid(i * kPartBytes, kPartBytes));
            QCOMPARE(put.status, 200);
            QVERIFY(!put.etag.isEmpty());
            done.append(QJsonObject{{QStringLiteral("part_number"), i + 1}, {QStringLiteral("etag"), QString::fromLatin1(put.etag)}});
        }
        // Parts out of order or missing: refused, the upload stays.
        QJsonArray missing = done;
        missing.removeLast();
        QCOMPARE(complete(user(QStringLiteral("b1")), key, uploadId, missing).status, 400);
        const HttpResult completed = complete(user(QStringLiteral("b1")), key, uploadId, done);
        QCOMPARE(completed.status, 200);
        QCOMPARE(completed.json.value(QLatin1String("key")).toString(), key);
        QCOMPARE(completed.json.value(QLatin1String("size")).toInt(), data.size());
        QCOMPARE(download(user(QStringLiteral("b2")), key), data);
        // Completed: the upload id is gone.
        QCOMPARE(parts(user(QStringLiteral("b1")), key, uploadId).status, 404);
    }

    void uploadCutInTheMiddleResumes_data() { stores(); }
    void uploadCutInTheMiddleResumes()
    {
        const QString convo = cluster().createConversation(apiKey(), {QStringLiteral("c1"), QStringLiteral("c2")});
        const QByteArray token = user(QStringLiteral("c1"));
        const QByteArray data = payload(3 * kPartBytes);
        const HttpResult created = create(token, convo, data.size());
        QCOMPARE(created.status, 201);
        const QString key = created.json.value(QLatin1String("key")).toString();
        const QString uploadId = created.json.value(QLatin1String("upload_id")).toString();
        const QJsonArray urls = created.json.value(QLatin1String("parts")).toArray();

        // GIVEN part 1 uploaded and part 2 cut off half way
        const PutResult first = httpPut(urls.at(0).toObject().value(QLatin1String("upload_url")).toString(), data.left(kPartBytes));
        QCOMPARE(first.status, 200);
        cutPut(urls.at(1).toObject().value(QLatin1String("upload_url")).toString(), data.mid(kPartBytes, kPartBytes / 2), kPartBytes);

        // WHEN the client asks where it stands
        HttpResult state;
        QTRY_VERIFY_WITH_TIMEOUT((state = parts(token, key, uploadId), state.status == 200
                                  && state.json.value(QLatin1String("parts")).toArray().size() == 2), 10000);
        // THEN part 1 is done and parts 2 and 3 have fresh URLs
        const QJsonArray done = state.json.value(QLatin1String("done")).toArray();
        QCOMPARE(done.size(), 1);
        QCOMPARE(done.at(0).toObject().value(QLatin1String("part_number")).toInt(), 1);
        QCOMPARE(done.at(0).toObject().value(QLatin1String("size")).toInt(), kPartBytes);
        QCOMPARE(done.at(0).toObject().value(QLatin1String("etag")).toString().toLatin1(), QByteArray(first.etag).replace('"', ""));
        QCOMPARE(state.json.value(QLatin1String("part_bytes")).toInt(), kPartBytes);
        QCOMPARE(state.json.value(QLatin1String("upload_id")).toString(), uploadId);
        const QJsonArray todo = state.json.value(QLatin1String("parts")).toArray();
        QJsonArray all{QJsonObject{{QStringLiteral("part_number"), 1}, {QStringLiteral("etag"), done.at(0).toObject().value(QLatin1String("etag"))}}};
        for (int i = 0; i < todo.size(); ++i) {
            const QJsonObject p = todo.at(i).toObject();
            const int n = p.value(QLatin1String("part_number")).toInt();
            QCOMPARE(n, i + 2);
            const PutResult put = httpPut(p.value(QLatin1String("upload_url")).toString(), data.mid((n - 1) * kPartBytes, kPartBytes));
            QCOMPARE(put.status, 200);
            all.append(QJsonObject{{QStringLiteral("part_number"), n}, {QStringLiteral("etag"), QString::fromLatin1(put.etag)}});
        }
        QCOMPARE(complete(token, key, uploadId, all).status, 200);
        QCOMPARE(download(user(QStringLiteral("c2")), key), data);
    }

    void abort_data() { stores(); }
    void abort()
    {
        const QString convo = cluster().createConversation(apiKey(), {QStringLiteral("d1")});
        const QByteArray token = user(QStringLiteral("d1"));
        const HttpResult created = create(token, convo, 2 * kPartBytes);
        QCOMPARE(created.status, 201);
        const QString key = created.json.value(QLatin1String("key")).toString();
        const QString uploadId = created.json.value(QLatin1String("upload_id")).toString();
        QCOMPARE(httpPut(created.json.value(QLatin1String("parts")).toArray().at(0).toObject().value(QLatin1String("upload_url")).toString(),
                         payload(kPartBytes)).status, 200);
        const QJsonObject body{{QStringLiteral("key"), key}, {QStringLiteral("upload_id"), uploadId}};
        QCOMPARE(cluster().rest.call("POST", url(QStringLiteral("/v1/attachments/abort")), token, body).status, 204);
        const HttpResult gone = parts(token, key, uploadId);
        QCOMPARE(gone.status, 404);
        QCOMPARE(gone.json.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString(), QStringLiteral("not_found"));
        QCOMPARE(cluster().rest.call("POST", url(QStringLiteral("/v1/attachments/abort")), token, body).status, 404);
        QCOMPARE(complete(token, key, uploadId, QJsonArray{QJsonObject{{QStringLiteral("part_number"), 1}, {QStringLiteral("etag"), QStringLiteral("x")}},
                                                           QJsonObject{{QStringLiteral("part_number"), 2}, {QStringLiteral("etag"), QStringLiteral("y")}}}).status, 404);
    }

    void badInput_data() { stores(); }
    void badInput()
    {
        const QString convo = cluster().createConversation(apiKey(), {QStringLiteral("e1")});
        const QString other = cluster().createConversation(apiKey(), {QStringLiteral("e2")});
        const QByteArray token = user(QStringLiteral("e1"));
        const HttpResult created = create(token, convo, 2 * kPartBytes);
        QCOMPARE(created.status, 201);
        const QString key = created.json.value(QLatin1String("key")).toString();
        const QString uploadId = created.json.value(QLatin1String("upload_id")).toString();
        const auto code = [](const HttpResult &r) { return r.json.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString(); };

        QCOMPARE(code(parts(token, key, QStringLiteral("nonsense"))), QStringLiteral("not_found"));
        QCOMPARE(code(parts(token, key, QStringLiteral("0123456789abcdef0123456789abcdef~2048~1024"))), QStringLiteral("not_found"));
        // Someone else's conversation, another app's key: not found, as GET /v1/attachments/url.
        QCOMPARE(parts(user(QStringLiteral("e2")), key, uploadId).status, 404);
        QCOMPARE(parts(token, QString(key).replace(convo, other), uploadId).status, 404);
        QCOMPARE(parts(token, QStringLiteral("att/otherapp/") + convo + QStringLiteral("/x/y"), uploadId).status, 404);
        QCOMPARE(parts(QByteArray(), key, uploadId).status, 401);
        // Too large, before anything is created.
        QCOMPARE(code(create(token, convo, 100001)), QStringLiteral("payload_too_large"));
        // An upload id claiming a size over the limit.
        QCOMPARE(code(parts(token, key, uploadId.section(u'~', 0, 0) + QStringLiteral("~200000~1024"))), QStringLiteral("payload_too_large"));
        QCOMPARE(code(complete(token, key, uploadId, QJsonArray{})), QStringLiteral("bad_request"));
        QCOMPARE(cluster().rest.call("POST", url(QStringLiteral("/v1/attachments/complete")), token, QByteArray("{}")).status, 400);
    }

    void signedUrlsRefuseForgeryAndExpiry()
    {
        // Local store only: on S3 the store checks its own signatures.
        Cluster &c = *m_local;
        const QString convo = c.createConversation(m_localKey, {QStringLiteral("f1")});
        const HttpResult created = c.rest.call("POST", c.api() + QStringLiteral("/v1/attachments"), c.userToken(m_localKey, QStringLiteral("f1")),
                                               QJsonObject{{QStringLiteral("convo_id"), convo}, {QStringLiteral("filename"), QStringLiteral("a.txt")},
                                                           {QStringLiteral("content_type"), QStringLiteral("text/plain")}, {QStringLiteral("size"), 4}});
        QCOMPARE(created.status, 201);
        const QString good = created.json.value(QLatin1String("upload_url")).toString();
        QString forged = good;
        forged.replace(QStringLiteral("len=4"), QStringLiteral("len=5"));
        QVERIFY(forged != good);
        QCOMPARE(httpPut(forged, "abcde").status, 403);
        // Signed with the store's key (as only the server could) but expired.
        QFile keyFile(m_dir.filePath(QStringLiteral("objects/.confab-tmp/url-signing-key")));
        QVERIFY(keyFile.open(QIODevice::ReadOnly));
        const objectstore::UrlSigner signer(keyFile.readAll());
        objectstore::BlobGrant grant;
        grant.op = objectstore::BlobGrant::Op::Put;
        grant.key = created.json.value(QLatin1String("key")).toString();
        grant.length = 4;
        grant.contentType = "text/plain";
        grant.expiresS = QDateTime::currentSecsSinceEpoch() - 1;
        const PutResult expired = httpPut(c.api() + signer.sign(grant).toString(QUrl::FullyEncoded), "abcd", "text/plain");
        QCOMPARE(expired.status, 403);
        QVERIFY(expired.body.contains("expired"));
        grant.expiresS += 600;
        QCOMPARE(httpPut(c.api() + signer.sign(grant).toString(QUrl::FullyEncoded), "abcd", "text/plain").status, 200);
        QCOMPARE(httpPut(good, "abcd", "text/plain").status, 200);
        // An upload URL does not download.
        int status = 0;
        httpGet(good, &status);
        QCOMPARE(status, 403);

        // A browser's preflight for the PUT.
        QNetworkAccessManager nam;
        QNetworkRequest preflight{QUrl(good, QUrl::StrictMode)};
        preflight.setRawHeader("Origin", kOrigin);
        preflight.setRawHeader("Access-Control-Request-Method", "PUT");
        QNetworkReply *reply = nam.sendCustomRequest(preflight, "OPTIONS");
        QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 10000);
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 204);
        QVERIFY(reply->rawHeader("Access-Control-Allow-Methods").contains("PUT"));
        delete reply;
    }

    void openUploadsAreBounded_data() { stores(); }
    void openUploadsAreBounded()
    {
        const QString convo = cluster().createConversation(apiKey(), {QStringLiteral("g1")});
        const QByteArray token = user(QStringLiteral("g1"));
        QList<HttpResult> open;
        for (int i = 0; i < 16; ++i) {
            open.append(create(token, convo, 2 * kPartBytes));
            QCOMPARE(open.last().status, 201);
        }
        const HttpResult refused = create(token, convo, 2 * kPartBytes);
        QCOMPARE(refused.status, 429);
        QCOMPARE(create(token, convo, 10).status, 201); // a single PUT holds nothing open
        for (const HttpResult &r : open) {
            QCOMPARE(cluster().rest.call("POST", url(QStringLiteral("/v1/attachments/abort")), token,
                                         QJsonObject{{QStringLiteral("key"), r.json.value(QLatin1String("key"))},
                                                     {QStringLiteral("upload_id"), r.json.value(QLatin1String("upload_id"))}}).status, 204);
        }
        QCOMPARE(create(token, convo, 2 * kPartBytes).status, 201);
    }

    // Last: its retention passes abort every upload older than 2 s.
    void retentionAbortsStaleUploads_data() { stores(); }
    void retentionAbortsStaleUploads()
    {
        const QString convo = cluster().createConversation(apiKey(), {QStringLiteral("h1")});
        const QByteArray token = user(QStringLiteral("h1"));
        const HttpResult created = create(token, convo, 2 * kPartBytes);
        QCOMPARE(created.status, 201);
        const QString key = created.json.value(QLatin1String("key")).toString();
        const QString uploadId = created.json.value(QLatin1String("upload_id")).toString();
        // A pass right away keeps it ([retention] multipart_max_age = 2s here, 1d by default).
        QCOMPARE(cluster().rest.call("POST", cluster().admin() + QStringLiteral("/admin/retention/run"), Cluster::kAdminToken, QByteArray()).status, 200);
        QCOMPARE(parts(token, key, uploadId).status, 200);
        // Passes once it is older than that abort it.
        QTRY_VERIFY_WITH_TIMEOUT(
            (cluster().rest.call("POST", cluster().admin() + QStringLiteral("/admin/retention/run"), Cluster::kAdminToken, QByteArray()),
             parts(token, key, uploadId).status == 404),
            15000);
    }
};

QTEST_GUILESS_MAIN(TestAttachments)
#include "tst_attachments.moc"

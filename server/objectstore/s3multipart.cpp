#include "objectstore/s3store.h"
#include "objectstore/s3store_p.h"

#include <QXmlStreamReader>

#include <QCoroTask>

#include <algorithm>

// S3Store's multipart uploads (docs/objectstore.md, "Multipart uploads").
namespace confab::objectstore
{

using namespace s3detail;

namespace
{

QByteArray uploadQuery(const QString &uploadId, int partNumber = 0)
{
    QList<QPair<QByteArray, QByteArray>> q;
    if (partNumber > 0)
        q.append({ QByteArrayLiteral("partNumber"), QByteArray::number(partNumber) });
    q.append({ QByteArrayLiteral("uploadId"), uploadId.toUtf8() });
    return encodeQuery(q);
}

// The text of the first element of that name, empty if none.
QString firstElement(const QByteArray &body, QLatin1String name)
{
    QXmlStreamReader xml(body);
    while (!xml.atEnd()) {
        if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == name)
            return xml.readElementText();
    }
    return {};
}

// S3 answers NoSuchUpload (404) for an upload id it does not know for this key.
Error uploadError(const QString &what, int status, const QByteArray &body)
{
    if (parseErrorBody(body).code == QLatin1String("NoSuchUpload"))
        return Error::notFound(QStringLiteral("no such upload"));
    return httpError(what, status, body);
}

} // namespace

QCoro::Task<Expected<QString>> S3Store::createMultipart(QString key, QByteArray contentType)
{
    const QString what = QStringLiteral("S3 create of a multipart upload of '%1'").arg(key);
    if (Status valid = validateKey(key); !valid)
        co_return valid.error();
    HeaderList headers;
    if (!contentType.isEmpty())
        headers.append({ QByteArrayLiteral("Content-Type"), contentType });
    auto task = send("multipart_create", "POST", objectUrl(key, QByteArrayLiteral("uploads=")),
        headers, {}, what);
    auto r = co_await task;
    if (!r)
        co_return r.error();
    if (r->status != 200)
        co_return httpError(what, r->status, r->body);
    const QString id = firstElement(r->body, QLatin1String("UploadId"));
    if (id.isEmpty())
        co_return Error::internal(what + QStringLiteral(": no UploadId in the answer"));
    co_return id;
}

Expected<QUrl> S3Store::presignPart(
    QString key, QString uploadId, int partNumber, qint64 length, qint64 expiresS)
{
    Q_UNUSED(length) // not signed, as for presignPut
    if (Status valid = validateKey(key); !valid)
        return valid.error();
    if (uploadId.isEmpty())
        return Error::notFound(QStringLiteral("no such upload"));
    if (partNumber < 1 || partNumber > 10000)
        return Error::badRequest(QStringLiteral("part numbers are 1 to 10000"));
    if (expiresS <= 0 || expiresS > kMaxPresignS)
        return Error::badRequest(QStringLiteral("presigned URL lifetime must be 1 s to 7 days"));
    return presignUrl(d->key, "PUT", objectUrl(key, uploadQuery(uploadId, partNumber)), expiresS,
        QDateTime::currentDateTimeUtc());
}

QCoro::Task<Expected<QList<UploadedPart>>> S3Store::listParts(QString key, QString uploadId)
{
    const QString what = QStringLiteral("S3 list of the parts of '%1'").arg(key);
    if (Status valid = validateKey(key); !valid)
        co_return valid.error();
    if (uploadId.isEmpty())
        co_return Error::notFound(QStringLiteral("no such upload"));
    QList<UploadedPart> parts;
    QByteArray marker;
    // At most 10000 parts, 1000 per page.
    for (int page = 0; page < 11; ++page) {
        QList<QPair<QByteArray, QByteArray>> q;
        if (!marker.isEmpty())
            q.append({ QByteArrayLiteral("part-number-marker"), marker });
        q.append({ QByteArrayLiteral("uploadId"), uploadId.toUtf8() });
        auto task = send("multipart_list_parts", "GET", objectUrl(key, encodeQuery(q)), {}, {},
            what);
        auto r = co_await task;
        if (!r)
            co_return r.error();
        if (r->status != 200)
            co_return uploadError(what, r->status, r->body);
        bool truncated = false;
        marker.clear();
        QXmlStreamReader xml(r->body);
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement)
                continue;
            if (xml.name() == QLatin1String("Part")) {
                UploadedPart p;
                while (xml.readNextStartElement()) {
                    const auto name = xml.name();
                    const QString text = xml.readElementText();
                    if (name == QLatin1String("PartNumber"))
                        p.partNumber = text.toInt();
                    else if (name == QLatin1String("ETag"))
                        p.etag = etagOf(text.toLatin1()).toLatin1();
                    else if (name == QLatin1String("Size"))
                        p.size = text.toLongLong();
                }
                parts.append(p);
            } else if (xml.name() == QLatin1String("IsTruncated")) {
                truncated = xml.readElementText() == QLatin1String("true");
            } else if (xml.name() == QLatin1String("NextPartNumberMarker")) {
                marker = xml.readElementText().toLatin1();
            }
        }
        if (xml.hasError())
            co_return Error::internal(
                QStringLiteral("%1: unreadable ListParts answer: %2").arg(what, xml.errorString()));
        if (!truncated || marker.isEmpty())
            break;
    }
    std::sort(parts.begin(), parts.end(),
        [](const UploadedPart &a, const UploadedPart &b) { return a.partNumber < b.partNumber; });
    co_return parts;
}

QCoro::Task<Status> S3Store::completeMultipart(
    QString key, QString uploadId, QList<UploadedPart> parts)
{
    const QString what = QStringLiteral("S3 completion of the upload of '%1'").arg(key);
    if (Status valid = validateKey(key); !valid)
        co_return valid;
    if (uploadId.isEmpty())
        co_return Error::notFound(QStringLiteral("no such upload"));
    QByteArray body = "<CompleteMultipartUpload>";
    for (const UploadedPart &p : parts) {
        body += "<Part><PartNumber>" + QByteArray::number(p.partNumber) + "</PartNumber><ETag>\""
            + QString::fromLatin1(p.etag).toHtmlEscaped().toUtf8() + "\"</ETag></Part>";
    }
    body += "</CompleteMultipartUpload>";
    HeaderList headers { { QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/xml") } };
    auto task = send("multipart_complete", "POST", objectUrl(key, uploadQuery(uploadId)), headers,
        body, what);
    auto r = co_await task;
    if (!r)
        co_return r.error();
    if (r->status == 400 && parseErrorBody(r->body).code.startsWith(QLatin1String("InvalidPart")))
        co_return Error::badRequest(describeHttp(what, r->status, r->body));
    if (r->status != 200)
        co_return uploadError(what, r->status, r->body);
    // S3 may answer 200 and put an error in the body when it fails late.
    if (!parseErrorBody(r->body).code.isEmpty())
        co_return Error::unavailable(describeHttp(what, r->status, r->body));
    co_return Ok {};
}

QCoro::Task<Status> S3Store::abortMultipart(QString key, QString uploadId)
{
    const QString what = QStringLiteral("S3 abort of the upload of '%1'").arg(key);
    if (Status valid = validateKey(key); !valid)
        co_return valid;
    if (uploadId.isEmpty())
        co_return Error::notFound(QStringLiteral("no such upload"));
    auto task = send("multipart_abort", "DELETE", objectUrl(key, uploadQuery(uploadId)), {}, {},
        what);
    auto r = co_await task;
    if (!r)
        co_return r.error();
    if (r->status == 204 || r->status == 200)
        co_return Ok {};
    co_return uploadError(what, r->status, r->body);
}

QCoro::Task<Expected<QList<PendingUpload>>> S3Store::listMultipartUploads(QString prefix)
{
    const QString what = QStringLiteral("S3 list of the uploads under '%1'").arg(prefix);
    QList<QPair<QByteArray, QByteArray>> q;
    if (!prefix.isEmpty())
        q.append({ QByteArrayLiteral("prefix"), prefix.toUtf8() });
    q.append({ QByteArrayLiteral("uploads"), QByteArray() });
    auto task = send("multipart_list", "GET", objectUrl({}, encodeQuery(q)), {}, {}, what);
    auto r = co_await task;
    if (!r)
        co_return r.error();
    if (r->status != 200)
        co_return httpError(what, r->status, r->body);
    QList<PendingUpload> uploads;
    QXmlStreamReader xml(r->body);
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement || xml.name() != QLatin1String("Upload"))
            continue;
        PendingUpload u;
        while (xml.readNextStartElement()) {
            const auto name = xml.name();
            const QString text = xml.readElementText();
            if (name == QLatin1String("Key"))
                u.key = text;
            else if (name == QLatin1String("UploadId"))
                u.uploadId = text;
            else if (name == QLatin1String("Initiated"))
                u.initiatedMs = QDateTime::fromString(text, Qt::ISODateWithMs).toMSecsSinceEpoch();
        }
        uploads.append(u);
    }
    if (xml.hasError())
        co_return Error::internal(QStringLiteral("%1: unreadable ListMultipartUploads answer: %2")
                                      .arg(what, xml.errorString()));
    co_return uploads;
}


} // namespace confab::objectstore

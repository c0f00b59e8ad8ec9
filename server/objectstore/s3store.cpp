#include "objectstore/s3store.h"

#include "objectstore/logging.h"

#include <QHash>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QRandomGenerator>
#include <QXmlStreamReader>

#include <QCoroNetworkReply>
#include <QCoroTimer>

#include <chrono>

namespace confab::objectstore
{

namespace
{

struct DeleteLater {
    void operator()(QObject *o) const { o->deleteLater(); }
};

struct S3ErrorBody {
    QString code;
    QString message;
};

S3ErrorBody parseErrorBody(const QByteArray &body)
{
    S3ErrorBody e;
    QXmlStreamReader xml(body);
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        if (xml.name() == QLatin1String("Code"))
            e.code = xml.readElementText();
        else if (xml.name() == QLatin1String("Message"))
            e.message = xml.readElementText();
    }
    return e;
}

QString describeHttp(const QString &what, int status, const QByteArray &body)
{
    const S3ErrorBody e = parseErrorBody(body);
    if (e.code.isEmpty())
        return QStringLiteral("%1: HTTP %2").arg(what, QString::number(status));
    return QStringLiteral("%1: HTTP %2 %3: %4")
        .arg(what, QString::number(status), e.code, e.message);
}

// A 4xx answer as an Error: what S3 says is kept in the message, since it names the cause
// (SignatureDoesNotMatch, AccessDenied, NoSuchBucket...).
Error httpError(const QString &what, int status, const QByteArray &body)
{
    const QString message = describeHttp(what, status, body);
    if (status == 404)
        return Error::notFound(message);
    if (status == 416)
        return Error::badRequest(message);
    return Error::internal(message);
}

QByteArray encodeQuery(const QList<QPair<QByteArray, QByteArray>> &pairs)
{
    QByteArray out;
    for (const auto &[name, value] : pairs) {
        if (!out.isEmpty())
            out += '&';
        out += uriEncode(name, true) + '=' + uriEncode(value, true);
    }
    return out;
}

QString etagOf(const QByteArray &raw)
{
    QByteArray tag = raw.trimmed();
    if (tag.size() >= 2 && tag.startsWith('"') && tag.endsWith('"'))
        tag = tag.mid(1, tag.size() - 2);
    return QString::fromLatin1(tag);
}

Expected<ListPage> parseListPage(const QByteArray &body, const QString &what)
{
    ListPage page;
    bool truncated = false;
    QXmlStreamReader xml(body);
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        if (xml.name() == QLatin1String("Contents")) {
            ObjectInfo info;
            while (xml.readNextStartElement()) {
                const auto name = xml.name();
                const QString text = xml.readElementText();
                if (name == QLatin1String("Key"))
                    info.key = text;
                else if (name == QLatin1String("Size"))
                    info.size = text.toLongLong();
                else if (name == QLatin1String("ETag"))
                    info.etag = etagOf(text.toLatin1()).toLatin1();
                else if (name == QLatin1String("LastModified"))
                    info.lastModifiedMs
                        = QDateTime::fromString(text, Qt::ISODateWithMs).toMSecsSinceEpoch();
            }
            page.objects.append(info);
        } else if (xml.name() == QLatin1String("IsTruncated")) {
            truncated = xml.readElementText() == QLatin1String("true");
        } else if (xml.name() == QLatin1String("NextContinuationToken")) {
            page.nextContinuationToken = xml.readElementText();
        }
    }
    if (xml.hasError())
        return Error::internal(
            QStringLiteral("%1: unreadable ListObjectsV2 answer: %2").arg(what, xml.errorString()));
    if (truncated && page.nextContinuationToken.isEmpty())
        return Error::internal(what + QStringLiteral(": truncated listing without a token"));
    if (!truncated)
        page.nextContinuationToken.clear();
    return page;
}

} // namespace

struct S3Store::Response {
    int status = 0;
    QByteArray body;
    QByteArray etag;
    qint64 contentLength = -1;
    QDateTime lastModified;
};

class S3Store::Private
{
public:
    S3Options options;
    SigningKey key;
    QUrl endpoint;
    QPointer<QNetworkAccessManager> nam;
};

S3Store::S3Store(S3Options options, QNetworkAccessManager *nam, QObject *parent)
    : ObjectStore(parent)
    , d(std::make_unique<Private>())
{
    d->key = { options.accessKey, options.secretKey, options.region };
    d->endpoint = options.endpoint;
    // QNetworkAccessManager puts an explicit port in Host even when it is the default one,
    // while browsers using a presigned URL leave it out: drop it so that both agree.
    const int defaultPort = d->endpoint.scheme() == QLatin1String("https") ? 443 : 80;
    if (d->endpoint.port() == defaultPort)
        d->endpoint.setPort(-1);
    d->options = std::move(options);
    d->nam = nam;
}

S3Store::~S3Store() = default;

QUrl S3Store::objectUrl(const QString &key, const QByteArray &encodedQuery) const
{
    QByteArray url = d->endpoint.toEncoded(
        QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::StripTrailingSlash);
    url += '/' + uriEncode(d->options.bucket.toUtf8(), true);
    if (!key.isEmpty())
        url += '/' + uriEncode(key.toUtf8(), false);
    if (!encodedQuery.isEmpty())
        url += '?' + encodedQuery;
    return QUrl::fromEncoded(url, QUrl::StrictMode);
}

QCoro::Task<Expected<S3Store::Response>> S3Store::send(
    QByteArray op, QByteArray method, QUrl url, HeaderList headers, QByteArray body, QString what)
{
    const QPointer<S3Store> self(this);
    const QByteArray payloadHash = sha256Hex(body);
    const int maxRetries = std::max(0, d->options.maxRetries);
    Error last = Error::unavailable(what);

    for (int attempt = 0; attempt <= maxRetries; ++attempt) {
        if (attempt > 0) {
            const qint64 base = d->options.retryBaseMs << std::min(attempt - 1, 10);
            const qint64 delay = base + QRandomGenerator::global()->bounded(base / 4 + 1);
            qCInfo(lcObjectStore, "%s; retry %d of %d in %lld ms", qUtf8Printable(last.message),
                attempt, maxRetries, delay);
            // Tasks are named locals: GCC 12 mishandles temporaries in co_await expressions.
            auto sleep = QCoro::sleepFor(std::chrono::milliseconds(delay));
            co_await sleep;
            if (!self)
                co_return Error::unavailable(what + QStringLiteral(": store shut down"));
        }
        if (!d->nam)
            co_return Error::unavailable(what + QStringLiteral(": no network access manager"));

        QNetworkRequest request(url);
        request.setTransferTimeout(int(std::min<qint64>(d->options.requestTimeoutMs, INT_MAX)));
        // A redirect would need a new signature; S3 answers 301/307 only for a wrong region.
        request.setAttribute(
            QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
        const HeaderList signedHeaders = signHeaders(
            d->key, method, url, headers, payloadHash, QDateTime::currentDateTimeUtc());
        for (const auto &[name, value] : signedHeaders) {
            if (name.compare("host", Qt::CaseInsensitive) != 0)
                request.setRawHeader(name, value);
        }

        std::unique_ptr<QNetworkReply, DeleteLater> reply;
        if (method == "GET")
            reply.reset(d->nam->get(request));
        else if (method == "HEAD")
            reply.reset(d->nam->head(request));
        else if (method == "PUT")
            reply.reset(d->nam->put(request, body));
        else if (method == "DELETE")
            reply.reset(d->nam->deleteResource(request));
        else
            reply.reset(d->nam->sendCustomRequest(request, method, body));

        co_await reply.get();
        if (!self)
            co_return Error::unavailable(what + QStringLiteral(": store shut down"));

        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 0) {
            Q_EMIT requestFinished(op, QByteArrayLiteral("error"));
            const QString why = reply->error() == QNetworkReply::OperationCanceledError
                ? QStringLiteral("no progress within %1 ms").arg(d->options.requestTimeoutMs)
                : reply->errorString();
            last = Error::unavailable(QStringLiteral("%1: %2").arg(what, why));
        } else {
            Q_EMIT requestFinished(op, QByteArray::number(status));
            Response r;
            r.status = status;
            r.body = reply->readAll();
            if (status < 500) {
                r.etag = etagOf(reply->rawHeader("ETag")).toLatin1();
                const QVariant length = reply->header(QNetworkRequest::ContentLengthHeader);
                r.contentLength = length.isValid() ? length.toLongLong() : -1;
                r.lastModified = reply->header(QNetworkRequest::LastModifiedHeader).toDateTime();
                co_return r;
            }
            last = Error::unavailable(describeHttp(what, status, r.body));
        }
        if (!self)
            co_return Error::unavailable(what + QStringLiteral(": store shut down"));
    }
    // The caller logs the failure where it handles it.
    last.message += QStringLiteral(" (after %1 attempts)").arg(maxRetries + 1);
    co_return last;
}

QCoro::Task<Status> S3Store::put(QString key, QByteArray data, QByteArray contentType)
{
    const QString what = QStringLiteral("S3 put of '%1'").arg(key);
    if (Status valid = validateKey(key); !valid)
        co_return valid;
    HeaderList headers;
    if (!contentType.isEmpty())
        headers.append({ QByteArrayLiteral("Content-Type"), contentType });
    auto task = send("put", "PUT", objectUrl(key), headers, data, what);
    auto r = co_await task;
    if (!r)
        co_return r.error();
    if (r->status != 200)
        co_return httpError(what, r->status, r->body);
    co_return Ok {};
}

QCoro::Task<Expected<QByteArray>> S3Store::get(QString key, std::optional<ByteRange> range)
{
    const QString what = QStringLiteral("S3 get of '%1'").arg(key);
    if (Status valid = validateKey(key); !valid)
        co_return valid.error();
    HeaderList headers;
    if (range) {
        if (range->offset < 0 || range->length == 0 || range->length < -1)
            co_return Error::badRequest(what + QStringLiteral(": invalid byte range"));
        QByteArray spec = "bytes=" + QByteArray::number(range->offset) + '-';
        if (range->length > 0)
            spec += QByteArray::number(range->offset + range->length - 1);
        headers.append({ QByteArrayLiteral("Range"), spec });
    }
    auto task = send("get", "GET", objectUrl(key), headers, {}, what);
    auto r = co_await task;
    if (!r)
        co_return r.error();
    if (r->status == 206)
        co_return r->body;
    if (r->status == 200) {
        // A server that ignores Range sends the whole object; cut the range out here.
        if (range) {
            if (range->offset >= r->body.size())
                co_return Error::badRequest(what + QStringLiteral(": range beyond the end"));
            co_return r->body.mid(range->offset, range->length);
        }
        co_return r->body;
    }
    co_return httpError(what, r->status, r->body);
}

QCoro::Task<Expected<ObjectInfo>> S3Store::head(QString key)
{
    const QString what = QStringLiteral("S3 head of '%1'").arg(key);
    if (Status valid = validateKey(key); !valid)
        co_return valid.error();
    auto task = send("head", "HEAD", objectUrl(key), {}, {}, what);
    auto r = co_await task;
    if (!r)
        co_return r.error();
    if (r->status != 200)
        co_return httpError(what, r->status, r->body);
    ObjectInfo info;
    info.key = key;
    info.size = std::max<qint64>(0, r->contentLength);
    info.etag = r->etag;
    info.lastModifiedMs = r->lastModified.isValid() ? r->lastModified.toMSecsSinceEpoch() : 0;
    co_return info;
}

QCoro::Task<Status> S3Store::remove(QString key)
{
    const QString what = QStringLiteral("S3 delete of '%1'").arg(key);
    if (Status valid = validateKey(key); !valid)
        co_return valid;
    auto task = send("delete", "DELETE", objectUrl(key), {}, {}, what);
    auto r = co_await task;
    if (!r)
        co_return r.error();
    if (r->status == 200 || r->status == 204)
        co_return Ok {};
    if (r->status == 404 && parseErrorBody(r->body).code != QLatin1String("NoSuchBucket"))
        co_return Ok {};
    co_return httpError(what, r->status, r->body);
}

QCoro::Task<Expected<ListPage>> S3Store::list(
    QString prefix, QString continuationToken, int maxKeys)
{
    const QString what = QStringLiteral("S3 list of '%1'").arg(prefix);
    if (maxKeys <= 0 || maxKeys > 1000)
        maxKeys = 1000;
    QList<QPair<QByteArray, QByteArray>> query;
    if (!continuationToken.isEmpty())
        query.append({ QByteArrayLiteral("continuation-token"), continuationToken.toUtf8() });
    query.append({ QByteArrayLiteral("list-type"), QByteArrayLiteral("2") });
    query.append({ QByteArrayLiteral("max-keys"), QByteArray::number(maxKeys) });
    if (!prefix.isEmpty())
        query.append({ QByteArrayLiteral("prefix"), prefix.toUtf8() });
    auto task = send("list", "GET", objectUrl({}, encodeQuery(query)), {}, {}, what);
    auto r = co_await task;
    if (!r)
        co_return r.error();
    if (r->status != 200)
        co_return httpError(what, r->status, r->body);
    co_return parseListPage(r->body, what);
}

QCoro::Task<Status> S3Store::ping()
{
    const QString what = QStringLiteral("S3 check of bucket '%1'").arg(d->options.bucket);
    auto task = send("ping", "HEAD", objectUrl({}), {}, {}, what);
    auto r = co_await task;
    if (!r)
        co_return r.error();
    if (r->status != 200)
        co_return httpError(what, r->status, r->body);
    co_return Ok {};
}

namespace
{
// S3 accepts at most a week.
constexpr qint64 kMaxPresignS = 7 * 24 * 3600;
} // namespace

Expected<QUrl> S3Store::presignPut(
    QString key, qint64 expiresS, QByteArray contentType, qint64 size)
{
    // The size is not signed: browsers set Content-Length themselves and a signed one would
    // have to match byte for byte. The API checks the stored size after upload instead.
    Q_UNUSED(size)
    if (Status valid = validateKey(key); !valid)
        return valid.error();
    if (expiresS <= 0 || expiresS > kMaxPresignS)
        return Error::badRequest(QStringLiteral("presigned URL lifetime must be 1 s to 7 days"));
    HeaderList headers;
    if (!contentType.isEmpty())
        headers.append({ QByteArrayLiteral("content-type"), contentType });
    return presignUrl(
        d->key, "PUT", objectUrl(key), expiresS, QDateTime::currentDateTimeUtc(), headers);
}

Expected<QUrl> S3Store::presignGet(QString key, qint64 expiresS)
{
    if (Status valid = validateKey(key); !valid)
        return valid.error();
    if (expiresS <= 0 || expiresS > kMaxPresignS)
        return Error::badRequest(QStringLiteral("presigned URL lifetime must be 1 s to 7 days"));
    return presignUrl(d->key, "GET", objectUrl(key), expiresS, QDateTime::currentDateTimeUtc());
}

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

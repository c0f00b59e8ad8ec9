#include "objectstore/s3store.h"

#include "objectstore/logging.h"
#include "objectstore/s3store_p.h"

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

namespace s3detail
{

namespace
{
struct DeleteLater {
    void operator()(QObject *o) const { o->deleteLater(); }
};
} // namespace

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

} // namespace s3detail

using namespace s3detail;

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

} // namespace confab::objectstore

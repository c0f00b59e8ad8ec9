#include "api/attachmentapi.h"

#include "confab/ids.h"
#include "confab/jsonwriter.h"
#include "http/bodystream.h"
#include "http/router.h"
#include "objectstore/localstore.h"
#include "objectstore/multipart.h"
#include "objectstore/objectstore.h"
#include "store/conversations.h"

#include <QDateTime>
#include <QJsonArray>

#include <limits>

namespace confab::api {

using objectstore::PartPlan;
using objectstore::UploadedPart;

namespace {

// Attachment keys carry their app and conversation, so a download is checked against the
// caller's membership without a lookup: att/<app>/<convo>/<ulid>/<file name>.
QString attachmentKey(const QString &app, const QString &convo, const QString &filename)
{
    QString safe;
    for (const QChar c : filename.left(100)) {
        const bool ok = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'.'
            || c == u'-' || c == u'_';
        safe.append(ok ? c : u'_');
    }
    if (safe.isEmpty() || safe.startsWith(u'.'))
        safe.prepend(QStringLiteral("file"));
    return QStringLiteral("att/%1/%2/%3/%4").arg(app, convo, QString::fromLatin1(newUlid().toLower()), safe);
}

http::Response errorResponse(const Error &e)
{
    return http::Response::error(e);
}

qint64 expiresMs()
{
    return QDateTime::currentMSecsSinceEpoch() + AttachmentApi::kUrlTtlS * 1000;
}

Error noSuchAttachment()
{
    return Error::notFound(QStringLiteral("no such attachment"));
}

// A Host header fit to be put in a URL: a name or address and a port, nothing else.
bool isPlainHost(const QByteArray &host)
{
    if (host.isEmpty() || host.size() > 255)
        return false;
    for (const char c : host) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
            || c == '-' || c == ':' || c == '[' || c == ']';
        if (!ok)
            return false;
    }
    return true;
}

} // namespace

struct AttachmentApi::UploadRef
{
    access::Identity id;
    QString key;
    QString storeUploadId;
    PartPlan plan;
};

AttachmentApi::AttachmentApi(ApiDeps deps, QObject *parent) : QObject(parent), m_deps(deps) { }

qint64 AttachmentApi::maxBlobBytes(const Config &config)
{
    return PartPlan::forSize(config.limits.attachmentMaxBytes, config.limits.attachmentPartBytes).partBytes;
}

void AttachmentApi::registerRoutes(http::Router &router)
{
    router.add("POST", "/v1/attachments", [this](http::Request r) { return createAttachment(std::move(r)); });
    router.add("GET", "/v1/attachments/url", [this](http::Request r) { return attachmentUrl(std::move(r)); });
    router.add("GET", "/v1/attachments/parts", [this](http::Request r) { return listParts(std::move(r)); });
    router.add("POST", "/v1/attachments/complete", [this](http::Request r) { return completeUpload(std::move(r)); });
    router.add("POST", "/v1/attachments/abort", [this](http::Request r) { return abortUpload(std::move(r)); });
    router.addStreaming("PUT", "/v1/blobs", [this](http::Request r) { return putBlob(std::move(r)); },
                        maxBlobBytes(*m_deps.config));
    router.add("GET", "/v1/blobs", [this](http::Request r) { return getBlob(std::move(r)); });
}

Expected<QUrl> AttachmentApi::publicUrl(const http::Request &req, const QUrl &url) const
{
    if (!url.isRelative())
        return url;
    QString base = m_deps.config->server.publicUrl;
    if (base.isEmpty()) {
        const QByteArray host = req.header("host");
        if (!isPlainHost(host))
            return Error::badRequest(QStringLiteral("a Host header is needed to make an upload URL ([server] public_url is unset)"));
        base = (m_deps.config->tls.enabled() ? QStringLiteral("https://") : QStringLiteral("http://")) + QString::fromLatin1(host);
    }
    while (base.endsWith(u'/'))
        base.chop(1);
    // Base and path joined as text, so a public_url with a path prefix (a proxy) keeps it.
    return QUrl::fromEncoded(base.toUtf8() + url.toEncoded(), QUrl::StrictMode);
}

QCoro::Task<http::Response> AttachmentApi::createAttachment(http::Request req)
{
    auto identifying = m_deps.authenticator->authenticate(req.bearerToken());
    const auto id = co_await identifying;
    if (!id)
        co_return errorResponse(id.error());
    const auto body = jsonBody(req);
    if (!body)
        co_return errorResponse(body.error());
    const QString convoId = body->value(QLatin1String("convo_id")).toString();
    const QString filename = body->value(QLatin1String("filename")).toString();
    const QString contentType = body->value(QLatin1String("content_type")).toString();
    const QJsonValue sizeValue = body->value(QLatin1String("size"));
    // A content type is sent back as a header on upload and download: no control characters.
    const bool contentTypeIsText = std::none_of(contentType.cbegin(), contentType.cend(),
                                                [](QChar c) { return c.unicode() < 0x20 || c.unicode() == 0x7f; });
    if (!isValidId(convoId.toUtf8()) || filename.isEmpty() || filename.size() > 255 || contentType.isEmpty()
        || contentType.size() > 255 || !contentTypeIsText || sizeValue.isUndefined())
        co_return errorResponse(Error::badRequest(QStringLiteral("'convo_id', 'filename', 'content_type' and 'size' are required")));
    if (!isWholeNumber(sizeValue, 0, std::numeric_limits<qint64>::max()))
        co_return errorResponse(Error::badRequest(QStringLiteral("'size' must be a non-negative integer")));
    const Limits &limits = m_deps.config->limits;
    if (sizeValue.toDouble() > double(limits.attachmentMaxBytes))
        co_return errorResponse(Error::tooLarge(QStringLiteral("attachments are at most %1 bytes").arg(limits.attachmentMaxBytes)));
    const qint64 size = qint64(sizeValue.toDouble());
    auto finding = visibleConversation(m_deps, *id, convoId);
    const auto c = co_await finding;
    if (!c)
        co_return errorResponse(c.error().code == ErrorCode::NotFound && !id->isApp
                                    ? Error::notMember(QStringLiteral("not a member of this conversation"))
                                    : c.error());
    const QString key = attachmentKey(id->appId, c->id, filename);

    if (size <= limits.attachmentPartBytes) {
        const auto signedUrl = m_deps.objects->presignPut(key, kUrlTtlS, contentType.toUtf8(), size);
        if (!signedUrl)
            co_return errorResponse(signedUrl.error());
        const auto url = publicUrl(req, *signedUrl);
        if (!url)
            co_return errorResponse(url.error());
        JsonWriter w;
        w.beginObject()
            .field("key", key)
            .field("upload_url", url->toString(QUrl::FullyEncoded))
            .field("expires_ms", expiresMs())
            .endObject();
        co_return http::Response::json(201, w.take());
    }

    // Every unfinished upload holds storage until completed, aborted or expired by the
    // retention worker: a conversation holds only so many at once.
    auto listing = m_deps.objects->listMultipartUploads(QStringLiteral("att/%1/%2/").arg(id->appId, c->id));
    const auto open = co_await listing;
    if (!open)
        co_return errorResponse(open.error());
    if (open->size() >= kMaxOpenUploadsPerConversation)
        co_return errorResponse(Error::rateLimited(
            QStringLiteral("this conversation has %1 unfinished uploads: complete or abort one first")
                .arg(kMaxOpenUploadsPerConversation),
            60000));
    const PartPlan plan = PartPlan::forSize(size, limits.attachmentPartBytes);
    auto creating = m_deps.objects->createMultipart(key, contentType.toUtf8());
    const auto storeId = co_await creating;
    if (!storeId)
        co_return errorResponse(storeId.error());
    JsonWriter w(4096);
    w.beginObject()
        .field("key", key)
        .field("upload_id", objectstore::encodeUploadId(*storeId, plan))
        .field("part_bytes", plan.partBytes)
        .key("parts")
        .beginArray();
    for (int n = 1; n <= plan.count(); ++n) {
        const auto signedUrl = m_deps.objects->presignPart(key, *storeId, n, plan.length(n), kUrlTtlS);
        const auto url = signedUrl ? publicUrl(req, *signedUrl) : Expected<QUrl>(signedUrl.error());
        if (!url) {
            auto aborting = m_deps.objects->abortMultipart(key, *storeId);
            (void)co_await aborting;
            co_return errorResponse(url.error());
        }
        w.beginObject().field("part_number", n).field("upload_url", url->toString(QUrl::FullyEncoded)).endObject();
    }
    w.endArray().field("expires_ms", expiresMs()).endObject();
    co_return http::Response::json(201, w.take());
}

QCoro::Task<http::Response> AttachmentApi::attachmentUrl(http::Request req)
{
    auto identifying = m_deps.authenticator->authenticate(req.bearerToken());
    const auto id = co_await identifying;
    if (!id)
        co_return errorResponse(id.error());
    const QString key = req.query.queryItemValue(QStringLiteral("key"), QUrl::FullyDecoded);
    const QStringList parts = key.split(u'/');
    if (parts.size() != 5 || parts[0] != QLatin1String("att") || parts[1] != id->appId)
        co_return errorResponse(noSuchAttachment());
    auto finding = visibleConversation(m_deps, *id, parts[2]);
    const auto c = co_await finding;
    if (!c)
        co_return errorResponse(noSuchAttachment());
    const auto signedUrl = m_deps.objects->presignGet(key, kUrlTtlS);
    if (!signedUrl)
        co_return errorResponse(signedUrl.error());
    const auto url = publicUrl(req, *signedUrl);
    if (!url)
        co_return errorResponse(url.error());
    JsonWriter w;
    w.beginObject()
        .field("download_url", url->toString(QUrl::FullyEncoded))
        .field("expires_ms", expiresMs())
        .endObject();
    co_return http::Response::json(200, w.take());
}

QCoro::Task<Expected<AttachmentApi::UploadRef>> AttachmentApi::findUpload(http::Request req, QString key,
                                                                          QString uploadId)
{
    auto identifying = m_deps.authenticator->authenticate(req.bearerToken());
    const auto id = co_await identifying;
    if (!id)
        co_return id.error();
    const QStringList parts = key.split(u'/');
    if (parts.size() != 5 || parts[0] != QLatin1String("att") || parts[1] != id->appId)
        co_return noSuchAttachment();
    auto finding = visibleConversation(m_deps, *id, parts[2]);
    const auto c = co_await finding;
    if (!c)
        co_return noSuchAttachment();
    const auto decoded = objectstore::decodeUploadId(uploadId);
    if (!decoded)
        co_return decoded.error();
    if (decoded->plan.size > m_deps.config->limits.attachmentMaxBytes)
        co_return Error::tooLarge(
            QStringLiteral("attachments are at most %1 bytes").arg(m_deps.config->limits.attachmentMaxBytes));
    co_return UploadRef{*id, key, decoded->storeUploadId, decoded->plan};
}

QCoro::Task<http::Response> AttachmentApi::listParts(http::Request req)
{
    const QString key = req.query.queryItemValue(QStringLiteral("key"), QUrl::FullyDecoded);
    const QString uploadId = req.query.queryItemValue(QStringLiteral("upload_id"), QUrl::FullyDecoded);
    auto finding = findUpload(req, key, uploadId);
    const auto ref = co_await finding;
    if (!ref)
        co_return errorResponse(ref.error());
    auto listing = m_deps.objects->listParts(ref->key, ref->storeUploadId);
    const auto done = co_await listing;
    if (!done)
        co_return errorResponse(done.error());
    JsonWriter w(4096);
    w.beginObject()
        .field("key", ref->key)
        .field("upload_id", uploadId)
        .field("part_bytes", ref->plan.partBytes)
        .key("done")
        .beginArray();
    QSet<int> finished;
    for (const UploadedPart &p : *done) {
        // A part of the wrong size is uploaded again (its URL is handed out below).
        if (p.size != ref->plan.length(p.partNumber))
            continue;
        finished.insert(p.partNumber);
        w.beginObject()
            .field("part_number", p.partNumber)
            .field("etag", QByteArrayView(p.etag))
            .field("size", p.size)
            .endObject();
    }
    w.endArray().key("parts").beginArray();
    for (int n = 1; n <= ref->plan.count(); ++n) {
        if (finished.contains(n))
            continue;
        const auto signedUrl = m_deps.objects->presignPart(ref->key, ref->storeUploadId, n, ref->plan.length(n), kUrlTtlS);
        const auto url = signedUrl ? publicUrl(req, *signedUrl) : Expected<QUrl>(signedUrl.error());
        if (!url)
            co_return errorResponse(url.error());
        w.beginObject().field("part_number", n).field("upload_url", url->toString(QUrl::FullyEncoded)).endObject();
    }
    w.endArray().field("expires_ms", expiresMs()).endObject();
    co_return http::Response::json(200, w.take());
}

QCoro::Task<http::Response> AttachmentApi::completeUpload(http::Request req)
{
    const auto body = jsonBody(req);
    if (!body)
        co_return errorResponse(body.error());
    const QString key = body->value(QLatin1String("key")).toString();
    const QString uploadId = body->value(QLatin1String("upload_id")).toString();
    const QJsonValue partsValue = body->value(QLatin1String("parts"));
    if (key.isEmpty() || uploadId.isEmpty() || !partsValue.isArray())
        co_return errorResponse(Error::badRequest(QStringLiteral("'key', 'upload_id' and 'parts' are required")));
    auto finding = findUpload(req, key, uploadId);
    const auto ref = co_await finding;
    if (!ref)
        co_return errorResponse(ref.error());
    const QJsonArray array = partsValue.toArray();
    const int count = ref->plan.count();
    if (array.size() != count)
        co_return errorResponse(
            Error::badRequest(QStringLiteral("this upload has %1 parts: list each once, in order").arg(count)));
    QList<UploadedPart> parts;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonObject o = array.at(i).toObject();
        QByteArray etag = o.value(QLatin1String("etag")).toString().toLatin1();
        if (etag.size() >= 2 && etag.startsWith('"') && etag.endsWith('"'))
            etag = etag.mid(1, etag.size() - 2);
        const bool etagOk = !etag.isEmpty() && etag.size() <= 128
            && std::all_of(etag.cbegin(), etag.cend(), [](char ch) { return ch > 0x20 && ch < 0x7f && ch != '"'; });
        if (!isWholeNumber(o.value(QLatin1String("part_number")), i + 1, i + 1) || !etagOk)
            co_return errorResponse(Error::badRequest(
                QStringLiteral("'parts' must hold {part_number, etag} for parts 1 to %1 in order").arg(count)));
        parts.append(UploadedPart{int(i + 1), etag, ref->plan.length(int(i + 1))});
    }
    auto completing = m_deps.objects->completeMultipart(ref->key, ref->storeUploadId, parts);
    const Status completed = co_await completing;
    if (!completed)
        co_return errorResponse(completed.error());
    // The parts' URLs do not bind their sizes on S3: the object must be what was announced.
    auto checking = m_deps.objects->head(ref->key);
    const auto info = co_await checking;
    if (!info)
        co_return errorResponse(info.error());
    if (info->size != ref->plan.size) {
        auto removing = m_deps.objects->remove(ref->key);
        (void)co_await removing;
        co_return errorResponse(Error::badRequest(QStringLiteral("the parts hold %1 bytes, the upload announced %2")
                                                      .arg(info->size)
                                                      .arg(ref->plan.size)));
    }
    JsonWriter w;
    w.beginObject().field("key", ref->key).field("size", info->size).endObject();
    co_return http::Response::json(200, w.take());
}

QCoro::Task<http::Response> AttachmentApi::abortUpload(http::Request req)
{
    const auto body = jsonBody(req);
    if (!body)
        co_return errorResponse(body.error());
    const QString key = body->value(QLatin1String("key")).toString();
    const QString uploadId = body->value(QLatin1String("upload_id")).toString();
    if (key.isEmpty() || uploadId.isEmpty())
        co_return errorResponse(Error::badRequest(QStringLiteral("'key' and 'upload_id' are required")));
    auto finding = findUpload(req, key, uploadId);
    const auto ref = co_await finding;
    if (!ref)
        co_return errorResponse(ref.error());
    auto aborting = m_deps.objects->abortMultipart(ref->key, ref->storeUploadId);
    const Status aborted = co_await aborting;
    if (!aborted)
        co_return errorResponse(aborted.error());
    co_return http::Response::noContent();
}

QCoro::Task<http::Response> AttachmentApi::putBlob(http::Request req)
{
    auto *local = qobject_cast<objectstore::LocalDirStore *>(m_deps.objects);
    if (!local || !req.bodyStream)
        co_return errorResponse(Error::notFound(QStringLiteral("this server signs no upload URLs: its store is S3")));
    const auto grant = local->signer().verify(req.query, req.method, QDateTime::currentSecsSinceEpoch());
    if (!grant)
        co_return errorResponse(grant.error());
    if (grant->op == objectstore::BlobGrant::Op::Get)
        co_return errorResponse(Error::forbidden(QStringLiteral("signed URL refused: a download URL")));
    if (grant->length >= 0 && req.bodyStream->length() != grant->length)
        co_return errorResponse(
            Error::badRequest(QStringLiteral("this URL takes exactly %1 bytes, Content-Length says %2")
                                  .arg(grant->length)
                                  .arg(req.bodyStream->length())));
    std::shared_ptr<http::BodyStream> stream = req.bodyStream;
    auto receiving = local->receive(*grant, [stream] { return stream->read(); });
    const auto etag = co_await receiving;
    if (!etag)
        co_return errorResponse(etag.error());
    http::Response r;
    r.status = 200;
    r.contentType.clear();
    r.headers.append({QByteArrayLiteral("ETag"), '"' + *etag + '"'});
    co_return r;
}

QCoro::Task<http::Response> AttachmentApi::getBlob(http::Request req)
{
    auto *local = qobject_cast<objectstore::LocalDirStore *>(m_deps.objects);
    if (!local)
        co_return errorResponse(Error::notFound(QStringLiteral("this server signs no download URLs: its store is S3")));
    const auto grant = local->signer().verify(req.query, req.method, QDateTime::currentSecsSinceEpoch());
    if (!grant)
        co_return errorResponse(grant.error());
    if (grant->op != objectstore::BlobGrant::Op::Get)
        co_return errorResponse(Error::forbidden(QStringLiteral("signed URL refused: an upload URL")));
    // Streamed from the file as the client reads (http::Response::nextChunk), never whole.
    auto opening = local->openForReading(grant->key);
    const auto reader = co_await opening;
    if (!reader)
        co_return errorResponse(reader.error());
    http::Response r;
    r.status = 200;
    r.contentType = QByteArrayLiteral("application/octet-stream");
    r.bodyLength = reader->size;
    r.nextChunk = reader->next;
    co_return r;
}

} // namespace confab::api

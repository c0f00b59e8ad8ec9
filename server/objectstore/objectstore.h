#pragma once

#include "confab/expected.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QString>
#include <QUrl>

#include <qcoro/qcorotask.h>

#include <optional>

namespace confab::objectstore
{

struct ObjectInfo {
    QString key;
    qint64 size = 0;
    QByteArray etag; // opaque; compare only values from the same store
    qint64 lastModifiedMs = 0;
};

struct ListPage {
    QList<ObjectInfo> objects; // in key order (UTF-8 bytes, as S3 sorts)
    QString nextContinuationToken; // empty: this was the last page
};

// A finished part of a multipart upload (S3 ListParts).
struct UploadedPart {
    int partNumber = 0;
    QByteArray etag; // unquoted
    qint64 size = 0;
};

// A multipart upload not completed or aborted yet (S3 ListMultipartUploads).
struct PendingUpload {
    QString key;
    QString uploadId;
    qint64 initiatedMs = 0;
};

struct ByteRange {
    qint64 offset = 0;
    qint64 length = -1; // -1: to the end
};

// Where segment objects and attachments live: an S3 bucket (S3Store) or, on a single box, a
// directory (LocalDirStore). Every operation is a coroutine that never blocks the calling
// thread; failures are values with a PROTOCOL.md section 7 code:
//   Unavailable  the store could not be reached (network error, timeout, 5xx after retries,
//                disk error): nothing was changed, try again later;
//   NotFound     get/head of a missing key;
//   BadRequest   an invalid key (empty, absolute, empty or "."/".." segments) or range;
//   Internal     the store refused the request (S3 403 SignatureDoesNotMatch, ...): a
//                configuration error or a bug, the S3 error code is in the message.
// Keys are '/'-separated paths. Keep the store alive until every task it returned finished.
class ObjectStore : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    ~ObjectStore() override;

    virtual QCoro::Task<confab::Status> put(QString key, QByteArray data, QByteArray contentType)
        = 0;
    virtual QCoro::Task<confab::Expected<QByteArray>> get(
        QString key, std::optional<ByteRange> range)
        = 0;
    virtual QCoro::Task<confab::Expected<ObjectInfo>> head(QString key) = 0;
    // A missing key is success.
    virtual QCoro::Task<confab::Status> remove(QString key) = 0;
    // maxKeys <= 0 or > 1000 means 1000.
    virtual QCoro::Task<confab::Expected<ListPage>> list(
        QString prefix, QString continuationToken, int maxKeys)
        = 0;
    // For /readyz: the bucket (directory) is reachable.
    virtual QCoro::Task<confab::Status> ping() = 0;

    // Presigned URLs for attachments. S3Store signs them with SigV4 (absolute URLs to the
    // bucket); LocalDirStore signs its own (HMAC, urlsigner.h), relative to the public
    // listener that serves them: callers resolve a relative URL against the public base URL.
    // size is what the uploader announced; LocalDirStore refuses a body of any other length.
    virtual confab::Expected<QUrl> presignPut(
        QString key, qint64 expiresS, QByteArray contentType, qint64 size = -1)
        = 0;
    virtual confab::Expected<QUrl> presignGet(QString key, qint64 expiresS) = 0;

    // Multipart uploads (docs/objectstore.md): create, PUT each part to its presigned URL,
    // complete with the parts' ETags, or abort. NotFound for an upload id this store does not
    // know (completed, aborted, or never created) or that belongs to another key.
    virtual QCoro::Task<confab::Expected<QString>> createMultipart(
        QString key, QByteArray contentType)
        = 0;
    // length: the part's exact size in bytes (LocalDirStore refuses any other).
    virtual confab::Expected<QUrl> presignPart(
        QString key, QString uploadId, int partNumber, qint64 length, qint64 expiresS)
        = 0;
    // Finished parts in part-number order.
    virtual QCoro::Task<confab::Expected<QList<UploadedPart>>> listParts(
        QString key, QString uploadId)
        = 0;
    // Joins the parts (part numbers ascending, ETags as the part PUTs answered) into the object.
    virtual QCoro::Task<confab::Status> completeMultipart(
        QString key, QString uploadId, QList<UploadedPart> parts)
        = 0;
    virtual QCoro::Task<confab::Status> abortMultipart(QString key, QString uploadId) = 0;
    // The first (up to) 1000 unfinished uploads whose keys start with prefix.
    virtual QCoro::Task<confab::Expected<QList<PendingUpload>>> listMultipartUploads(
        QString prefix)
        = 0;

Q_SIGNALS:
    // Once per request sent (each retry counts): op is put/get/head/delete/list/ping, status the
    // HTTP status ("200", "404", "503", ...) or "error" when no response came. Feeds
    // confab_s3_requests_total{op,status}.
    void requestFinished(const QByteArray &op, const QByteArray &status);
};

// Checks a key against the rules above; shared by both stores so they accept the same keys.
[[nodiscard]] confab::Status validateKey(const QString &key);

} // namespace confab::objectstore

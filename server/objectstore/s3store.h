#pragma once

#include "objectstore/objectstore.h"
#include "objectstore/sigv4.h"

#include <memory>

class QNetworkAccessManager;

namespace confab::objectstore
{

struct S3Options {
    QUrl endpoint; // http(s)://host[:port][/base]; objects at <endpoint>/<bucket>/<key>
    QString region;
    QString bucket;
    QString accessKey;
    QString secretKey;
    qint64 requestTimeoutMs = 10000; // per attempt, without progress (setTransferTimeout)
    int maxRetries = 4; // extra attempts after 5xx or network errors
    qint64 retryBaseMs = 200; // backoff: base * 2^(attempt-1), plus up to 25 % jitter
};

// An S3 bucket (MinIO, AWS, any S3 API) over path-style URLs, signed with SigV4. Retries with
// exponential backoff on 5xx and network errors only; every attempt emits requestFinished.
class S3Store : public ObjectStore
{
    Q_OBJECT
public:
    // nam must outlive this store.
    S3Store(S3Options options, QNetworkAccessManager *nam, QObject *parent = nullptr);
    ~S3Store() override;

    QCoro::Task<confab::Status> put(QString key, QByteArray data, QByteArray contentType) override;
    QCoro::Task<confab::Expected<QByteArray>> get(
        QString key, std::optional<ByteRange> range) override;
    QCoro::Task<confab::Expected<ObjectInfo>> head(QString key) override;
    QCoro::Task<confab::Status> remove(QString key) override;
    QCoro::Task<confab::Expected<ListPage>> list(
        QString prefix, QString continuationToken, int maxKeys) override;
    QCoro::Task<confab::Status> ping() override;
    confab::Expected<QUrl> presignPut(
        QString key, qint64 expiresS, QByteArray contentType, qint64 size = -1) override;
    confab::Expected<QUrl> presignGet(QString key, qint64 expiresS) override;
    QCoro::Task<confab::Expected<QString>> createMultipart(
        QString key, QByteArray contentType) override;
    confab::Expected<QUrl> presignPart(
        QString key, QString uploadId, int partNumber, qint64 length, qint64 expiresS) override;
    QCoro::Task<confab::Expected<QList<UploadedPart>>> listParts(
        QString key, QString uploadId) override;
    QCoro::Task<confab::Status> completeMultipart(
        QString key, QString uploadId, QList<UploadedPart> parts) override;
    QCoro::Task<confab::Status> abortMultipart(QString key, QString uploadId) override;
    QCoro::Task<confab::Expected<QList<PendingUpload>>> listMultipartUploads(
        QString prefix) override;

    // The URL of a key (or of the bucket when key is empty) with an already-encoded query.
    [[nodiscard]] QUrl objectUrl(const QString &key, const QByteArray &encodedQuery = {}) const;

private:
    struct Response;
    QCoro::Task<confab::Expected<Response>> send(QByteArray op, QByteArray method, QUrl url,
        HeaderList headers, QByteArray body, QString what);

    class Private;
    std::unique_ptr<Private> d;
};

} // namespace confab::objectstore

#pragma once

#include "objectstore/objectstore.h"
#include "objectstore/urlsigner.h"

#include <QFuture>

#include <functional>
#include <memory>

namespace confab::objectstore
{

// Objects as files under a directory, for single-box installs ([s3] endpoint = file:///...).
// Key "a/b/c" is the file <root>/a/b/c. File I/O runs on a private thread pool, never on the
// calling thread. Writes are atomic: a complete new file replaces the old one by rename
// (QSaveFile), so a reader sees the old or the new object, never a torn one. Uploads and
// downloads by browsers go through URLs this store signs itself (urlsigner.h), served by the
// public listener's /v1/blobs route, which streams bodies through receive().
class LocalDirStore : public ObjectStore
{
    Q_OBJECT
public:
    explicit LocalDirStore(QString rootDir, QObject *parent = nullptr);
    // Waits for file operations already started (they are short).
    ~LocalDirStore() override;

    [[nodiscard]] QString rootDir() const;

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

    // Checks signed URLs; invalid (no URLs at all) when the key file could not be read or made.
    [[nodiscard]] const UrlSigner &signer() const;
    // The next piece of a request body; an empty array at the end.
    using ChunkSource = std::function<QCoro::Task<confab::Expected<QByteArray>>()>;
    // Streams an upload a signed URL granted (a single PUT or one part) to disk, a chunk at a
    // time, and moves it into place once all grant.length bytes arrived; answers its ETag.
    // PayloadTooLarge past grant.length, BadRequest if the body ends short.
    QCoro::Task<confab::Expected<QByteArray>> receive(BlobGrant grant, ChunkSource next);
    // An object opened for reading a piece at a time (a download confabd serves itself), so a
    // 100 MiB attachment never sits in memory whole: next() reads up to 64 KiB on the store's
    // threads; one call at a time.
    struct BlobReader {
        qint64 size = 0;
        std::function<QFuture<confab::Expected<QByteArray>>()> next;
    };
    QCoro::Task<confab::Expected<BlobReader>> openForReading(QString key);

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace confab::objectstore

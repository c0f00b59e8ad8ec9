#pragma once

#include "objectstore/objectstore.h"

#include <memory>

namespace confab::objectstore
{

// Objects as files under a directory, for single-box installs ([s3] endpoint = file:///...).
// Key "a/b/c" is the file <root>/a/b/c. File I/O runs on a private thread pool, never on the
// calling thread. Writes are atomic: a complete new file replaces the old one by rename
// (QSaveFile), so a reader sees the old or the new object, never a torn one. No presigned URLs.
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
        QString key, qint64 expiresS, QByteArray contentType) override;
    confab::Expected<QUrl> presignGet(QString key, qint64 expiresS) override;

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace confab::objectstore

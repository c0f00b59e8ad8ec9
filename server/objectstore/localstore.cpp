#include "objectstore/localstore.h"

#include "objectstore/localuploads.h"
#include "objectstore/logging.h"

#include "auth/crypto.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QFuture>
#include <QPointer>
#include <QPromise>
#include <QSaveFile>
#include <QThreadPool>

#include <QCoroFuture>

#include <QDateTime>

#include <sys/stat.h>

#include <algorithm>
#include <memory>

namespace confab::objectstore
{

namespace
{

// Runs `work` on `pool` and hands its result back as a QFuture, which a coroutine co_awaits on
// its own thread.
template <typename T, typename F> QFuture<T> runOnPool(QThreadPool &pool, F work)
{
    auto promise = std::make_shared<QPromise<T>>();
    QFuture<T> future = promise->future();
    promise->start();
    pool.start([promise, work = std::move(work)]() mutable {
        promise->addResult(work());
        promise->finish();
    });
    return future;
}

template <typename T> QByteArray statusLabel(const Expected<T> &r)
{
    if (r)
        return QByteArrayLiteral("200");
    switch (r.error().code) {
    case ErrorCode::NotFound:
        return QByteArrayLiteral("404");
    case ErrorCode::BadRequest:
        return QByteArrayLiteral("416");
    default:
        return QByteArrayLiteral("error");
    }
}

Status writeObject(
    const QString &root, const QString &path, const QString &what, const QByteArray &data)
{
    const QFileInfo info(path);
    if (info.isDir())
        return Error::conflict(what + QStringLiteral(": a directory of keys has this name"));
    if (!QDir().mkpath(info.absolutePath())) {
        // A file in the way below the root is another key; the root itself is configuration.
        for (QString dir = info.absolutePath(); dir.size() > root.size();
             dir = QFileInfo(dir).path()) {
            if (QFileInfo(dir).isFile())
                return Error::conflict(what
                    + QStringLiteral(": an object has the name of a "
                                     "directory in this key"));
        }
        return Error::unavailable(
            what + QStringLiteral(": cannot create directory %1").arg(info.absolutePath()));
    }
    // QSaveFile writes a temporary file (unnamed on Linux), syncs it and renames it over the
    // target: readers see the old object or the new one, never a partial one.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error::unavailable(QStringLiteral("%1: %2").arg(what, file.errorString()));
    if (file.write(data) != data.size() || !file.commit())
        return Error::unavailable(QStringLiteral("%1: %2").arg(what, file.errorString()));
    return Ok {};
}

Expected<QByteArray> readObject(
    const QString &path, const QString &what, std::optional<ByteRange> range)
{
    QFile file(path);
    if (!QFileInfo(path).isFile())
        return Error::notFound(what + QStringLiteral(": no such object"));
    if (!file.open(QIODevice::ReadOnly))
        return Error::unavailable(QStringLiteral("%1: %2").arg(what, file.errorString()));
    if (!range)
        return file.readAll();
    const qint64 size = file.size();
    if (range->offset >= size)
        return Error::badRequest(what + QStringLiteral(": range beyond the end"));
    const qint64 available = size - range->offset;
    const qint64 length = range->length < 0 ? available : std::min(range->length, available);
    if (!file.seek(range->offset))
        return Error::unavailable(QStringLiteral("%1: %2").arg(what, file.errorString()));
    QByteArray data = file.read(length);
    if (data.size() != length)
        return Error::unavailable(QStringLiteral("%1: short read").arg(what));
    return data;
}

// Size, modification time and inode: a rewrite renames a new file into place, so the inode
// changes even when size and time do not.
Expected<ObjectInfo> statObject(const QString &path, const QString &key)
{
    struct stat st {
    };
    if (::stat(QFile::encodeName(path).constData(), &st) != 0 || !S_ISREG(st.st_mode))
        return Error::notFound(QStringLiteral("head of '%1': no such object").arg(key));
    ObjectInfo info;
    info.key = key;
    info.size = st.st_size;
    info.lastModifiedMs = qint64(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
    info.etag = QByteArray::number(qulonglong(st.st_ino), 16) + '-'
        + QByteArray::number(qulonglong(st.st_size), 16) + '-'
        + QByteArray::number(qint64(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec, 16);
    return info;
}

Status removeObject(const QString &path, const QString &what)
{
    if (!QFileInfo(path).isFile())
        return Ok {};
    QFile file(path);
    if (!file.remove() && QFileInfo::exists(path))
        return Error::unavailable(QStringLiteral("%1: %2").arg(what, file.errorString()));
    return Ok {};
}

Expected<ListPage> listObjects(
    const QString &root, const QString &prefix, const QString &token, int maxKeys)
{
    // Walk only the directory the prefix names; a prefix no valid key can have matches nothing.
    const QString dirPart = prefix.left(prefix.lastIndexOf(QLatin1Char('/')) + 1);
    QString start = root;
    if (!dirPart.isEmpty()) {
        if (!validateKey(dirPart.chopped(1)))
            return ListPage {};
        start = root + QLatin1Char('/') + dirPart.chopped(1);
    }
    const QByteArray tokenUtf8 = token.toUtf8();
    QList<QPair<QByteArray, QString>> found;
    QDirIterator it(start, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    const QDir rootDir(root);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString key = rootDir.relativeFilePath(path);
        if (!key.startsWith(prefix) || !validateKey(key))
            continue;
        QByteArray utf8 = key.toUtf8();
        if (!tokenUtf8.isEmpty() && utf8 <= tokenUtf8)
            continue;
        found.append({ std::move(utf8), key });
    }
    std::sort(found.begin(), found.end());

    ListPage page;
    for (const auto &[utf8, key] : found) {
        if (page.objects.size() == maxKeys) {
            page.nextContinuationToken = page.objects.last().key;
            break;
        }
        // A file removed since the walk is simply left out.
        if (auto info = statObject(root + QLatin1Char('/') + key, key))
            page.objects.append(*info);
    }
    return page;
}

Status checkRoot(const QString &root)
{
    QDir().mkpath(root);
    const QFileInfo info(root);
    if (!info.isDir() || !info.isWritable())
        return Error::unavailable(
            QStringLiteral("object directory %1 is not a writable directory").arg(root));
    return Ok {};
}

} // namespace

class LocalDirStore::Private
{
public:
    QString root;
    QThreadPool pool;
    UrlSigner signer;
    QString signerError; // why signer is invalid

    [[nodiscard]] QString path(const QString &key) const { return root + QLatin1Char('/') + key; }
};

LocalDirStore::LocalDirStore(QString rootDir, QObject *parent)
    : ObjectStore(parent)
    , d(std::make_unique<Private>())
{
    d->root = QDir::cleanPath(QDir(rootDir).absolutePath());
    d->pool.setMaxThreadCount(2);
    d->pool.setObjectName(QStringLiteral("confab-objectstore"));
    // Read once at start-up, before the event loop serves anything.
    if (auto key = localuploads::loadOrCreateSigningKey(d->root))
        d->signer = UrlSigner(*key);
    else
        d->signerError = key.error().message;
    localuploads::sweepIncoming(d->root);
}

LocalDirStore::~LocalDirStore()
{
    d->pool.waitForDone();
}

QString LocalDirStore::rootDir() const
{
    return d->root;
}

QCoro::Task<Status> LocalDirStore::put(QString key, QByteArray data, QByteArray contentType)
{
    Q_UNUSED(contentType) // a file has no content type; readers know what they stored
    if (Status valid = validateKey(key); !valid)
        co_return valid;
    const QPointer<LocalDirStore> self(this);
    const QString what = QStringLiteral("writing object '%1'").arg(key);
    // The future is a named local: GCC 12 mishandles temporaries in co_await expressions.
    QFuture<Status> future
        = runOnPool<Status>(d->pool, [root = d->root, path = d->path(key), what, data] {
              return writeObject(root, path, what, data);
          });
    Status r = co_await future;
    if (self)
        Q_EMIT requestFinished(QByteArrayLiteral("put"), statusLabel(r));
    co_return r;
}

QCoro::Task<Expected<LocalDirStore::BlobReader>> LocalDirStore::openForReading(QString key)
{
    const QString what = QStringLiteral("reading object '%1'").arg(key);
    if (Status valid = validateKey(key); !valid)
        co_return valid.error();
    const QString path = d->path(key);
    auto file = std::make_shared<QFile>(path);
    QFuture<Expected<qint64>> opening = runOnPool<Expected<qint64>>(d->pool, [file, path, what]() -> Expected<qint64> {
        if (!QFileInfo(path).isFile())
            return Error::notFound(what + QStringLiteral(": no such object"));
        if (!file->open(QIODevice::ReadOnly))
            return Error::unavailable(QStringLiteral("%1: %2").arg(what, file->errorString()));
        return file->size();
    });
    const Expected<qint64> size = co_await opening;
    if (!size)
        co_return size.error();
    BlobReader reader;
    reader.size = *size;
    const QPointer<LocalDirStore> self(this);
    reader.next = [self, file, what]() -> QFuture<Expected<QByteArray>> {
        if (!self)
            return QtFuture::makeReadyFuture(Expected<QByteArray>(Error::unavailable(what + QStringLiteral(": the store is gone"))));
        return runOnPool<Expected<QByteArray>>(self->d->pool, [file, what]() -> Expected<QByteArray> {
            constexpr qint64 kPiece = 64 * 1024;
            QByteArray piece = file->read(kPiece);
            if (piece.isEmpty() && file->error() != QFileDevice::NoError)
                return Error::unavailable(QStringLiteral("%1: %2").arg(what, file->errorString()));
            return piece;
        });
    };
    co_return reader;
}

QCoro::Task<Expected<QByteArray>> LocalDirStore::get(QString key, std::optional<ByteRange> range)
{
    const QString what = QStringLiteral("reading object '%1'").arg(key);
    if (Status valid = validateKey(key); !valid)
        co_return valid.error();
    if (range && (range->offset < 0 || range->length == 0 || range->length < -1))
        co_return Error::badRequest(what + QStringLiteral(": invalid byte range"));
    const QPointer<LocalDirStore> self(this);
    QFuture<Expected<QByteArray>> future = runOnPool<Expected<QByteArray>>(
        d->pool, [path = d->path(key), what, range] { return readObject(path, what, range); });
    Expected<QByteArray> r = co_await future;
    if (self)
        Q_EMIT requestFinished(QByteArrayLiteral("get"), statusLabel(r));
    co_return r;
}

QCoro::Task<Expected<ObjectInfo>> LocalDirStore::head(QString key)
{
    if (Status valid = validateKey(key); !valid)
        co_return valid.error();
    const QPointer<LocalDirStore> self(this);
    QFuture<Expected<ObjectInfo>> future = runOnPool<Expected<ObjectInfo>>(
        d->pool, [path = d->path(key), key] { return statObject(path, key); });
    Expected<ObjectInfo> r = co_await future;
    if (self)
        Q_EMIT requestFinished(QByteArrayLiteral("head"), statusLabel(r));
    co_return r;
}

QCoro::Task<Status> LocalDirStore::remove(QString key)
{
    if (Status valid = validateKey(key); !valid)
        co_return valid;
    const QPointer<LocalDirStore> self(this);
    const QString what = QStringLiteral("deleting object '%1'").arg(key);
    QFuture<Status> future = runOnPool<Status>(
        d->pool, [path = d->path(key), what] { return removeObject(path, what); });
    Status r = co_await future;
    if (self)
        Q_EMIT requestFinished(QByteArrayLiteral("delete"), statusLabel(r));
    co_return r;
}

QCoro::Task<Expected<ListPage>> LocalDirStore::list(
    QString prefix, QString continuationToken, int maxKeys)
{
    if (maxKeys <= 0 || maxKeys > 1000)
        maxKeys = 1000;
    const QPointer<LocalDirStore> self(this);
    QFuture<Expected<ListPage>> future = runOnPool<Expected<ListPage>>(
        d->pool, [root = d->root, prefix, continuationToken, maxKeys] {
            return listObjects(root, prefix, continuationToken, maxKeys);
        });
    Expected<ListPage> r = co_await future;
    if (self)
        Q_EMIT requestFinished(QByteArrayLiteral("list"), statusLabel(r));
    co_return r;
}

QCoro::Task<Status> LocalDirStore::ping()
{
    const QPointer<LocalDirStore> self(this);
    QFuture<Status> future
        = runOnPool<Status>(d->pool, [root = d->root] { return checkRoot(root); });
    Status r = co_await future;
    if (self)
        Q_EMIT requestFinished(QByteArrayLiteral("ping"), statusLabel(r));
    co_return r;
}

namespace
{
qint64 expiry(qint64 expiresS)
{
    return QDateTime::currentSecsSinceEpoch() + expiresS;
}
} // namespace

const UrlSigner &LocalDirStore::signer() const
{
    return d->signer;
}

Expected<QUrl> LocalDirStore::presignPut(
    QString key, qint64 expiresS, QByteArray contentType, qint64 size)
{
    if (Status valid = validateKey(key); !valid)
        return valid.error();
    if (!d->signer.isValid())
        return Error::unavailable(
            QStringLiteral("uploading '%1': no URL signing key: %2").arg(key, d->signerError));
    if (expiresS <= 0 || expiresS > UrlSigner::kMaxLifetimeS)
        return Error::badRequest(QStringLiteral("signed URL lifetime must be 1 s to 7 days"));
    BlobGrant g;
    g.op = BlobGrant::Op::Put;
    g.key = key;
    g.length = size;
    g.contentType = contentType;
    g.expiresS = expiry(expiresS);
    return d->signer.sign(g);
}

Expected<QUrl> LocalDirStore::presignGet(QString key, qint64 expiresS)
{
    if (Status valid = validateKey(key); !valid)
        return valid.error();
    if (!d->signer.isValid())
        return Error::unavailable(
            QStringLiteral("downloading '%1': no URL signing key: %2").arg(key, d->signerError));
    if (expiresS <= 0 || expiresS > UrlSigner::kMaxLifetimeS)
        return Error::badRequest(QStringLiteral("signed URL lifetime must be 1 s to 7 days"));
    BlobGrant g;
    g.op = BlobGrant::Op::Get;
    g.key = key;
    g.expiresS = expiry(expiresS);
    return d->signer.sign(g);
}

Expected<QUrl> LocalDirStore::presignPart(
    QString key, QString uploadId, int partNumber, qint64 length, qint64 expiresS)
{
    if (Status valid = validateKey(key); !valid)
        return valid.error();
    if (!d->signer.isValid())
        return Error::unavailable(
            QStringLiteral("uploading '%1': no URL signing key: %2").arg(key, d->signerError));
    if (!localuploads::isUploadId(uploadId))
        return Error::notFound(QStringLiteral("no such upload"));
    if (partNumber < 1 || partNumber > 10000 || length < 0)
        return Error::badRequest(QStringLiteral("part numbers are 1 to 10000"));
    BlobGrant g;
    g.op = BlobGrant::Op::Part;
    g.key = key;
    g.uploadId = uploadId;
    g.partNumber = partNumber;
    g.length = length;
    g.expiresS = expiry(expiresS);
    return d->signer.sign(g);
}

QCoro::Task<Expected<QString>> LocalDirStore::createMultipart(QString key, QByteArray contentType)
{
    if (Status valid = validateKey(key); !valid)
        co_return valid.error();
    QFuture<Expected<QString>> future = runOnPool<Expected<QString>>(
        d->pool, [root = d->root, key, contentType] {
            return localuploads::create(root, key, contentType);
        });
    co_return co_await future;
}

QCoro::Task<Expected<QList<UploadedPart>>> LocalDirStore::listParts(QString key, QString uploadId)
{
    QFuture<Expected<QList<UploadedPart>>> future = runOnPool<Expected<QList<UploadedPart>>>(
        d->pool, [root = d->root, key, uploadId] {
            return localuploads::listParts(root, key, uploadId);
        });
    co_return co_await future;
}

QCoro::Task<Status> LocalDirStore::completeMultipart(
    QString key, QString uploadId, QList<UploadedPart> parts)
{
    QFuture<Status> future = runOnPool<Status>(d->pool, [root = d->root, key, uploadId, parts] {
        return localuploads::complete(root, key, uploadId, parts);
    });
    co_return co_await future;
}

QCoro::Task<Status> LocalDirStore::abortMultipart(QString key, QString uploadId)
{
    QFuture<Status> future = runOnPool<Status>(d->pool, [root = d->root, key, uploadId] {
        return localuploads::abort(root, key, uploadId);
    });
    co_return co_await future;
}

QCoro::Task<Expected<QList<PendingUpload>>> LocalDirStore::listMultipartUploads(QString prefix)
{
    QFuture<Expected<QList<PendingUpload>>> future = runOnPool<Expected<QList<PendingUpload>>>(
        d->pool, [root = d->root, prefix] { return localuploads::list(root, prefix); });
    co_return co_await future;
}

QCoro::Task<Expected<QByteArray>> LocalDirStore::receive(BlobGrant grant, ChunkSource next)
{
    const QPointer<LocalDirStore> self(this);
    const QString root = d->root;
    using Opened = Expected<std::shared_ptr<localuploads::Incoming>>;
    const int part = grant.op == BlobGrant::Op::Part ? grant.partNumber : 0;
    QFuture<Opened> opening = runOnPool<Opened>(d->pool,
        [root, key = grant.key, id = grant.uploadId, part] {
            return localuploads::open(root, key, id, part);
        });
    Opened opened = co_await opening;
    if (!opened)
        co_return opened.error();
    std::shared_ptr<localuploads::Incoming> in = *opened;
    auth::Sha256Stream hash;
    qint64 received = 0;
    Error failure;
    bool failed = false;
    for (;;) {
        auto reading = next();
        Expected<QByteArray> chunk = co_await reading;
        if (!self)
            co_return Error::unavailable(QStringLiteral("the object store shut down"));
        if (!chunk) {
            failure = chunk.error();
            failed = true;
            break;
        }
        if (chunk->isEmpty())
            break;
        received += chunk->size();
        if (grant.length >= 0 && received > grant.length) {
            failure = Error::tooLarge(
                QStringLiteral("this URL takes exactly %1 bytes").arg(grant.length));
            failed = true;
            break;
        }
        hash.add(*chunk);
        QFuture<Status> writing = runOnPool<Status>(
            d->pool, [in, data = *chunk] { return localuploads::write(*in, data); });
        Status written = co_await writing;
        if (!self)
            co_return Error::unavailable(QStringLiteral("the object store shut down"));
        if (!written) {
            failure = written.error();
            failed = true;
            break;
        }
    }
    if (!failed && grant.length >= 0 && received != grant.length) {
        failure = Error::badRequest(QStringLiteral("this URL takes exactly %1 bytes, %2 came")
                                        .arg(grant.length)
                                        .arg(received));
        failed = true;
    }
    if (failed) {
        QFuture<bool> discarding = runOnPool<bool>(d->pool, [in] {
            localuploads::discard(*in);
            return true;
        });
        (void)co_await discarding;
        co_return failure;
    }
    QFuture<Expected<QByteArray>> committing = runOnPool<Expected<QByteArray>>(
        d->pool, [root, in, etag = hash.hex()] { return localuploads::commit(root, *in, etag); });
    Expected<QByteArray> r = co_await committing;
    if (self)
        Q_EMIT requestFinished(QByteArrayLiteral("put"), statusLabel(r));
    co_return r;
}

} // namespace confab::objectstore

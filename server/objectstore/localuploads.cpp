#include "objectstore/localuploads.h"

#include "auth/crypto.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

namespace confab::objectstore::localuploads
{

namespace
{

constexpr int kKeyBytes = 32;
constexpr int kEtagChars = 32;
constexpr qint64 kCopyChunk = 1 << 20;

QString tmpDir(const QString &root)
{
    return root + QStringLiteral("/.confab-tmp");
}

QString uploadDir(const QString &root, const QString &id)
{
    return tmpDir(root) + QStringLiteral("/uploads/") + id;
}

QString randomName()
{
    return QString::fromLatin1(auth::randomBytes(12).toHex());
}

Error noSuchUpload()
{
    return Error::notFound(QStringLiteral("no such upload"));
}

// Moves a complete temporary file over its final path (rename(2): atomic, replaces).
Status place(const QString &root, const QString &tmp, const QString &path, const QString &what)
{
    const QFileInfo info(path);
    if (info.isDir())
        return Error::conflict(what + QStringLiteral(": a directory of keys has this name"));
    if (!QDir().mkpath(info.absolutePath())) {
        for (QString dir = info.absolutePath(); dir.size() > root.size();
             dir = QFileInfo(dir).path()) {
            if (QFileInfo(dir).isFile())
                return Error::conflict(
                    what + QStringLiteral(": an object has the name of a directory in this key"));
        }
        return Error::unavailable(
            what + QStringLiteral(": cannot create directory %1").arg(info.absolutePath()));
    }
    if (std::rename(QFile::encodeName(tmp).constData(), QFile::encodeName(path).constData())
        != 0)
        return Error::unavailable(what + QStringLiteral(": cannot move the received file"));
    return Ok {};
}

// The finished part files of an upload: part number -> file name.
QMap<int, QString> partFiles(const QString &dir)
{
    QMap<int, QString> parts;
    const QStringList names = QDir(dir).entryList(QDir::Files);
    for (const QString &name : names) {
        const qsizetype dot = name.indexOf(u'.');
        if (dot <= 0 || name.mid(dot + 1).startsWith(QLatin1String("tmp-")))
            continue;
        bool ok = false;
        const int n = name.left(dot).toInt(&ok);
        if (ok && n > 0)
            parts.insert(n, name);
    }
    return parts;
}

} // namespace

Expected<QByteArray> loadOrCreateSigningKey(const QString &root)
{
    const QString dir = tmpDir(root);
    const QString path = dir + QStringLiteral("/url-signing-key");
    if (!QFileInfo::exists(path)) {
        if (!QDir().mkpath(dir))
            return Error::unavailable(QStringLiteral("cannot create %1").arg(dir));
        const QString tmp = dir + QStringLiteral("/url-signing-key.tmp-") + randomName();
        QFile out(tmp);
        if (!out.open(QIODevice::WriteOnly, QFileDevice::ReadOwner | QFileDevice::WriteOwner)
            || out.write(auth::randomBytes(kKeyBytes)) != kKeyBytes || !out.flush()) {
            out.remove();
            return Error::unavailable(QStringLiteral("cannot write %1").arg(tmp));
        }
        out.close();
        // link(2) fails if another node created the key first: theirs wins, ours goes.
        (void)::link(QFile::encodeName(tmp).constData(), QFile::encodeName(path).constData());
        QFile::remove(tmp);
    }
    QFile in(path);
    if (!in.open(QIODevice::ReadOnly))
        return Error::unavailable(QStringLiteral("cannot read %1").arg(path));
    QByteArray key = in.read(kKeyBytes + 1);
    if (key.size() != kKeyBytes)
        return Error::unavailable(
            QStringLiteral("%1 does not hold %2 bytes: delete it to make a new key")
                .arg(path)
                .arg(kKeyBytes));
    return key;
}

void sweepIncoming(const QString &root)
{
    const QDir dir(tmpDir(root) + QStringLiteral("/incoming"));
    const QDateTime before = QDateTime::currentDateTimeUtc().addDays(-1);
    const QFileInfoList files = dir.entryInfoList(QDir::Files);
    for (const QFileInfo &f : files) {
        if (f.lastModified() < before)
            QFile::remove(f.filePath());
    }
}

QString newUploadId()
{
    return QString::fromLatin1(auth::randomBytes(16).toHex());
}

bool isUploadId(const QString &id)
{
    if (id.size() != 32)
        return false;
    for (const QChar c : id) {
        if (!((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f')))
            return false;
    }
    return true;
}

Expected<QString> create(const QString &root, const QString &key, const QByteArray &contentType)
{
    const QString id = newUploadId();
    const QString dir = uploadDir(root, id);
    if (!QDir().mkpath(dir))
        return Error::unavailable(QStringLiteral("cannot create %1").arg(dir));
    QFile f(dir + QStringLiteral("/key"));
    const QByteArray text = key.toUtf8() + '\n' + contentType + '\n';
    if (!f.open(QIODevice::WriteOnly) || f.write(text) != text.size() || !f.flush()) {
        QDir(dir).removeRecursively();
        return Error::unavailable(QStringLiteral("cannot write %1").arg(f.fileName()));
    }
    return id;
}

Status checkUpload(const QString &root, const QString &key, const QString &id)
{
    if (!isUploadId(id))
        return noSuchUpload();
    QFile f(uploadDir(root, id) + QStringLiteral("/key"));
    if (!f.open(QIODevice::ReadOnly))
        return noSuchUpload();
    if (f.readLine(4096).trimmed() != key.toUtf8())
        return noSuchUpload();
    return Ok {};
}

Expected<QList<UploadedPart>> listParts(const QString &root, const QString &key, const QString &id)
{
    if (Status s = checkUpload(root, key, id); !s)
        return s.error();
    const QString dir = uploadDir(root, id);
    QList<UploadedPart> out;
    const QMap<int, QString> parts = partFiles(dir);
    for (auto it = parts.cbegin(); it != parts.cend(); ++it) {
        UploadedPart p;
        p.partNumber = it.key();
        p.etag = it.value().mid(it.value().indexOf(u'.') + 1).toLatin1();
        p.size = QFileInfo(dir + u'/' + it.value()).size();
        out.append(p);
    }
    return out;
}

Status complete(
    const QString &root, const QString &key, const QString &id, const QList<UploadedPart> &parts)
{
    if (Status s = checkUpload(root, key, id); !s)
        return s;
    const QString what = QStringLiteral("completing upload of '%1'").arg(key);
    const QString dir = uploadDir(root, id);
    const QMap<int, QString> files = partFiles(dir);
    const QString tmp = dir + QStringLiteral("/joined.tmp-") + randomName();
    QFile out(tmp);
    if (!out.open(QIODevice::WriteOnly))
        return Error::unavailable(QStringLiteral("%1: %2").arg(what, out.errorString()));
    for (const UploadedPart &p : parts) {
        const QString name = files.value(p.partNumber);
        if (name.isEmpty() || name.mid(name.indexOf(u'.') + 1).toLatin1() != p.etag) {
            out.remove();
            return Error::badRequest(
                QStringLiteral("part %1 was not uploaded with ETag '%2'")
                    .arg(p.partNumber)
                    .arg(QString::fromLatin1(p.etag)));
        }
        QFile in(dir + u'/' + name);
        if (!in.open(QIODevice::ReadOnly)) {
            out.remove();
            return Error::unavailable(QStringLiteral("%1: %2").arg(what, in.errorString()));
        }
        while (!in.atEnd()) {
            const QByteArray chunk = in.read(kCopyChunk);
            if (chunk.isEmpty() || out.write(chunk) != chunk.size()) {
                out.remove();
                return Error::unavailable(QStringLiteral("%1: short copy").arg(what));
            }
        }
    }
    if (!out.flush() || ::fsync(out.handle()) != 0) {
        out.remove();
        return Error::unavailable(QStringLiteral("%1: %2").arg(what, out.errorString()));
    }
    out.close();
    if (Status placed = place(root, tmp, root + u'/' + key, what); !placed) {
        QFile::remove(tmp);
        return placed;
    }
    QDir(dir).removeRecursively();
    return Ok {};
}

Status abort(const QString &root, const QString &key, const QString &id)
{
    if (Status s = checkUpload(root, key, id); !s)
        return s;
    if (!QDir(uploadDir(root, id)).removeRecursively())
        return Error::unavailable(QStringLiteral("cannot remove upload %1").arg(id));
    return Ok {};
}

Expected<QList<PendingUpload>> list(const QString &root, const QString &prefix)
{
    QList<PendingUpload> out;
    const QString base = tmpDir(root) + QStringLiteral("/uploads");
    const QStringList ids = QDir(base).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (const QString &id : ids) {
        if (out.size() == 1000)
            break;
        if (!isUploadId(id))
            continue;
        QFile f(base + u'/' + id + QStringLiteral("/key"));
        if (!f.open(QIODevice::ReadOnly))
            continue; // being created or removed
        const QString key = QString::fromUtf8(f.readLine(4096).trimmed());
        if (!key.startsWith(prefix))
            continue;
        out.append({ key, id, QFileInfo(f).lastModified().toMSecsSinceEpoch() });
    }
    return out;
}

Expected<std::shared_ptr<Incoming>> open(
    const QString &root, const QString &key, const QString &id, int partNumber)
{
    auto in = std::make_shared<Incoming>();
    in->partNumber = partNumber;
    QString tmp;
    if (partNumber > 0) {
        if (Status s = checkUpload(root, key, id); !s)
            return s.error();
        in->finalPath = uploadDir(root, id);
        tmp = in->finalPath + u'/' + QString::number(partNumber) + QStringLiteral(".tmp-")
            + randomName();
    } else {
        if (Status s = validateKey(key); !s)
            return s.error();
        in->finalPath = root + u'/' + key;
        const QString dir = tmpDir(root) + QStringLiteral("/incoming");
        if (!QDir().mkpath(dir))
            return Error::unavailable(QStringLiteral("cannot create %1").arg(dir));
        tmp = dir + u'/' + randomName();
    }
    in->file = std::make_unique<QFile>(tmp);
    if (!in->file->open(QIODevice::WriteOnly))
        return Error::unavailable(
            QStringLiteral("receiving '%1': %2").arg(key, in->file->errorString()));
    return in;
}

Status write(Incoming &in, const QByteArray &chunk)
{
    if (in.file->write(chunk) != chunk.size())
        return Error::unavailable(
            QStringLiteral("writing %1: %2").arg(in.file->fileName(), in.file->errorString()));
    return Ok {};
}

Expected<QByteArray> commit(const QString &root, Incoming &in, const QByteArray &etag)
{
    const QString tmp = in.file->fileName();
    if (!in.file->flush() || ::fsync(in.file->handle()) != 0) {
        discard(in);
        return Error::unavailable(QStringLiteral("writing %1: cannot sync").arg(tmp));
    }
    in.file->close();
    const QByteArray tag = etag.left(kEtagChars);
    if (in.partNumber == 0) {
        if (Status s = place(root, tmp, in.finalPath, QStringLiteral("storing upload")); !s) {
            QFile::remove(tmp);
            return s.error();
        }
        return tag;
    }
    const QString prefix = QString::number(in.partNumber) + u'.';
    const QString final = in.finalPath + u'/' + prefix + QString::fromLatin1(tag);
    if (!QFileInfo::exists(in.finalPath + QStringLiteral("/key"))) {
        QFile::remove(tmp); // aborted while this part was arriving
        return noSuchUpload();
    }
    if (std::rename(QFile::encodeName(tmp).constData(), QFile::encodeName(final).constData())
        != 0) {
        QFile::remove(tmp);
        return Error::unavailable(QStringLiteral("cannot store part %1").arg(in.partNumber));
    }
    // A part uploaded again replaces the earlier one.
    const QStringList names = QDir(in.finalPath).entryList({ prefix + u'*' }, QDir::Files);
    for (const QString &name : names) {
        const QString path = in.finalPath + u'/' + name;
        if (path != final && !name.contains(QLatin1String(".tmp-")))
            QFile::remove(path);
    }
    return tag;
}

void discard(Incoming &in)
{
    if (in.file) {
        in.file->close();
        in.file->remove();
    }
}

} // namespace confab::objectstore::localuploads

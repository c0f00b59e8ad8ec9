#pragma once

// The file side of LocalDirStore's uploads, as blocking functions that LocalDirStore runs on
// its thread pool (never on the event loop). Everything lives under <root>/.confab-tmp/, a
// prefix no object key may use (validateKey):
//   url-signing-key       32 random bytes, the HMAC key of the store's signed URLs;
//   incoming/<random>     a single-PUT body being received, renamed over its key when complete;
//   uploads/<id>/key      a multipart upload: its object key and content type, one per line;
//   uploads/<id>/<n>.<etag>  a finished part (the ETag is the SHA-256 of its bytes, truncated);
//   uploads/<id>/<n>.tmp-<random>  a part being received.

#include "objectstore/objectstore.h"

#include <QFile>

#include <memory>

namespace confab::objectstore::localuploads
{

// Reads the store's signing key, creating it first if this is the first node to need it
// (created under a temporary name and linked into place, so nodes sharing the directory that
// start together all end up with the same key).
[[nodiscard]] Expected<QByteArray> loadOrCreateSigningKey(const QString &root);

// Removes single-PUT temporary files older than a day (a node that died while receiving).
void sweepIncoming(const QString &root);

[[nodiscard]] QString newUploadId();
[[nodiscard]] bool isUploadId(const QString &id);

[[nodiscard]] Expected<QString> create(
    const QString &root, const QString &key, const QByteArray &contentType);
// NotFound unless the upload exists and is for this key.
[[nodiscard]] Status checkUpload(const QString &root, const QString &key, const QString &id);
[[nodiscard]] Expected<QList<UploadedPart>> listParts(
    const QString &root, const QString &key, const QString &id);
[[nodiscard]] Status complete(
    const QString &root, const QString &key, const QString &id, const QList<UploadedPart> &parts);
[[nodiscard]] Status abort(const QString &root, const QString &key, const QString &id);
[[nodiscard]] Expected<QList<PendingUpload>> list(const QString &root, const QString &prefix);

// A body being streamed to a temporary file; commit() moves it into place.
struct Incoming {
    std::unique_ptr<QFile> file;
    QString finalPath; // single PUT: the object's path; part: its upload's directory
    int partNumber = 0; // 0: a single PUT
};
// Opens the temporary file for a single PUT of key (partNumber 0) or a part of upload id.
[[nodiscard]] Expected<std::shared_ptr<Incoming>> open(
    const QString &root, const QString &key, const QString &id, int partNumber);
[[nodiscard]] Status write(Incoming &in, const QByteArray &chunk);
// etag: the hex SHA-256 of the bytes written (a part file is named with its first 32).
[[nodiscard]] Expected<QByteArray> commit(const QString &root, Incoming &in, const QByteArray &etag);
void discard(Incoming &in);

} // namespace confab::objectstore::localuploads

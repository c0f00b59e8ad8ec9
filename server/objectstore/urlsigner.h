#pragma once

#include "confab/expected.h"

#include <QByteArray>
#include <QString>
#include <QUrl>
#include <QUrlQuery>

namespace confab::objectstore
{

// What one signed local-store URL allows (docs/objectstore.md, "Local-directory URLs").
struct BlobGrant {
    enum class Op { Put, Get, Part };
    Op op = Op::Get;
    QString key;
    QString uploadId; // Part: the store's upload id
    int partNumber = 0; // Part
    qint64 length = -1; // Put, Part: the exact body length; -1: not fixed
    QByteArray contentType; // Put: echoed on download
    qint64 expiresS = 0; // Unix seconds
};

// Signs and checks the upload/download URLs a LocalDirStore hands out, the counterpart of S3's
// presigned URLs: "/v1/blobs?op=..&key=..&..&exp=<unix s>&sig=<base64url HMAC-SHA256>" on the
// public listener. The MAC covers every field of the grant, so no field can be changed; the
// key is the store's (LocalDirStore::signingKey()). Pure: the clock is a parameter.
class UrlSigner
{
public:
    static constexpr QByteArrayView kPath = "/v1/blobs";
    // S3 accepts presigned URLs for at most a week; so do we.
    static constexpr qint64 kMaxLifetimeS = 7 * 24 * 3600;

    explicit UrlSigner(QByteArray key = {});

    [[nodiscard]] bool isValid() const { return m_key.size() >= 32; }
    // A URL relative to the public listener (path and query).
    [[nodiscard]] QUrl sign(const BlobGrant &grant) const;
    // The grant a request carries, if its signature matches (compared in constant time) and it
    // has not expired at nowS; method must fit the operation (PUT for put and part, GET or
    // HEAD for get). Forbidden otherwise, with the reason in the message.
    [[nodiscard]] Expected<BlobGrant> verify(
        const QUrlQuery &query, QByteArrayView method, qint64 nowS) const;

private:
    [[nodiscard]] QByteArray mac(const BlobGrant &grant) const;
    QByteArray m_key;
};

} // namespace confab::objectstore

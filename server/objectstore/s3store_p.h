#pragma once

// Internal to S3Store (s3store.cpp, s3multipart.cpp): the answer type of S3Store::send() and
// the helpers both files use to read S3's answers.

#include "objectstore/s3store.h"

#include <QDateTime>
#include <QNetworkAccessManager>
#include <QPointer>

namespace confab::objectstore
{

struct S3Store::Response {
    int status = 0;
    QByteArray body;
    QByteArray etag;
    qint64 contentLength = -1;
    QDateTime lastModified;
};

class S3Store::Private
{
public:
    S3Options options;
    SigningKey key;
    QUrl endpoint;
    QPointer<QNetworkAccessManager> nam;
};

namespace s3detail
{

// S3 accepts presigned URLs for at most a week.
inline constexpr qint64 kMaxPresignS = 7 * 24 * 3600;

struct S3ErrorBody {
    QString code;
    QString message;
};

[[nodiscard]] S3ErrorBody parseErrorBody(const QByteArray &body);
[[nodiscard]] QString describeHttp(const QString &what, int status, const QByteArray &body);
// A 4xx answer as an Error: what S3 says is kept in the message.
[[nodiscard]] Error httpError(const QString &what, int status, const QByteArray &body);
[[nodiscard]] QByteArray encodeQuery(const QList<QPair<QByteArray, QByteArray>> &pairs);
// An ETag header or element without its quotes.
[[nodiscard]] QString etagOf(const QByteArray &raw);
[[nodiscard]] Expected<ListPage> parseListPage(const QByteArray &body, const QString &what);

} // namespace s3detail

} // namespace confab::objectstore

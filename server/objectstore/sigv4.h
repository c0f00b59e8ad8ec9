#pragma once

// AWS Signature Version 4 for S3, as pure functions so that each step can be checked against
// AWS's published examples ("Signature Calculations for the Authorization Header: Transferring
// Payload in a Single Chunk" and "Authenticating Requests: Using Query Parameters").

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrl>

namespace confab::objectstore
{

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

struct SigningKey {
    QString accessKey;
    QString secretKey;
    QString region;
    QString service = QStringLiteral("s3");
};

// The parts of a request that are signed. canonicalUri is already URI-encoded; query holds
// decoded names and values (they are encoded and sorted when the text is built); header names
// may have any case.
struct CanonicalRequest {
    QByteArray method;
    QByteArray canonicalUri;
    QList<QPair<QByteArray, QByteArray>> query;
    HeaderList headers;
    QByteArray payloadHash;
};

// The canonical request text and the "SignedHeaders" list that goes with it.
struct CanonicalText {
    QByteArray text;
    QByteArray signedHeaders;
};

inline constexpr QByteArrayView kEmptyPayloadHash
    = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
inline constexpr QByteArrayView kUnsignedPayload = "UNSIGNED-PAYLOAD";

// AWS's UriEncode(): every byte but A-Z a-z 0-9 - . _ ~ (and '/' unless encodeSlash) becomes
// %XX with upper-case hex.
[[nodiscard]] QByteArray uriEncode(QByteArrayView s, bool encodeSlash);

[[nodiscard]] QByteArray sha256Hex(QByteArrayView data);
// "20130524T000000Z"
[[nodiscard]] QByteArray amzDate(const QDateTime &nowUtc);
// "20130524/us-east-1/s3/aws4_request"
[[nodiscard]] QByteArray credentialScope(const SigningKey &key, const QDateTime &nowUtc);
// The Host value QNetworkAccessManager sends: the port is included unless it is the scheme's
// default, so that a signature made here matches the request that goes out.
[[nodiscard]] QByteArray canonicalHost(const QUrl &url);
// The canonical URI of a URL: its decoded path encoded with uriEncode(), "/" when empty.
[[nodiscard]] QByteArray canonicalUri(const QUrl &url);
// The query of a URL as decoded (name, value) pairs; "?lifecycle" gives ("lifecycle", "").
[[nodiscard]] QList<QPair<QByteArray, QByteArray>> queryPairs(const QUrl &url);

[[nodiscard]] CanonicalText canonicalRequest(const CanonicalRequest &r);
[[nodiscard]] QByteArray canonicalRequestText(const CanonicalRequest &r);
[[nodiscard]] QByteArray stringToSign(
    const SigningKey &key, const QDateTime &nowUtc, QByteArrayView canonicalText);
// Lower-case hex HMAC-SHA256 of stringToSign under the key derived for this date and scope.
[[nodiscard]] QByteArray signature(
    const SigningKey &key, const QDateTime &nowUtc, QByteArrayView stringToSign);

// Signs a request: returns `headers` plus Host, x-amz-content-sha256, x-amz-date and
// Authorization. Set all of them on the request except Host, which QNetworkAccessManager
// derives from the URL exactly as canonicalHost() does.
[[nodiscard]] HeaderList signHeaders(const SigningKey &key, QByteArrayView method, const QUrl &url,
    HeaderList headers, QByteArrayView payloadHash, const QDateTime &nowUtc);

// A presigned URL (query-string authentication, UNSIGNED-PAYLOAD). `signedHeaders` beyond Host
// (e.g. Content-Type for an upload) must then be sent with exactly these values.
[[nodiscard]] QUrl presignUrl(const SigningKey &key, QByteArrayView method, const QUrl &url,
    qint64 expiresS, const QDateTime &nowUtc, const HeaderList &signedHeaders = {});

} // namespace confab::objectstore

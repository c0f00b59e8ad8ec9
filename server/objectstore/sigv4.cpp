#include "objectstore/sigv4.h"

#include <QMap>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>

namespace confab::objectstore
{

namespace
{

QByteArray hmacSha256(QByteArrayView key, QByteArrayView data)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), int(key.size()),
        reinterpret_cast<const unsigned char *>(data.data()), size_t(data.size()), out, &len);
    return QByteArray(reinterpret_cast<const char *>(out), qsizetype(len));
}

QByteArray canonicalHeaderValue(QByteArrayView value)
{
    // AWS: trim, and squeeze runs of spaces into one.
    const QByteArray trimmed = value.toByteArray().trimmed();
    QByteArray out;
    out.reserve(trimmed.size());
    bool lastWasSpace = false;
    for (const char c : trimmed) {
        const bool space = c == ' ' || c == '\t';
        if (space && lastWasSpace)
            continue;
        out.append(space ? ' ' : c);
        lastWasSpace = space;
    }
    return out;
}

} // namespace

QByteArray uriEncode(QByteArrayView s, bool encodeSlash)
{
    static constexpr char hex[] = "0123456789ABCDEF";
    QByteArray out;
    out.reserve(s.size() * 3);
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
            || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved || (c == '/' && !encodeSlash)) {
            out.append(ch);
        } else {
            out.append('%');
            out.append(hex[c >> 4]);
            out.append(hex[c & 0xf]);
        }
    }
    return out;
}

QByteArray sha256Hex(QByteArrayView data)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), size_t(data.size()), out, &len, EVP_sha256(), nullptr);
    return QByteArray(reinterpret_cast<const char *>(out), qsizetype(len)).toHex();
}

QByteArray amzDate(const QDateTime &nowUtc)
{
    return nowUtc.toUTC().toString(QStringLiteral("yyyyMMdd'T'HHmmss'Z'")).toLatin1();
}

QByteArray credentialScope(const SigningKey &key, const QDateTime &nowUtc)
{
    return amzDate(nowUtc).left(8) + '/' + key.region.toUtf8() + '/' + key.service.toUtf8()
        + "/aws4_request";
}

QByteArray canonicalHost(const QUrl &url)
{
    QByteArray host = url.host(QUrl::FullyEncoded).toUtf8();
    if (host.contains(':'))
        host = '[' + host + ']';
    const int port = url.port();
    const int defaultPort = url.scheme() == QLatin1String("https") ? 443 : 80;
    if (port != -1 && port != defaultPort)
        host += ':' + QByteArray::number(port);
    return host;
}

QByteArray canonicalUri(const QUrl &url)
{
    const QByteArray path = url.path(QUrl::FullyDecoded).toUtf8();
    return path.isEmpty() ? QByteArrayLiteral("/") : uriEncode(path, false);
}

QList<QPair<QByteArray, QByteArray>> queryPairs(const QUrl &url)
{
    QList<QPair<QByteArray, QByteArray>> pairs;
    if (!url.hasQuery())
        return pairs;
    const QByteArray query = url.query(QUrl::FullyEncoded).toLatin1();
    for (const QByteArray &part : query.split('&')) {
        if (part.isEmpty())
            continue;
        const qsizetype eq = part.indexOf('=');
        const QByteArray name = eq < 0 ? part : part.left(eq);
        const QByteArray value = eq < 0 ? QByteArray() : part.mid(eq + 1);
        pairs.append(
            { QByteArray::fromPercentEncoding(name), QByteArray::fromPercentEncoding(value) });
    }
    return pairs;
}

CanonicalText canonicalRequest(const CanonicalRequest &r)
{
    QList<QPair<QByteArray, QByteArray>> query;
    query.reserve(r.query.size());
    for (const auto &[name, value] : r.query)
        query.append({ uriEncode(name, true), uriEncode(value, true) });
    std::sort(query.begin(), query.end());

    // Sorted by lower-case name; repeated headers join their values with commas.
    QMap<QByteArray, QByteArray> headers;
    for (const auto &[name, value] : r.headers) {
        QByteArray &slot = headers[name.toLower()];
        if (!slot.isEmpty())
            slot += ',';
        slot += canonicalHeaderValue(value);
    }

    CanonicalText out;
    QByteArray &t = out.text;
    t += r.method + '\n' + r.canonicalUri + '\n';
    for (qsizetype i = 0; i < query.size(); ++i) {
        if (i > 0)
            t += '&';
        t += query[i].first + '=' + query[i].second;
    }
    t += '\n';
    for (auto it = headers.cbegin(); it != headers.cend(); ++it) {
        t += it.key() + ':' + it.value() + '\n';
        if (!out.signedHeaders.isEmpty())
            out.signedHeaders += ';';
        out.signedHeaders += it.key();
    }
    t += '\n' + out.signedHeaders + '\n' + r.payloadHash;
    return out;
}

QByteArray canonicalRequestText(const CanonicalRequest &r)
{
    return canonicalRequest(r).text;
}

QByteArray stringToSign(
    const SigningKey &key, const QDateTime &nowUtc, QByteArrayView canonicalText)
{
    return "AWS4-HMAC-SHA256\n" + amzDate(nowUtc) + '\n' + credentialScope(key, nowUtc) + '\n'
        + sha256Hex(canonicalText);
}

QByteArray signature(const SigningKey &key, const QDateTime &nowUtc, QByteArrayView toSign)
{
    const QByteArray dateKey
        = hmacSha256(QByteArray("AWS4" + key.secretKey.toUtf8()), amzDate(nowUtc).left(8));
    const QByteArray regionKey = hmacSha256(dateKey, key.region.toUtf8());
    const QByteArray serviceKey = hmacSha256(regionKey, key.service.toUtf8());
    const QByteArray signingKey = hmacSha256(serviceKey, "aws4_request");
    return hmacSha256(signingKey, toSign).toHex();
}

HeaderList signHeaders(const SigningKey &key, QByteArrayView method, const QUrl &url,
    HeaderList headers, QByteArrayView payloadHash, const QDateTime &nowUtc)
{
    const auto has = [&headers](QByteArrayView name) {
        return std::any_of(headers.cbegin(), headers.cend(),
            [name](const auto &h) { return h.first.compare(name, Qt::CaseInsensitive) == 0; });
    };
    if (!has("host"))
        headers.append({ QByteArrayLiteral("Host"), canonicalHost(url) });
    if (!has("x-amz-content-sha256"))
        headers.append({ QByteArrayLiteral("x-amz-content-sha256"), payloadHash.toByteArray() });
    if (!has("x-amz-date"))
        headers.append({ QByteArrayLiteral("x-amz-date"), amzDate(nowUtc) });

    CanonicalRequest r;
    r.method = method.toByteArray();
    r.canonicalUri = canonicalUri(url);
    r.query = queryPairs(url);
    r.headers = headers;
    r.payloadHash = payloadHash.toByteArray();
    const CanonicalText canonical = canonicalRequest(r);
    const QByteArray sig = signature(key, nowUtc, stringToSign(key, nowUtc, canonical.text));

    headers.append({ QByteArrayLiteral("Authorization"),
        "AWS4-HMAC-SHA256 Credential=" + key.accessKey.toUtf8() + '/' + credentialScope(key, nowUtc)
            + ",SignedHeaders=" + canonical.signedHeaders + ",Signature=" + sig });
    return headers;
}

QUrl presignUrl(const SigningKey &key, QByteArrayView method, const QUrl &url, qint64 expiresS,
    const QDateTime &nowUtc, const HeaderList &signedHeaders)
{
    HeaderList headers = signedHeaders;
    headers.append({ QByteArrayLiteral("host"), canonicalHost(url) });
    CanonicalRequest r;
    r.method = method.toByteArray();
    r.canonicalUri = canonicalUri(url);
    r.headers = headers;
    r.payloadHash = kUnsignedPayload.toByteArray();
    // Only the signed-headers list is needed before the query is complete.
    const QByteArray signedList = canonicalRequest(r).signedHeaders;

    r.query = queryPairs(url);
    r.query.append({ QByteArrayLiteral("X-Amz-Algorithm"), QByteArrayLiteral("AWS4-HMAC-SHA256") });
    r.query.append({ QByteArrayLiteral("X-Amz-Credential"),
        key.accessKey.toUtf8() + '/' + credentialScope(key, nowUtc) });
    r.query.append({ QByteArrayLiteral("X-Amz-Date"), amzDate(nowUtc) });
    r.query.append({ QByteArrayLiteral("X-Amz-Expires"), QByteArray::number(expiresS) });
    r.query.append({ QByteArrayLiteral("X-Amz-SignedHeaders"), signedList });
    const CanonicalText canonical = canonicalRequest(r);
    const QByteArray sig = signature(key, nowUtc, stringToSign(key, nowUtc, canonical.text));

    // The query line of the canonical text is exactly the query to send, already encoded; build
    // the URL from bytes so that nothing re-encodes or substitutes into it.
    const QByteArray canonicalQuery = canonical.text.split('\n').value(2);
    QUrl out = url;
    out.setQuery(QString::fromLatin1(canonicalQuery + "&X-Amz-Signature=" + sig), QUrl::StrictMode);
    return out;
}

} // namespace confab::objectstore

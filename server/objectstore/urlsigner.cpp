#include "objectstore/urlsigner.h"

#include "auth/crypto.h"

namespace confab::objectstore
{

namespace
{

QByteArray opName(BlobGrant::Op op)
{
    switch (op) {
    case BlobGrant::Op::Put:
        return QByteArrayLiteral("put");
    case BlobGrant::Op::Part:
        return QByteArrayLiteral("part");
    case BlobGrant::Op::Get:
        break;
    }
    return QByteArrayLiteral("get");
}

QString item(const QUrlQuery &q, const char *name)
{
    return q.queryItemValue(QLatin1String(name), QUrl::FullyDecoded);
}

} // namespace

UrlSigner::UrlSigner(QByteArray key)
    : m_key(std::move(key))
{
}

QByteArray UrlSigner::mac(const BlobGrant &g) const
{
    // One field per line: no field can hold a newline (keys, ids and content types are
    // checked before signing), so two different grants never give the same text.
    QByteArray text = QByteArrayLiteral("confab-blob-v1\n");
    text += opName(g.op) + '\n';
    text += g.key.toUtf8() + '\n';
    text += g.uploadId.toUtf8() + '\n';
    text += QByteArray::number(g.partNumber) + '\n';
    text += QByteArray::number(g.length) + '\n';
    text += g.contentType + '\n';
    text += QByteArray::number(g.expiresS);
    return auth::hmacSha256(m_key, text);
}

QUrl UrlSigner::sign(const BlobGrant &g) const
{
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("op"), QString::fromLatin1(opName(g.op)));
    q.addQueryItem(QStringLiteral("key"), g.key);
    if (g.op == BlobGrant::Op::Part) {
        q.addQueryItem(QStringLiteral("upload"), g.uploadId);
        q.addQueryItem(QStringLiteral("part"), QString::number(g.partNumber));
    }
    if (g.length >= 0)
        q.addQueryItem(QStringLiteral("len"), QString::number(g.length));
    if (!g.contentType.isEmpty())
        q.addQueryItem(QStringLiteral("ct"), QString::fromUtf8(g.contentType));
    q.addQueryItem(QStringLiteral("exp"), QString::number(g.expiresS));
    q.addQueryItem(QStringLiteral("sig"), QString::fromLatin1(auth::base64UrlEncode(mac(g))));
    // Every reserved character percent-encoded, so '+', '&' or '=' in a key or content type
    // survive any client's query handling.
    QByteArray encoded;
    for (const auto &[name, value] : q.queryItems(QUrl::FullyDecoded)) {
        if (!encoded.isEmpty())
            encoded += '&';
        encoded += name.toLatin1() + '=' + QUrl::toPercentEncoding(value);
    }
    QUrl url;
    url.setPath(QString::fromLatin1(kPath));
    url.setQuery(QString::fromLatin1(encoded), QUrl::StrictMode);
    return url;
}

Expected<BlobGrant> UrlSigner::verify(
    const QUrlQuery &query, QByteArrayView method, qint64 nowS) const
{
    const auto refuse = [](const char *why) {
        return Error::forbidden(QStringLiteral("signed URL refused: %1").arg(QLatin1String(why)));
    };
    if (!isValid())
        return refuse("this store signs no URLs");
    BlobGrant g;
    const QString op = item(query, "op");
    if (op == QLatin1String("put"))
        g.op = BlobGrant::Op::Put;
    else if (op == QLatin1String("part"))
        g.op = BlobGrant::Op::Part;
    else if (op == QLatin1String("get"))
        g.op = BlobGrant::Op::Get;
    else
        return refuse("unknown operation");
    g.key = item(query, "key");
    bool ok = true;
    if (g.op == BlobGrant::Op::Part) {
        g.uploadId = item(query, "upload");
        g.partNumber = item(query, "part").toInt(&ok);
        if (!ok)
            return refuse("malformed part number");
    }
    if (query.hasQueryItem(QStringLiteral("len"))) {
        g.length = item(query, "len").toLongLong(&ok);
        if (!ok || g.length < 0)
            return refuse("malformed length");
    }
    g.contentType = item(query, "ct").toUtf8();
    g.expiresS = item(query, "exp").toLongLong(&ok);
    if (!ok)
        return refuse("malformed expiry");
    const auto sig = auth::base64UrlDecode(item(query, "sig").toLatin1());
    if (!sig || !auth::constantTimeEquals(*sig, mac(g)))
        return refuse("the signature does not match");
    if (g.expiresS < nowS)
        return refuse("expired");
    const bool upload = g.op != BlobGrant::Op::Get;
    if ((upload && method != "PUT") || (!upload && method != "GET" && method != "HEAD"))
        return refuse("wrong method for this URL");
    return g;
}

} // namespace confab::objectstore

#include "api/pagetoken.h"

#include "auth/crypto.h"
#include "confab/ids.h"

namespace confab::api {

namespace {

QByteArray pageMac(QByteArrayView payload, QByteArrayView secret, QByteArrayView appId, QByteArrayView convoId)
{
    return auth::hmacSha256(secret, "page|" + appId.toByteArray() + '|' + convoId.toByteArray() + '|' + payload.toByteArray())
        .left(16);
}

} // namespace

QByteArray encodePageToken(const PageCursor &c, QByteArrayView appSecret, QByteArrayView appId, QByteArrayView convoId)
{
    const QByteArray payload = c.direction + QByteArray::number(c.seq);
    return auth::base64UrlEncode(payload) + '.' + auth::base64UrlEncode(pageMac(payload, appSecret, appId, convoId));
}

Expected<PageCursor> decodePageToken(QByteArrayView token, QByteArrayView appSecret, QByteArrayView appId,
                                     QByteArrayView convoId)
{
    const Error bad = Error::badRequest(QStringLiteral("invalid page_token"));
    const qsizetype dot = token.indexOf('.');
    if (dot <= 0 || token.size() > 200)
        return bad;
    const std::optional<QByteArray> payload = auth::base64UrlDecode(token.first(dot));
    const std::optional<QByteArray> mac = auth::base64UrlDecode(token.sliced(dot + 1));
    if (!payload || !mac || payload->size() < 2)
        return bad;
    if (!auth::constantTimeEquals(*mac, pageMac(*payload, appSecret, appId, convoId)))
        return bad;
    const char dir = payload->at(0);
    bool ok = false;
    const qint64 seq = payload->mid(1).toLongLong(&ok);
    if ((dir != 'a' && dir != 'b') || !ok || seq < 0)
        return bad;
    return PageCursor{dir, seq};
}

QByteArray encodeListToken(const store::ListCursor &c)
{
    return (QByteArray::number(c.createdUs) + '.' + c.id.toUtf8())
        .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

std::optional<store::ListCursor> decodeListToken(const QByteArray &token)
{
    const auto decoded = QByteArray::fromBase64Encoding(token, QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    const QByteArray &raw = decoded.decoded;
    const qsizetype dot = raw.indexOf('.');
    bool ok = false;
    const qint64 us = dot > 0 ? raw.left(dot).toLongLong(&ok) : 0;
    const QByteArray convo = raw.mid(dot + 1);
    if (!ok || us < 0 || !isValidId(convo))
        return std::nullopt;
    return store::ListCursor{us, QString::fromLatin1(convo)};
}

} // namespace confab::api

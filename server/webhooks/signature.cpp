#include "webhooks/signature.h"

#include "auth/crypto.h"
#include "confab/ids.h"

namespace confab::webhooks {

QByteArray signV1(QByteArrayView secret, qint64 t, QByteArrayView body)
{
    QByteArray signed_ = QByteArray::number(t);
    signed_.reserve(signed_.size() + 1 + body.size());
    signed_ += '.';
    signed_.append(body.data(), body.size());
    return auth::hmacSha256(secret, signed_).toHex();
}

QByteArray signatureHeader(const QList<QByteArray> &secrets, qint64 t, QByteArrayView body)
{
    QByteArray out = "t=" + QByteArray::number(t);
    for (const QByteArray &s : secrets)
        out += ",v1=" + signV1(s, t, body);
    return out;
}

QByteArray newSecret()
{
    return "whsec_" + randomToken(32);
}

} // namespace confab::webhooks

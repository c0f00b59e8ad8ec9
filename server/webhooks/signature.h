#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace confab::webhooks {

// PROTOCOL.md section 9: v1 is the lower-case hex HMAC-SHA256, keyed with the webhook secret
// (its UTF-8 bytes, as shown to the operator), over "<t>.<raw body>", t in ms.
[[nodiscard]] QByteArray signV1(QByteArrayView secret, qint64 t, QByteArrayView body);
// "t=<t>,v1=<hex>[,v1=<hex>]": one v1 per secret, the current one first.
[[nodiscard]] QByteArray signatureHeader(const QList<QByteArray> &secrets, qint64 t, QByteArrayView body);
// A fresh secret, "whsec_" + 32 random bytes in base64url.
[[nodiscard]] QByteArray newSecret();

} // namespace confab::webhooks

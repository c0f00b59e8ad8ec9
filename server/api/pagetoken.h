#pragma once

#include "confab/expected.h"
#include "store/conversations.h"

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace confab::api {

// Opaque, tamper-evident history page tokens: direction and cursor, bound to the app and the
// conversation by an HMAC under the app's secret.
struct PageCursor {
    char direction = 'a';   // 'a': after cursor, 'b': before cursor
    qint64 seq = 0;
};
[[nodiscard]] QByteArray encodePageToken(const PageCursor &c, QByteArrayView appSecret, QByteArrayView appId,
                                         QByteArrayView convoId);
[[nodiscard]] Expected<PageCursor> decodePageToken(QByteArrayView token, QByteArrayView appSecret,
                                                   QByteArrayView appId, QByteArrayView convoId);

// Conversation list tokens: the (created, id) position a list continues after, opaque to clients.
[[nodiscard]] QByteArray encodeListToken(const store::ListCursor &c);
[[nodiscard]] std::optional<store::ListCursor> decodeListToken(const QByteArray &token);

} // namespace confab::api

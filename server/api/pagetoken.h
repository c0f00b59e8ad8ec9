#pragma once

#include "confab/expected.h"
#include "store/conversations.h"

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

// The opaque page tokens of the App REST listings (PROTOCOL.md section 4), apart from the
// handlers so they are tested and fuzzed on bytes.
namespace confab::api {

// History pages: direction and cursor, tamper-evident, bound to the app and the conversation
// by an HMAC under the app's secret.
struct PageCursor {
    char direction = 'a';   // 'a': after cursor, 'b': before cursor
    qint64 seq = 0;
};
[[nodiscard]] QByteArray encodePageToken(const PageCursor &c, QByteArrayView appSecret, QByteArrayView appId,
                                         QByteArrayView convoId);
// BadRequest "invalid page_token" for anything encodePageToken did not make for this app and
// conversation.
[[nodiscard]] Expected<PageCursor> decodePageToken(QByteArrayView token, QByteArrayView appSecret,
                                                   QByteArrayView appId, QByteArrayView convoId);

// Conversation lists page in (created, id) order; the token is that position, opaque to
// clients (not signed: it only says where a listing the caller may see continues).
[[nodiscard]] QByteArray encodeListToken(const store::ListCursor &c);
[[nodiscard]] std::optional<store::ListCursor> decodeListToken(const QByteArray &token);

} // namespace confab::api

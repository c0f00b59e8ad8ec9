#pragma once

#include <QByteArray>
#include <QStringView>

namespace confab {

// A ULID (Crockford base32, 26 characters): 48-bit millisecond time + 80 random bits, so ids
// sort by time as strings (PROTOCOL.md: server_msg_id). Randomness from OpenSSL.
[[nodiscard]] QByteArray newUlid(qint64 nowMs);
[[nodiscard]] QByteArray newUlid();

// n random bytes from OpenSSL, encoded as unpadded base64url: for secrets and opaque ids.
[[nodiscard]] QByteArray randomToken(int bytes);

// True if s is usable as an app or conversation id: 1..128 of [A-Za-z0-9_.@-].
[[nodiscard]] bool isValidId(QByteArrayView s);

// True if s is usable as a user id (an OIDC `sub` may hold '|' or ':'): 1..255 bytes of
// printable ASCII or well-formed UTF-8, no white space, no braces (they delimit Redis hash
// tags). User ids are compared as these exact bytes.
[[nodiscard]] bool isValidUserId(QByteArrayView s);
// The same for text that arrived as UTF-16 (REST bodies, JWT claims): false when it has no
// lossless UTF-8 form (an unpaired surrogate), so two distinct ids never become one.
[[nodiscard]] bool isValidUserId(QStringView s);

} // namespace confab

#pragma once

#include <QByteArray>

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
// printable ASCII or UTF-8, no white space, no braces (they delimit Redis hash tags).
[[nodiscard]] bool isValidUserId(QByteArrayView s);

} // namespace confab

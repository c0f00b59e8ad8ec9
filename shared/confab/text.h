#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QStringView>

#include <optional>

// Text enters Confab as UTF-8 (WebSocket frames, path segments) or as UTF-16 (QJsonDocument
// for REST bodies and JWT claims). Converting UTF-16 with an unpaired surrogate to UTF-8 is
// lossy (Qt writes '?'), and so is decoding malformed UTF-8 (U+FFFD): two distinct inputs
// would become one stored id. These helpers refuse such text instead of converting it.
namespace confab {

// True if s is well-formed UTF-8 (RFC 3629): no overlong forms, no encoded surrogates, no
// code point above U+10FFFF, no truncated sequence.
[[nodiscard]] bool isValidUtf8(QByteArrayView s);

// The UTF-8 of s, or nullopt if s holds an unpaired surrogate (it has no UTF-8 form).
[[nodiscard]] std::optional<QByteArray> toUtf8Strict(QStringView s);

// True if s converts to UTF-8 and back unchanged and holds no U+0000 (PostgreSQL text
// cannot store NUL). What every id, name, title and label must be.
[[nodiscard]] bool isStorableText(QStringView s);
[[nodiscard]] bool isStorableText(QByteArrayView utf8);

} // namespace confab

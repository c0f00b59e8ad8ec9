#pragma once

#include <simdjson.h>

#include <QByteArray>

#include <optional>

namespace confab::json {

// The first key named twice in one object anywhere inside `root` (compared after unescaping,
// so "a" and "\u0061" are one key), or nullopt.
[[nodiscard]] std::optional<QByteArray> findDuplicateKey(simdjson::dom::element root);

// Whether a simdjson parse error is a number out of range (rather than broken syntax).
[[nodiscard]] inline bool isNumberError(simdjson::error_code e)
{
    return e == simdjson::NUMBER_ERROR;
}

} // namespace confab::json

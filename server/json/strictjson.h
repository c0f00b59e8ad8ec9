#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <optional>

// The rules every reader of client JSON applies on top of RFC 8259 syntax, so that a REST
// body, a client WebSocket frame and an admin WebSocket frame refuse the same texts with the
// same words (docs/security.md, "Validation and existence"):
// - an object naming a key twice is refused ("duplicate key 'k'"): parsers disagree on which
//   one wins (simdjson the first, QJsonDocument the last), so no reader may pick;
// - a number no reader can hold (an integer outside [-2^63, 2^64), a decimal beyond a double)
//   is refused naming the field that holds it, instead of "not JSON".
namespace confab::json {

struct Problem {
    enum class Kind {
        NotJson,         // not JSON text at all (or nested too deep)
        DuplicateKey,
        NumberOutOfRange,
    };
    Kind kind = Kind::NotJson;
    QString message;
    // The top-level "req" string, when the text has one that could be read without a full
    // parse: WebSocket answers carry it even for a frame refused here.
    std::optional<QByteArray> req;
};

// nullopt when the text is JSON and breaks none of the rules above. Parses with simdjson.
[[nodiscard]] std::optional<Problem> check(QByteArrayView utf8);

// For a text simdjson refused as a bad number: the innermost key whose value holds a number
// outside the ranges above ("" for a number that is not an object's value), or nullopt when
// every number is in range (the text is malformed some other way).
[[nodiscard]] std::optional<QString> outOfRangeNumberField(QByteArrayView utf8);

// The value of a top-level "req" string without escapes, read by a scan that needs no valid
// JSON; nullopt when there is none.
[[nodiscard]] std::optional<QByteArray> scanTopLevelReq(QByteArrayView utf8);

// The messages of the two rules, shared with readers that report them themselves.
[[nodiscard]] QString duplicateKeyMessage(QByteArrayView key);
[[nodiscard]] QString numberOutOfRangeMessage(const QString &field);

} // namespace confab::json

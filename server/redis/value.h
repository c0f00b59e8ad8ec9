#pragma once

#include "confab/expected.h"

#include <QByteArray>
#include <QList>

namespace confab::redis
{

// One RESP2 reply. Errors nested in arrays (EXEC, scripts returning them) stay values of type
// Error; an error as the whole reply becomes the Error side of Reply.
struct Value {
    enum class Type { Nil, String, Integer, Array, Status, Error };
    Type type = Type::Nil;
    qint64 integer = 0;
    QByteArray str; // String, Status, Error
    QList<Value> elements; // Array

    [[nodiscard]] bool isNil() const;
    [[nodiscard]] bool isError() const;
    // Integer, or a String holding a decimal integer (what GET returns after INCR).
    [[nodiscard]] qint64 toInteger(qint64 fallback = 0) const;
};

// Error reply from Redis => Error{Internal, "redis: <message>"}; not connected, connection lost
// before the reply, or timed out => Error{Unavailable, ...}.
using Reply = confab::Expected<Value>;

} // namespace confab::redis

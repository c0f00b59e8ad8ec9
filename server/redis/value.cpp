#include "redis/value.h"

namespace confab::redis
{

bool Value::isNil() const
{
    return type == Type::Nil;
}

bool Value::isError() const
{
    return type == Type::Error;
}

qint64 Value::toInteger(qint64 fallback) const
{
    if (type == Type::Integer)
        return integer;
    if (type == Type::String) {
        bool ok = false;
        const qint64 v = str.toLongLong(&ok);
        return ok ? v : fallback;
    }
    return fallback;
}

} // namespace confab::redis

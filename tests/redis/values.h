#pragma once

// Building redis::Value replies by hand, for tests of code that parses them.
#include "redis/value.h"

namespace confab::redis::test
{

inline Value integer(qint64 i)
{
    Value v;
    v.type = Value::Type::Integer;
    v.integer = i;
    return v;
}

inline Value string(const QByteArray &s)
{
    Value v;
    v.type = Value::Type::String;
    v.str = s;
    return v;
}

inline Value array(QList<Value> elements)
{
    Value v;
    v.type = Value::Type::Array;
    v.elements = std::move(elements);
    return v;
}

} // namespace confab::redis::test

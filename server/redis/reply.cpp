// hiredis replies as our Value and Reply: kept apart from the connection so the one place that
// knows redisReply's layout is small.
#include "redis/connection_p.h"

#include <hiredis/hiredis.h>

namespace confab::redis::detail
{

Value toValue(const redisReply *r)
{
    Value v;
    switch (r->type) {
    case REDIS_REPLY_STRING:
        v.type = Value::Type::String;
        v.str = QByteArray(r->str, qsizetype(r->len));
        break;
    case REDIS_REPLY_STATUS:
        v.type = Value::Type::Status;
        v.str = QByteArray(r->str, qsizetype(r->len));
        break;
    case REDIS_REPLY_ERROR:
        v.type = Value::Type::Error;
        v.str = QByteArray(r->str, qsizetype(r->len));
        break;
    case REDIS_REPLY_INTEGER:
        v.type = Value::Type::Integer;
        v.integer = r->integer;
        break;
    case REDIS_REPLY_ARRAY:
        v.type = Value::Type::Array;
        v.elements.reserve(qsizetype(r->elements));
        for (size_t i = 0; i < r->elements; ++i)
            v.elements.append(toValue(r->element[i]));
        break;
    default:
        v.type = Value::Type::Nil;
        break;
    }
    return v;
}

Reply toReply(const redisReply *r)
{
    if (r->type == REDIS_REPLY_ERROR)
        return Error::internal(
            QStringLiteral("redis: ") + QString::fromUtf8(r->str, qsizetype(r->len)));
    return toValue(r);
}

} // namespace confab::redis::detail

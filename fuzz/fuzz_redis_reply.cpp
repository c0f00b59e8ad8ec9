// libFuzzer target for the hiredis reader building redis::Values (server/redis/reply.cpp): any
// bytes from a Redis, fed in chunks of any size, give the same replies (or the same protocol
// error) as hiredis's own reader building its redisReply trees, and never a crash, a leak or
// undefined behaviour. The first byte picks the chunk size. Seeds: fuzz/corpus/redis_reply.

#include "redis/connection_p.h"

#include <hiredis/hiredis.h>
#include <hiredis/read.h>

#include <cstdint>
#include <cstdlib>

using namespace confab::redis;
using namespace confab::redis::detail;

namespace
{

void show(const Value &v, QByteArray *out)
{
    out->append(char('0' + int(v.type)));
    out->append(QByteArray::number(v.integer) + ':' + QByteArray::number(v.str.size()) + ':');
    out->append(v.str);
    out->append(QByteArray::number(v.elements.size()) + '[');
    for (const Value &e : v.elements)
        show(e, out);
    out->append(']');
}

// hiredis's own tree, in the same text.
void show(const redisReply *r, QByteArray *out)
{
    Value::Type type = Value::Type::Nil;
    switch (r->type) {
    case REDIS_REPLY_STRING:
        type = Value::Type::String;
        break;
    case REDIS_REPLY_STATUS:
        type = Value::Type::Status;
        break;
    case REDIS_REPLY_ERROR:
        type = Value::Type::Error;
        break;
    case REDIS_REPLY_INTEGER:
        type = Value::Type::Integer;
        break;
    case REDIS_REPLY_ARRAY:
        type = Value::Type::Array;
        break;
    default:
        break;
    }
    const bool text
        = type == Value::Type::String || type == Value::Type::Status || type == Value::Type::Error;
    out->append(char('0' + int(type)));
    out->append(QByteArray::number(type == Value::Type::Integer ? r->integer : 0) + ':'
        + QByteArray::number(text ? qsizetype(r->len) : 0) + ':');
    if (text)
        out->append(r->str, qsizetype(r->len));
    const size_t n = type == Value::Type::Array ? r->elements : 0;
    out->append(QByteArray::number(qsizetype(n)) + '[');
    for (size_t i = 0; i < n; ++i)
        show(r->element[i], out);
    out->append(']');
}

// Every reply the bytes hold, fed `chunk` at a time, as text; "!" after a protocol error.
QByteArray readAll(
    redisReader *reader, bool ours, const std::uint8_t *data, std::size_t size, std::size_t chunk)
{
    QByteArray out;
    for (std::size_t at = 0; at < size; at += chunk) {
        if (redisReaderFeed(
                reader, reinterpret_cast<const char *>(data) + at, std::min(chunk, size - at))
            != REDIS_OK)
            return out + "feed";
        for (;;) {
            void *reply = nullptr;
            if (redisReaderGetReply(reader, &reply) != REDIS_OK)
                return out + "!";
            if (!reply)
                break;
            if (ours) {
                show(takeValue(reply), &out);
                freeReply(reply);
            } else {
                show(static_cast<const redisReply *>(reply), &out);
                freeReplyObject(reply);
            }
            out.append('\n');
        }
    }
    return out;
}

// hiredis's own reader allocates an array's element pointers for the count the wire claims;
// ours only for elements that arrive. Inputs claiming a huge array are read by ours alone.
bool claimsAHugeArray(const std::uint8_t *data, std::size_t size)
{
    for (std::size_t i = 0; i < size; ++i) {
        if (data[i] != '*')
            continue;
        std::size_t digits = 0;
        while (i + 1 + digits < size && data[i + 1 + digits] >= '0' && data[i + 1 + digits] <= '9')
            ++digits;
        if (digits > 6)
            return true;
    }
    return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    const std::size_t chunk = std::size_t(data[0] % 17) + 1;
    redisReader *ours = redisReaderCreateWithFunctions(replyFunctions());
    const QByteArray a = readAll(ours, true, data + 1, size - 1, chunk);
    redisReaderFree(ours);
    if (claimsAHugeArray(data + 1, size - 1))
        return 0;
    redisReader *theirs = redisReaderCreate();
    const QByteArray b = readAll(theirs, false, data + 1, size - 1, chunk);
    redisReaderFree(theirs);
    if (a != b)
        std::abort();
    return 0;
}

// hiredis replies as our Value and Reply: kept apart from the connection so the one place that
// knows hiredis's reply layout is small.
//
// The connection's reader builds Values itself (replyFunctions()), instead of hiredis's
// redisReply tree that was then copied into one: per reply one allocation for its root, one per
// array and one per string, where the copy cost two per element more. hiredis keeps only the
// root's pointer (it hands it to the callback, then to freeObject), and async.c may look at a
// reply with no callback waiting as a redisReply (its type, an error's text), so the root starts
// with one, filled in for that.
#include "redis/connection_p.h"

#include <hiredis/hiredis.h>

#include <new>

namespace confab::redis::detail
{

namespace
{

struct Root {
    redisReply head {}; // what hiredis itself may read of a reply
    Value value;
};

Value::Type typeOf(int hiredisType)
{
    switch (hiredisType) {
    case REDIS_REPLY_STRING:
        return Value::Type::String;
    case REDIS_REPLY_STATUS:
        return Value::Type::Status;
    case REDIS_REPLY_ERROR:
        return Value::Type::Error;
    case REDIS_REPLY_INTEGER:
        return Value::Type::Integer;
    case REDIS_REPLY_ARRAY:
        return Value::Type::Array;
    default:
        return Value::Type::Nil;
    }
}

// An array reserves at most this many elements when it begins: its count comes from the wire,
// and a wrong one must not allocate more than the bytes that actually arrive.
constexpr int kReserveAtMost = 1024;

// The object a read task's reply becomes: a new Root at the top, else its element of the array
// above, added as hiredis reads it (in order; an earlier element's pointer is not used again once
// its task is done). Null when out of memory (hiredis then fails the reader and frees the root).
// `type` is hiredis's: a nil's task still says string or array.
void *create(const redisReadTask *task, int type, Value **value)
{
    if (!task->parent) {
        auto *root = new (std::nothrow) Root;
        if (!root)
            return nullptr;
        root->head.type = type;
        root->value.type = typeOf(type);
        *value = &root->value;
        return root;
    }
    const redisReadTask *up = task->parent;
    Value *array
        = up->parent ? static_cast<Value *>(up->obj) : &static_cast<Root *>(up->obj)->value;
    if (array->elements.size() <= task->idx)
        array->elements.resize(task->idx + 1);
    Value *v = &array->elements[task->idx];
    v->type = typeOf(type);
    *value = v;
    return v;
}

void *createString(const redisReadTask *task, char *str, size_t len)
{
    Value *v = nullptr;
    void *obj = create(task, task->type, &v);
    if (!obj)
        return nullptr;
    v->str = QByteArray(str, qsizetype(len));
    if (!task->parent) {
        auto *root = static_cast<Root *>(obj);
        root->head.str = root->value.str.data(); // NUL-terminated, as hiredis's own
        root->head.len = len;
    }
    return obj;
}

void *createArray(const redisReadTask *task, int elements)
{
    Value *v = nullptr;
    void *obj = create(task, REDIS_REPLY_ARRAY, &v);
    if (obj && elements > 0)
        v->elements.reserve(qMin(elements, kReserveAtMost));
    return obj;
}

void *createInteger(const redisReadTask *task, long long integer)
{
    Value *v = nullptr;
    void *obj = create(task, REDIS_REPLY_INTEGER, &v);
    if (obj) {
        v->integer = integer;
        if (!task->parent)
            static_cast<Root *>(obj)->head.integer = integer;
    }
    return obj;
}

void *createNil(const redisReadTask *task)
{
    Value *v = nullptr;
    return create(task, REDIS_REPLY_NIL, &v);
}

// hiredis frees only what it holds: a root.
void freeRoot(void *obj)
{
    delete static_cast<Root *>(obj);
}

redisReplyObjectFunctions kFunctions
    = { createString, createArray, createInteger, createNil, freeRoot };

} // namespace

redisReplyObjectFunctions *replyFunctions()
{
    return &kFunctions;
}

Value takeValue(void *reply)
{
    return std::move(static_cast<Root *>(reply)->value);
}

Reply takeReply(void *reply)
{
    Value v = takeValue(reply);
    if (v.type == Value::Type::Error)
        return Error::internal(QStringLiteral("redis: ") + QString::fromUtf8(v.str));
    return v;
}

void freeReply(void *reply)
{
    freeRoot(reply);
}

} // namespace confab::redis::detail

#pragma once
// The part of Redis's module API that confab's module uses, declared here.
//
// Redis hands a module its API at load time: the first word of the context passed to
// RedisModule_OnLoad is RedisModule_GetApi, which returns each function by name (this is what
// redismodule.h's RedisModule_Init does). Debian packages no redismodule.h, so the functions and
// constants this module needs are declared below, with the values of Redis 7.0's header (the
// module API keeps them stable across versions). docs/redis.md, "The accept module".

#include <cstddef>
#include <cstdint>

extern "C" {
struct RedisModuleCtx;
struct RedisModuleKey;
struct RedisModuleString;
struct RedisModuleCallReply;
struct RedisModuleStreamID {
    uint64_t ms;
    uint64_t seq;
};
}

namespace confab::redismodule
{

inline constexpr int kOk = 0;
inline constexpr int kErr = 1;
inline constexpr int kApiVersion = 1;
inline constexpr int kRead = 1 << 0;
inline constexpr int kWrite = 1 << 1;
inline constexpr int kKeyTypeEmpty = 0;
inline constexpr int kKeyTypeString = 1;
inline constexpr int kKeyTypeHash = 3;
inline constexpr int kKeyTypeZset = 5;
inline constexpr int kKeyTypeStream = 7;
inline constexpr int kHashNone = 0;
inline constexpr int kHashCFields = 1 << 2;
inline constexpr int kZaddNx = 1 << 1;
inline constexpr int kZaddAdded = 1 << 2;
inline constexpr int kZaddUpdated = 1 << 3;
inline RedisModuleString *const kHashDelete = reinterpret_cast<RedisModuleString *>(1L);

using CommandFn = int (*)(RedisModuleCtx *, RedisModuleString **, int);

// X(name, return type, parameter types...): one line per function of the API used.
#define CONFAB_REDISMODULE_API(X)                                                                  \
    X(SetModuleAttribs, void, RedisModuleCtx *, const char *, int, int)                            \
    X(CreateCommand, int, RedisModuleCtx *, const char *, CommandFn, const char *, int, int, int)  \
    X(IsKeysPositionRequest, int, RedisModuleCtx *)                                                \
    X(KeyAtPos, void, RedisModuleCtx *, int)                                                       \
    X(AutoMemory, void, RedisModuleCtx *)                                                          \
    X(WrongArity, int, RedisModuleCtx *)                                                           \
    X(OpenKey, RedisModuleKey *, RedisModuleCtx *, RedisModuleString *, int)                       \
    X(KeyType, int, RedisModuleKey *)                                                              \
    X(StringDMA, char *, RedisModuleKey *, size_t *, int)                                          \
    X(StringSet, int, RedisModuleKey *, RedisModuleString *)                                       \
    X(StringPtrLen, const char *, const RedisModuleString *, size_t *)                             \
    X(CreateString, RedisModuleString *, RedisModuleCtx *, const char *, size_t)                   \
    X(HashGet, int, RedisModuleKey *, int, ...)                                                    \
    X(HashSet, int, RedisModuleKey *, int, ...)                                                    \
    X(StreamAdd, int, RedisModuleKey *, int, RedisModuleStreamID *, RedisModuleString **, int64_t) \
    X(StreamIteratorStart, int, RedisModuleKey *, int, RedisModuleStreamID *,                      \
        RedisModuleStreamID *)                                                                     \
    X(StreamIteratorNextID, int, RedisModuleKey *, RedisModuleStreamID *, long *)                  \
    X(StreamIteratorNextField, int, RedisModuleKey *, RedisModuleString **, RedisModuleString **)  \
    X(StreamIteratorStop, int, RedisModuleKey *)                                                   \
    X(SetAbsExpire, int, RedisModuleKey *, long long)                                              \
    X(SetExpire, int, RedisModuleKey *, long long)                                                 \
    X(ZsetAdd, int, RedisModuleKey *, double, RedisModuleString *, int *)                          \
    X(ZsetRem, int, RedisModuleKey *, RedisModuleString *, int *)                                  \
    X(ZsetFirstInScoreRange, int, RedisModuleKey *, double, double, int, int)                      \
    X(ZsetRangeEndReached, int, RedisModuleKey *)                                                  \
    X(ZsetRangeCurrentElement, RedisModuleString *, RedisModuleKey *, double *)                    \
    X(ZsetRangeNext, int, RedisModuleKey *)                                                        \
    X(ZsetRangeStop, void, RedisModuleKey *)                                                       \
    X(ValueLength, size_t, RedisModuleKey *)                                                       \
    X(Call, RedisModuleCallReply *, RedisModuleCtx *, const char *, const char *, ...)             \
    X(CallReplyLength, size_t, RedisModuleCallReply *)                                             \
    X(CallReplyArrayElement, RedisModuleCallReply *, RedisModuleCallReply *, size_t)               \
    X(CallReplyStringPtr, const char *, RedisModuleCallReply *, size_t *)                          \
    X(Replicate, int, RedisModuleCtx *, const char *, const char *, ...)                           \
    X(ReplyWithArray, int, RedisModuleCtx *, long)                                                 \
    X(ReplyWithLongLong, int, RedisModuleCtx *, long long)                                         \
    X(ReplyWithStringBuffer, int, RedisModuleCtx *, const char *, size_t)                          \
    X(ReplyWithError, int, RedisModuleCtx *, const char *)                                         \
    X(Milliseconds, long long, void)

// Optional: SPUBLISH from a module (Redis 7.0.?); without it the module calls SPUBLISH.
#define CONFAB_REDISMODULE_OPTIONAL_API(X)                                                         \
    X(PublishMessageShard, int, RedisModuleCtx *, RedisModuleString *, RedisModuleString *)

#define CONFAB_REDISMODULE_DECLARE(name, ret, ...) extern ret (*RM_##name)(__VA_ARGS__);
CONFAB_REDISMODULE_API(CONFAB_REDISMODULE_DECLARE)
CONFAB_REDISMODULE_OPTIONAL_API(CONFAB_REDISMODULE_DECLARE)
#undef CONFAB_REDISMODULE_DECLARE

// Fills the pointers above from the context RedisModule_OnLoad was given; false when one that
// is not optional is missing (a Redis older than 7.0).
bool loadApi(RedisModuleCtx *ctx);

} // namespace confab::redismodule

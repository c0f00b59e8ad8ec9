// confab's Redis module: what Redis loads with `loadmodule .../confab-redis.so`.
#include "redismodule/accept.h"
#include "redismodule/flush.h"
#include "redismodule/moduleapi.h"
#include "redismodule/presence.h"

namespace confab::redismodule
{

#define CONFAB_REDISMODULE_DEFINE(name, ret, ...) ret (*RM_##name)(__VA_ARGS__) = nullptr;
CONFAB_REDISMODULE_API(CONFAB_REDISMODULE_DEFINE)
CONFAB_REDISMODULE_OPTIONAL_API(CONFAB_REDISMODULE_DEFINE)
#undef CONFAB_REDISMODULE_DEFINE

bool loadApi(RedisModuleCtx *ctx)
{
    using GetApi = int (*)(const char *, void *);
    const auto getApi = reinterpret_cast<GetApi>(reinterpret_cast<void **>(ctx)[0]);
    bool complete = true;
#define CONFAB_REDISMODULE_GET(name, ...)                                                          \
    complete                                                                                       \
        = getApi("RedisModule_" #name, reinterpret_cast<void *>(&RM_##name)) == kOk && complete;
    CONFAB_REDISMODULE_API(CONFAB_REDISMODULE_GET)
#undef CONFAB_REDISMODULE_GET
#define CONFAB_REDISMODULE_GET_OPTIONAL(name, ...)                                                 \
    getApi("RedisModule_" #name, reinterpret_cast<void *>(&RM_##name));
    CONFAB_REDISMODULE_OPTIONAL_API(CONFAB_REDISMODULE_GET_OPTIONAL)
#undef CONFAB_REDISMODULE_GET_OPTIONAL
    return complete;
}

} // namespace confab::redismodule

extern "C" __attribute__((visibility("default"))) int RedisModule_OnLoad(
    RedisModuleCtx *ctx, RedisModuleString **, int)
{
    using namespace confab::redismodule;
    if (!loadApi(ctx))
        return kErr;
    RM_SetModuleAttribs(ctx, "confab", 1, kApiVersion);
    // Its keys are found by asking the command (getkeys-api): they follow a numkeys, as EVAL's
    // do, so Redis Cluster checks their slot and redirects as it does for the script.
    // Removing a session's presence is allowed when Redis is out of memory, as the script is,
    // and so is the flush's clearing of a conversation it wrote to segments.
    if (RM_CreateCommand(ctx, kAcceptCommand, accept, "write deny-oom getkeys-api", 0, 0, 0) != kOk
        || RM_CreateCommand(
               ctx, kPresenceUpCommand, presenceUp, "write deny-oom getkeys-api", 0, 0, 0)
            != kOk
        || RM_CreateCommand(ctx, kPresenceDownCommand, presenceDown, "write getkeys-api", 0, 0, 0)
            != kOk
        || RM_CreateCommand(ctx, kReadTailCommand, readTail, "readonly getkeys-api", 0, 0, 0) != kOk
        || RM_CreateCommand(ctx, kClearPendingCommand, clearPending, "write getkeys-api", 0, 0, 0)
            != kOk)
        return kErr;
    return kOk;
}

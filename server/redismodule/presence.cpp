#include "redismodule/presence.h"

#include "redismodule/callargs.h"

#include <charconv>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace confab::redismodule
{

namespace
{

// ZREMRANGEBYSCORE key -inf now: the sessions whose renewal is overdue (a node that died), taken
// out through the open key (an RM_Call would leave `set` pointing at a value it may delete).
// Only a call that removes something is propagated, as the script's would be.
void dropExpired(RedisModuleCtx *ctx, RedisModuleKey *set, RedisModuleString *name, long long now)
{
    if (RM_KeyType(set) != kKeyTypeZset)
        return;
    std::vector<RedisModuleString *> overdue;
    if (RM_ZsetFirstInScoreRange(set, -std::numeric_limits<double>::infinity(), double(now), 0, 0)
        == kOk) {
        for (; !RM_ZsetRangeEndReached(set); RM_ZsetRangeNext(set))
            overdue.push_back(RM_ZsetRangeCurrentElement(set, nullptr));
    }
    RM_ZsetRangeStop(set);
    if (overdue.empty())
        return;
    for (RedisModuleString *member : overdue)
        RM_ZsetRem(set, member, nullptr);
    RM_Replicate(ctx, "ZREMRANGEBYSCORE", "scc", name, "-inf", decimal(now).c_str());
}

void publish(
    RedisModuleCtx *ctx, RedisModuleString *channel, RedisModuleString *head, long long now)
{
    size_t len = 0;
    const char *p = RM_StringPtrLen(head, &len);
    std::string frame(p, len);
    frame += decimal(now);
    frame += '}';
    RedisModuleString *payload = str(ctx, frame);
    if (RM_PublishMessageShard)
        RM_PublishMessageShard(ctx, channel, payload);
    else
        RM_Call(ctx, "SPUBLISH", "ss", channel, payload);
}

} // namespace

// KEYS: presence zset, last_seen. ARGV: session, score ttl ms, key ttl ms, channel, frame head.
int presenceUp(RedisModuleCtx *ctx, RedisModuleString **argv, int argc)
{
    NumkeysCall call;
    if (const int done = splitNumkeys(ctx, kPresenceUpCommand, argv, argc, 2, 5, &call); done >= 0)
        return done;
    RedisModuleString **keys = call.keys, **args = call.args;
    const long long now = RM_Milliseconds();
    RedisModuleKey *set = RM_OpenKey(ctx, keys[0], kRead | kWrite);
    if (RM_KeyType(set) != kKeyTypeEmpty && RM_KeyType(set) != kKeyTypeZset)
        return RM_ReplyWithError(ctx, "WRONGTYPE confab.presence_up: presence is not a sorted set");
    dropExpired(ctx, set, keys[0], now);
    const size_t before = RM_KeyType(set) == kKeyTypeZset ? RM_ValueLength(set) : 0;
    const long long score = now + toInt(view(args[1]));
    int flags = 0;
    RM_ZsetAdd(set, double(score), args[0], &flags);
    RM_Replicate(ctx, "ZADD", "scs", keys[0], decimal(score).c_str(), args[0]);
    const long long expireAt = now + toInt(view(args[2]));
    RM_SetAbsExpire(set, expireAt);
    RM_Replicate(ctx, "PEXPIREAT", "sc", keys[0], decimal(expireAt).c_str());
    if (before == 0)
        publish(ctx, args[3], args[4], now);
    return RM_ReplyWithLongLong(ctx, before == 0 ? 1 : 0);
}

// KEYS: presence zset, last_seen. ARGV: session, channel, frame head.
int presenceDown(RedisModuleCtx *ctx, RedisModuleString **argv, int argc)
{
    NumkeysCall call;
    if (const int done = splitNumkeys(ctx, kPresenceDownCommand, argv, argc, 2, 3, &call);
        done >= 0)
        return done;
    RedisModuleString **keys = call.keys, **args = call.args;
    const long long now = RM_Milliseconds();
    RedisModuleKey *set = RM_OpenKey(ctx, keys[0], kRead | kWrite);
    if (RM_KeyType(set) != kKeyTypeEmpty && RM_KeyType(set) != kKeyTypeZset)
        return RM_ReplyWithError(
            ctx, "WRONGTYPE confab.presence_down: presence is not a sorted set");
    int removed = 0;
    if (RM_KeyType(set) == kKeyTypeZset) {
        RM_ZsetRem(set, args[0], &removed);
        if (removed)
            RM_Replicate(ctx, "ZREM", "ss", keys[0], args[0]);
    }
    dropExpired(ctx, set, keys[0], now);
    const bool last = removed && (RM_KeyType(set) != kKeyTypeZset || RM_ValueLength(set) == 0);
    if (!last)
        return RM_ReplyWithLongLong(ctx, 0);
    // SET last_seen now EX 30 days, which Redis propagates with the absolute time.
    constexpr long long kLastSeenMs = 2592000LL * 1000;
    RedisModuleKey *seen = RM_OpenKey(ctx, keys[1], kWrite);
    const std::string text = decimal(now);
    RM_StringSet(seen, str(ctx, text));
    RM_SetAbsExpire(seen, now + kLastSeenMs);
    RM_Replicate(
        ctx, "SET", "sccc", keys[1], text.c_str(), "PXAT", decimal(now + kLastSeenMs).c_str());
    publish(ctx, args[1], args[2], now);
    return RM_ReplyWithLongLong(ctx, 1);
}

} // namespace confab::redismodule

#pragma once
// CONFAB.PRESENCE_UP and CONFAB.PRESENCE_DOWN: the presence scripts (server/messaging/scripts.cpp,
// kPresenceUp and kPresenceDown) as module commands, because every session renews its presence
// every 30 s and the Lua call was most of what that cost Redis (docs/redis.md, "The accept
// module"). Same KEYS and ARGV after a numkeys, same reply, the same writes propagated as the
// plain commands the script makes; tests/redismodule checks them against the scripts.

#include "redismodule/commands.h"
#include "redismodule/moduleapi.h"

namespace confab::redismodule
{

int presenceUp(RedisModuleCtx *ctx, RedisModuleString **argv, int argc);
int presenceDown(RedisModuleCtx *ctx, RedisModuleString **argv, int argc);

} // namespace confab::redismodule

#pragma once
// CONFAB.READ_TAIL and CONFAB.CLEAR_PENDING: the flush worker's two scripts, kReadTail
// (server/segments/flushworker.cpp) and kClearPending (server/segments/pendingslots.cpp), as
// module commands. Every flush of a conversation runs both, and in Lua reading the tail's
// entries into tables and back was most of what a flush cost Redis (docs/redis.md, "The flush
// commands"). Same KEYS and ARGV after a numkeys, same reply, the same writes propagated as the
// plain commands the script makes; tests/redismodule checks them against the scripts.

#include "redismodule/commands.h"
#include "redismodule/moduleapi.h"

namespace confab::redismodule
{

int readTail(RedisModuleCtx *ctx, RedisModuleString **argv, int argc);
int clearPending(RedisModuleCtx *ctx, RedisModuleString **argv, int argc);

} // namespace confab::redismodule

#pragma once
// CONFAB.ACCEPT: the accept script (server/messaging/scripts.cpp, kAccept) as a module command.
// Same KEYS and ARGV after a numkeys, as with EVALSHA; same reply; the same writes, propagated to
// the AOF and to replicas as the plain commands the script would have made, so a Redis without
// the module can load that AOF. tests/redismodule checks all three against the script.
// Its name, kAcceptCommand, is in commands.h.

#include "redismodule/commands.h"
#include "redismodule/moduleapi.h"

namespace confab::redismodule
{

int accept(RedisModuleCtx *ctx, RedisModuleString **argv, int argc);

} // namespace confab::redismodule

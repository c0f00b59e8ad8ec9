#pragma once
// What every confab module command shares: EVAL's shape (a numkeys, the keys, then the
// arguments), and numbers read and written as the scripts do.

#include "redismodule/moduleapi.h"

#include <charconv>
#include <string>
#include <string_view>

namespace confab::redismodule
{

inline std::string_view view(const RedisModuleString *s)
{
    size_t len = 0;
    const char *p = RM_StringPtrLen(s, &len);
    return { p, len };
}

// Lua's tonumber() of a decimal integer, for the values the scripts wrote themselves. Digits
// past the 18th are not read, so a caller's nonsense cannot overflow it.
inline long long toInt(std::string_view s, long long fallback = 0)
{
    if (s.empty())
        return fallback;
    const bool negative = s.front() == '-';
    long long v = 0;
    const size_t first = negative ? 1 : 0;
    for (size_t i = first; i < s.size() && i < first + 18 && s[i] >= '0' && s[i] <= '9'; ++i)
        v = v * 10 + (s[i] - '0');
    return negative ? -v : v;
}

// A decimal integer, as Lua writes one with '%d' (and as Redis propagates one).
inline std::string decimal(long long v)
{
    char buf[24];
    return std::string(buf, size_t(std::to_chars(buf, buf + sizeof buf, v).ptr - buf));
}

inline RedisModuleString *str(RedisModuleCtx *ctx, std::string_view s)
{
    return RM_CreateString(ctx, s.data(), s.size());
}

struct NumkeysCall {
    RedisModuleString **keys = nullptr;
    int numKeys = 0;
    RedisModuleString **args = nullptr;
    int numArgs = 0;
};

// Splits argv (name, numkeys, keys..., args...) for the command `name` that needs at least minKeys
// keys and minArgs arguments. Answers Redis's question about the key positions (the commands are
// registered with getkeys-api, so Redis Cluster checks their slot as it does EVAL's) and a call
// that does not fit: then it returns what the command returns, and otherwise -1.
inline int splitNumkeys(RedisModuleCtx *ctx, const char *name, RedisModuleString **argv, int argc,
    int minKeys, int minArgs, NumkeysCall *out)
{
    const long long numKeys = argc >= 2 ? toInt(view(argv[1]), -1) : -1;
    if (RM_IsKeysPositionRequest(ctx)) {
        for (long long i = 0; i < numKeys && 2 + i < argc; ++i)
            RM_KeyAtPos(ctx, int(2 + i));
        return kOk;
    }
    if (argc < 2)
        return RM_WrongArity(ctx);
    RM_AutoMemory(ctx);
    if (numKeys < minKeys || numKeys > argc - 2 - minArgs)
        return RM_ReplyWithError(
            ctx, ("ERR " + std::string(name) + ": numkeys does not fit the arguments").c_str());
    out->keys = argv + 2;
    out->numKeys = int(numKeys);
    out->args = argv + 2 + numKeys;
    out->numArgs = int(argc - 2 - numKeys);
    return -1;
}

} // namespace confab::redismodule

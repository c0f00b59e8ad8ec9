#include "redismodule/flush.h"

#include "redismodule/callargs.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace confab::redismodule
{

namespace
{

struct Entry {
    RedisModuleStreamID id;
    std::vector<RedisModuleString *> fields; // field, value, field, value...
};

void replyWithEntry(RedisModuleCtx *ctx, const Entry &e)
{
    RM_ReplyWithArray(ctx, 2);
    const std::string id = decimal(static_cast<long long>(e.id.ms)) + '-'
        + decimal(static_cast<long long>(e.id.seq));
    RM_ReplyWithStringBuffer(ctx, id.data(), id.size());
    RM_ReplyWithArray(ctx, long(e.fields.size()));
    for (RedisModuleString *s : e.fields) {
        const std::string_view v = view(s);
        RM_ReplyWithStringBuffer(ctx, v.data(), v.size());
    }
}

// `name` opened for reading: false (and WRONGTYPE answered) when it holds another type than
// `type`; *out is null when there is no such key.
bool openOfType(RedisModuleCtx *ctx, RedisModuleString *name, int type, const char *command,
    const char *what, RedisModuleKey **out)
{
    RedisModuleKey *key = RM_OpenKey(ctx, name, kRead);
    *out = nullptr;
    if (RM_KeyType(key) == kKeyTypeEmpty)
        return true;
    if (RM_KeyType(key) != type) {
        RM_ReplyWithError(ctx, ("WRONGTYPE " + std::string(command) + ": " + what).c_str());
        return false;
    }
    *out = key;
    return true;
}

// GET of a counter the scripts read with tonumber(... or '0'); false (and the error answered)
// when the key holds another type.
bool readCounter(RedisModuleCtx *ctx, RedisModuleString *name, const char *command, long long *out)
{
    RedisModuleKey *key = nullptr;
    *out = 0;
    if (!openOfType(ctx, name, kKeyTypeString, command, "not a string", &key))
        return false;
    size_t len = 0;
    const char *p = key ? RM_StringDMA(key, &len, kRead) : nullptr;
    if (p)
        *out = toInt(std::string_view(p, len));
    return true;
}

// The script's string.match(envelope, '"ts":(%d+)') read as a number, 0 without one.
double envelopeTs(std::string_view envelope)
{
    constexpr std::string_view kNeedle = "\"ts\":";
    for (size_t at = envelope.find(kNeedle); at != std::string_view::npos;
         at = envelope.find(kNeedle, at + 1)) {
        size_t end = at + kNeedle.size();
        while (end < envelope.size() && envelope[end] >= '0' && envelope[end] <= '9')
            ++end;
        if (end > at + kNeedle.size())
            return std::strtod(
                std::string(envelope.substr(at + kNeedle.size(), end - at - kNeedle.size()))
                    .c_str(),
                nullptr);
    }
    return 0;
}

// How Redis 7.0 writes a Lua number given to redis.call ('%.17g').
std::string scriptNumber(double v)
{
    char buf[32];
    const int n = std::snprintf(buf, sizeof buf, "%.17g", v);
    return std::string(buf, size_t(n));
}

} // namespace

// KEYS: log [, its :pub]. ARGV: first seq, most records, most bytes of field values.
// Answers {more, entries} with entries as XRANGE gives them (flushworker.cpp, kReadTail).
int readTail(RedisModuleCtx *ctx, RedisModuleString **argv, int argc)
{
    NumkeysCall call;
    if (const int done = splitNumkeys(ctx, kReadTailCommand, argv, argc, 1, 3, &call); done >= 0)
        return done;
    const long long first = toInt(view(call.args[0]));
    long long left = toInt(view(call.args[1]));
    const long long budget = toInt(view(call.args[2]));
    RedisModuleStreamID from { static_cast<uint64_t>(first), 0 };
    RedisModuleStreamID upto { UINT64_MAX, UINT64_MAX };
    if (call.numKeys >= 2) {
        // [redis] min_replicas: only what WAIT confirmed and was released live (:pub).
        long long pub = 0;
        if (!readCounter(ctx, call.keys[1], kReadTailCommand, &pub))
            return kOk;
        if (first > pub) {
            RM_ReplyWithArray(ctx, 2);
            RM_ReplyWithLongLong(ctx, 0);
            return RM_ReplyWithArray(ctx, 0);
        }
        upto = RedisModuleStreamID { static_cast<uint64_t>(pub), 0 };
    }
    RedisModuleKey *log = nullptr;
    if (!openOfType(ctx, call.keys[0], kKeyTypeStream, kReadTailCommand, "not a stream", &log))
        return kOk;
    std::vector<Entry> out;
    long long bytes = 0;
    bool more = false;
    if (log && RM_StreamIteratorStart(log, 0, &from, &upto) == kOk) {
        Entry e;
        long numFields = 0;
        while (RM_StreamIteratorNextID(log, &e.id, &numFields) == kOk) {
            if (left <= 0) {
                more = true; // an entry past the records asked for
                break;
            }
            e.fields.clear();
            long long size = 0;
            RedisModuleString *field = nullptr, *value = nullptr;
            while (RM_StreamIteratorNextField(log, &field, &value) == kOk) {
                e.fields.push_back(field);
                e.fields.push_back(value);
                size += static_cast<long long>(view(value).size());
            }
            if (!out.empty() && bytes + size > budget) {
                more = true;
                break;
            }
            out.push_back(e);
            bytes += size;
            --left;
        }
        RM_StreamIteratorStop(log);
    }
    RM_ReplyWithArray(ctx, 2);
    RM_ReplyWithLongLong(ctx, more ? 1 : 0);
    RM_ReplyWithArray(ctx, long(out.size()));
    for (const Entry &e : out)
        replyWithEntry(ctx, e);
    return kOk;
}

// KEYS: pending zset, seq, log. ARGV: member, flushed seq. Drops the conversation from the
// pending set when everything up to its seq is flushed, and otherwise scores it with the ts of
// its first unflushed message; answers 1 when it stays pending (pendingslots.cpp, kClearPending).
int clearPending(RedisModuleCtx *ctx, RedisModuleString **argv, int argc)
{
    NumkeysCall call;
    if (const int done = splitNumkeys(ctx, kClearPendingCommand, argv, argc, 3, 2, &call);
        done >= 0)
        return done;
    RedisModuleString **keys = call.keys, **args = call.args;
    const long long flushed = toInt(view(args[1]));
    long long current = 0;
    if (!readCounter(ctx, keys[1], kClearPendingCommand, &current))
        return kOk;
    RedisModuleKey *pending = RM_OpenKey(ctx, keys[0], kRead | kWrite);
    if (RM_KeyType(pending) != kKeyTypeEmpty && RM_KeyType(pending) != kKeyTypeZset)
        return RM_ReplyWithError(
            ctx, "WRONGTYPE confab.clear_pending: pending is not a sorted set");
    std::string envelope;
    bool unflushed = false;
    if (current > flushed) {
        RedisModuleKey *log = nullptr;
        if (!openOfType(ctx, keys[2], kKeyTypeStream, kClearPendingCommand, "not a stream", &log))
            return kOk;
        RedisModuleStreamID from { static_cast<uint64_t>(flushed + 1), 0 };
        if (log && RM_StreamIteratorStart(log, 0, &from, nullptr) == kOk) {
            RedisModuleStreamID id;
            long numFields = 0;
            RedisModuleString *field = nullptr, *value = nullptr;
            if (RM_StreamIteratorNextID(log, &id, &numFields) == kOk) {
                unflushed = true;
                if (RM_StreamIteratorNextField(log, &field, &value) == kOk)
                    envelope.assign(view(value));
            }
            RM_StreamIteratorStop(log);
        }
    }
    if (!unflushed) {
        int removed = 0;
        if (RM_KeyType(pending) == kKeyTypeZset) {
            RM_ZsetRem(pending, args[0], &removed);
            if (removed)
                RM_Replicate(ctx, "ZREM", "ss", keys[0], args[0]);
        }
        return RM_ReplyWithLongLong(ctx, 0);
    }
    const double ts = envelopeTs(envelope);
    int flags = 0;
    RM_ZsetAdd(pending, ts, args[0], &flags);
    if (flags & (kZaddAdded | kZaddUpdated))
        RM_Replicate(ctx, "ZADD", "scs", keys[0], scriptNumber(ts).c_str(), args[0]);
    return RM_ReplyWithLongLong(ctx, 1);
}

} // namespace confab::redismodule

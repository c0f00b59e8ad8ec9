#include "messaging/scripts.h"

namespace confab::messaging {

namespace {

// KEYS: seq, log, idem, flush:pending, confab:recovered, user bucket, app bucket.
// ARGV: envelope head (up to "seq_no":), envelope tail, channel, server_msg_id, ts,
// idempotency ttl (s), pending member, user sends per minute, app sends per second (0 or
// absent: no limit).
// Answers {0, seq} accepted, {1, "id ts seq"} a duplicate, {2, 0} Redis lost its data and
// recovery has not run (nothing accepted until it has, docs/storage.md), {3, ms} rate limited.
// One script and one round trip per send: a duplicate takes no token, a refused send no seq.
// The ZADD NX marks the conversation for the flush worker, scored with its oldest unflushed
// message. A Redis script is not rolled back on error, so everything that can fail on bad
// input is validated by the caller before; XADD uses the seq as the entry id (seq-0).
constexpr char kAccept[] = R"LUA(
if redis.call('EXISTS', KEYS[5]) == 0 then return {2, 0} end
local d = redis.call('GET', KEYS[3])
if d then return {1, d} end
local perMin = tonumber(ARGV[8] or '0')
local perS = tonumber(ARGV[9] or '0')
local now, tu, ta
if perMin > 0 or perS > 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local function level(key, capacity, window)
    if capacity <= 0 then return nil, 0 end
    local b = redis.call('HMGET', key, 't', 'ts')
    local tokens = tonumber(b[1]) or capacity
    local ts = tonumber(b[2]) or now
    local rate = capacity / window
    tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate)
    if tokens < 1 then return tokens, math.ceil((1 - tokens) / rate) end
    return tokens, 0
  end
  local wu, wa
  tu, wu = level(KEYS[6], perMin, 60000)
  ta, wa = level(KEYS[7], perS, 1000)
  local wait = math.max(wu, wa)
  if wait > 0 then return {3, wait} end
end
if tu then
  redis.call('HSET', KEYS[6], 't', tostring(tu - 1), 'ts', now)
  redis.call('PEXPIRE', KEYS[6], 120000)
end
if ta then
  redis.call('HSET', KEYS[7], 't', tostring(ta - 1), 'ts', now)
  redis.call('PEXPIRE', KEYS[7], 5000)
end
local seq = redis.call('INCR', KEYS[1])
local env = ARGV[1] .. seq .. ARGV[2]
redis.call('XADD', KEYS[2], seq .. '-0', 'm', env)
redis.call('SET', KEYS[3], ARGV[4] .. ' ' .. ARGV[5] .. ' ' .. seq, 'EX', ARGV[6])
redis.call('PUBLISH', ARGV[3], 'm ' .. ARGV[5] .. '\n{"type":"message.create","message":' .. env .. '}')
redis.call('ZADD', KEYS[4], 'NX', ARGV[5], ARGV[7])
return {0, seq}
)LUA";

// KEYS: watermark hash, seq. ARGV: user, seq, channel, frame head (ends with "seq_no":).
constexpr char kWatermark[] = R"LUA(
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
local want = tonumber(ARGV[2])
if want > last then want = last end
local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if want <= cur then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], want)
redis.call('PUBLISH', ARGV[3], 'e -\n' .. ARGV[4] .. want .. '}')
return want
)LUA";

// KEYS: counter. ARGV: window ms.
constexpr char kConnectionRate[] = R"LUA(
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
)LUA";

// KEYS: presence zset, last_seen. ARGV: session, expiry ms (absolute), ttl ms, channel, frame.
// Scores are expiry times, so sessions of a node that died drop out by themselves.
constexpr char kPresenceUp[] = R"LUA(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local before = redis.call('ZCARD', KEYS[1])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if before == 0 then
  redis.call('PUBLISH', ARGV[4], ARGV[5] .. now .. '}')
  return 1
end
return 0
)LUA";

// KEYS: presence zset, last_seen. ARGV: session, channel, frame head (ends "last_seen_ms":).
constexpr char kPresenceDown[] = R"LUA(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if removed == 1 and redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('SET', KEYS[2], now, 'EX', 2592000)
  redis.call('PUBLISH', ARGV[2], ARGV[3] .. now .. '}')
  return 1
end
return 0
)LUA";

} // namespace

Scripts::Scripts()
    : accept(QByteArray(kAccept))
    , watermark(QByteArray(kWatermark))
    , connectionRate(QByteArray(kConnectionRate))
    , presenceUp(QByteArray(kPresenceUp))
    , presenceDown(QByteArray(kPresenceDown))
{
}

} // namespace confab::messaging

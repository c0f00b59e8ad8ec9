#include "messaging/scripts.h"

#include "confab/jsonwriter.h"
#include "redis/keyslot.h"
#include "schema/keys.h"
#include "schema/pending.h"

#include <openssl/sha.h>

namespace confab::messaging {

namespace keys = confab::schema::keys;

namespace {

// KEYS: seq, log, dedup index, the slot's flush:pending and confab:recovered (schema/pending.h),
// and on one Redis only: user bucket, app bucket, flush:dirty (on a cluster the first five, all
// on the conversation's slot; docs/redis.md).
// ARGV: envelope head (up to "seq_no":), envelope tail, channel, 'd' to leave the SPUBLISH to
// the caller (kRelease, after WAIT; anything else publishes here), ts, dedup bucket
// width (ms), pending member, user sends per minute, app sends per second (0: no limit; always
// 0 on a cluster), fingerprint (8 bytes of SHA-256 of client_msg_id), `"client_msg_id":"..."`
// as the envelope spells it, force (1: skip the dedup lookup; the caller proved a fingerprint
// collision), the conversation's slot.
// Answers {0, seq, added} accepted (added = 1: the conversation became pending), {1, seq,
// envelope} a duplicate (envelope "" once the tail was trimmed below it: the caller reads it
// from history), {2, 0} this slot's data was lost and recovery has not run (nothing accepted
// until it has, docs/storage.md), {3, ms} rate limited.
//
// One script and one round trip per send on one Redis: a duplicate takes no token, a refused
// send no seq. The ZADD NX marks the conversation for the flush worker in its slot's pending
// set, scored with its oldest unflushed message, and marks the slot dirty (on a cluster the node
// does that after the script, when `added`). A Redis script is not rolled back on error, so
// everything that can fail on bad input is validated by the caller before; XADD uses the seq
// as the entry id (seq-0).
//
// Dedup index (docs/redis.md): per conversation and time bucket of half the dedup window, a
// linear-hashing table of small hashes fingerprint -> seq. Each shard holds about 64 entries,
// so Redis keeps it as a listpack (about 16 bytes an entry); a shard is split one at a time
// when the bucket's load passes 64 per shard. Buckets expire 1.5 windows after they opened,
// and a lookup reads the three youngest, so a client_msg_id is remembered for at least the
// window. The meta hash (KEYS[3]) holds "level split count" per live bucket.
constexpr char kAccept[] = R"LUA(
if redis.call('EXISTS', KEYS[5]) == 0 then return {2, 0} end
local fp = ARGV[10]
local function fph(f)
  return ((string.byte(f, 5) * 256 + string.byte(f, 6)) * 256 + string.byte(f, 7)) * 256 + string.byte(f, 8)
end
local h = fph(fp)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local B = tonumber(ARGV[6])
local cur = math.floor(now / B)
local meta = redis.call('HMGET', KEYS[3], cur, cur - 1, cur - 2)
local function shardOf(b, st, x)
  local L, p = string.match(st, '^(%d+) (%d+)')
  L = tonumber(L)
  local a = x % (2 ^ L)
  if a < tonumber(p) then a = x % (2 ^ (L + 1)) end
  return KEYS[3] .. ':' .. b .. ':' .. a
end
if ARGV[12] ~= '1' then
  for i = 1, 3 do
    if meta[i] then
      local s = redis.call('HGET', shardOf(cur - i + 1, meta[i], h), fp)
      if s then
        local e = redis.call('XRANGE', KEYS[2], s .. '-0', s .. '-0')
        if #e == 0 then return {1, tonumber(s), ''} end
        local env = e[1][2][2]
        if string.find(env, ARGV[11], 1, true) then return {1, tonumber(s), env} end
      end
    end
  end
end
local perMin = tonumber(ARGV[8] or '0')
local perS = tonumber(ARGV[9] or '0')
local tu, ta
if perMin > 0 or perS > 0 then
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
local added = 0
local seq = redis.call('INCR', KEYS[1])
local env = ARGV[1] .. seq .. ARGV[2]
redis.call('XADD', KEYS[2], seq .. '-0', 'm', env)
local expireAt = (cur + 3) * B
local st = meta[1] or '0 0 0'
local shard = shardOf(cur, st, h)
redis.call('HSET', shard, fp, seq)
redis.call('PEXPIREAT', shard, expireAt)
local L, p, n = string.match(st, '^(%d+) (%d+) (%d+)')
L, p, n = tonumber(L), tonumber(p), tonumber(n) + 1
if n > 64 * (2 ^ L + p) then
  local from = KEYS[3] .. ':' .. cur .. ':' .. p
  local to = KEYS[3] .. ':' .. cur .. ':' .. (p + 2 ^ L)
  local all = redis.call('HGETALL', from)
  local moved, gone = {}, {}
  for i = 1, #all, 2 do
    if fph(all[i]) % (2 ^ (L + 1)) ~= p then
      moved[#moved + 1] = all[i]
      moved[#moved + 1] = all[i + 1]
      gone[#gone + 1] = all[i]
    end
  end
  if #gone > 0 then
    redis.call('HSET', to, unpack(moved))
    redis.call('PEXPIREAT', to, expireAt)
    redis.call('HDEL', from, unpack(gone))
  end
  p = p + 1
  if p == 2 ^ L then L, p = L + 1, 0 end
end
redis.call('HSET', KEYS[3], cur, L .. ' ' .. p .. ' ' .. n)
if not meta[1] then
  redis.call('HDEL', KEYS[3], cur - 3)
  redis.call('PEXPIREAT', KEYS[3], expireAt)
end
if ARGV[4] ~= 'd' then
  redis.call('SPUBLISH', ARGV[3], 'm ' .. ARGV[5] .. '\n{"type":"message.create","message":' .. env .. '}')
end
added = redis.call('ZADD', KEYS[4], 'NX', ARGV[5], ARGV[7])
if added == 1 and KEYS[8] then redis.call('SADD', KEYS[8], ARGV[13]) end
return {0, seq, added}
)LUA";

// KEYS: watermark hash, seq. ARGV: user, seq, channel, frame head (ends with "seq_no":).
constexpr char kWatermark[] = R"LUA(
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
local want = tonumber(ARGV[2])
if want > last then want = last end
local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if want <= cur then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], want)
redis.call('SPUBLISH', ARGV[3], 'e -\n' .. ARGV[4] .. want .. '}')
return want
)LUA";

// KEYS: counter. ARGV: window ms.
constexpr char kConnectionRate[] = R"LUA(
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
)LUA";

// Token buckets taken together: KEYS are the buckets, ARGV a capacity and a window in ms for
// each (capacity 0: that bucket does not limit). Answers 0 after taking one token from every
// bucket, or how many ms until each has one again (nothing taken). Buckets refill steadily at
// capacity per window and expire after two idle windows.
constexpr char kTokenBuckets[] = R"LUA(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local levels = {}
local wait = 0
for i = 1, #KEYS do
  local capacity = tonumber(ARGV[2 * i - 1])
  local window = tonumber(ARGV[2 * i])
  if capacity > 0 then
    local b = redis.call('HMGET', KEYS[i], 't', 'ts')
    local rate = capacity / window
    local tokens = tonumber(b[1]) or capacity
    local ts = tonumber(b[2]) or now
    tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate)
    if tokens < 1 then wait = math.max(wait, math.ceil((1 - tokens) / rate)) end
    levels[i] = tokens
  end
end
if wait > 0 then return wait end
for i = 1, #KEYS do
  if levels[i] then
    redis.call('HSET', KEYS[i], 't', tostring(levels[i] - 1), 'ts', now)
    redis.call('PEXPIRE', KEYS[i], 2 * tonumber(ARGV[2 * i]))
  end
end
return 0
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
  redis.call('SPUBLISH', ARGV[4], ARGV[5] .. now .. '}')
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
  redis.call('SPUBLISH', ARGV[2], ARGV[3] .. now .. '}')
  return 1
end
return 0
)LUA";

// KEYS: log, published. ARGV: seq confirmed by WAIT, channel, ts (for entries without one).
// WAIT confirmed the replicas have every write the master made before that seq's accept, other
// nodes' included (one replication stream), so every entry up to it is released, oldest first:
// live order stays seq_no order whichever node's WAIT answers first, and an entry whose own
// WAIT timed out is released by the next confirmed one. At most 1000 per call (a lost key).
constexpr char kRelease[] = R"LUA(
local upto = tonumber(ARGV[1])
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if last >= upto then return 0 end
if upto - last > 1000 then last = upto - 1000 end
local entries = redis.call('XRANGE', KEYS[1], (last + 1) .. '-0', upto .. '-0')
for _, e in ipairs(entries) do
  local env = e[2][2]
  local ts = string.match(env, '"ts":(%d+)') or ARGV[3]
  redis.call('SPUBLISH', ARGV[2], 'm ' .. ts .. '\n{"type":"message.create","message":' .. env .. '}')
end
redis.call('SET', KEYS[2], upto)
return #entries
)LUA";

} // namespace

ScriptCall releaseCall(const QString &appId, const QByteArray &convoId, qint64 seq, qint64 ts)
{
    QByteArray channel = keys::convoChannel(appId, convoId);
    return ScriptCall{{keys::log(appId, convoId), keys::published(appId, convoId)},
                      {QByteArray::number(seq), channel, QByteArray::number(ts)},
                      channel};
}

QByteArray dedupFingerprint(QByteArrayView clientMsgId)
{
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char *>(clientMsgId.data()), size_t(clientMsgId.size()), digest);
    return QByteArray(reinterpret_cast<const char *>(digest), 8);
}

ScriptCall acceptCall(const AcceptInput &in)
{
    // `"client_msg_id":"..."` exactly as the envelope tail spells it (same writer).
    JsonWriter cmid(in.clientMsgId.size() + 24);
    cmid.beginObject().field("client_msg_id", QByteArrayView(in.clientMsgId));
    const QByteArray cmidField = cmid.bytes().mid(1);
    // Buckets of half the window, three read: every id is remembered at least a window.
    const qint64 bucketMs = qMax<qint64>(1, in.dedupWindowMs / 2);
    QByteArray seqKey = keys::seq(in.appId, in.convoId);
    const int slot = redis::keySlot(seqKey); // schema::convoSlot(), without building the key twice
    QByteArray channel = keys::convoChannel(in.appId, in.convoId);
    ScriptCall call{
        {std::move(seqKey), keys::log(in.appId, in.convoId), keys::dedup(in.appId, in.convoId),
         schema::pendingKey(slot), schema::recoveredKey(slot)},
        {in.envelopeHead, in.envelopeTail, channel, in.deferPublish ? QByteArray("d") : QByteArray(), QByteArray::number(in.ts),
         QByteArray::number(bucketMs), schema::pendingMember(in.appId, in.convoId),
         QByteArray::number(in.cluster ? 0 : in.userMsgsPerMin), QByteArray::number(in.cluster ? 0 : in.appMsgsPerS),
         dedupFingerprint(in.clientMsgId), cmidField, in.force ? QByteArray("1") : QByteArray("0"),
         QByteArray::number(slot)},
        channel};
    if (!in.cluster)
        call.keys << keys::userBucket(in.appId, in.senderId) << keys::appBucket(in.appId) << schema::dirtySlotsKey();
    return call;
}

ScriptCall sendBucketsCall(const QString &appId, QByteArrayView userId, qint64 userMsgsPerMin, qint64 appMsgsPerS)
{
    return ScriptCall{{keys::userBucket(appId, userId), keys::appBucket(appId)},
                      {QByteArray::number(userMsgsPerMin), QByteArrayLiteral("60000"), QByteArray::number(appMsgsPerS),
                       QByteArrayLiteral("1000")},
                      {}};
}

ScriptCall convoBucketsCall(const QString &appId, QByteArrayView userId, qint64 userConvosPerMin, qint64 appConvosPerS)
{
    return ScriptCall{{keys::userConvoBucket(appId, userId), keys::appConvoBucket(appId)},
                      {QByteArray::number(userConvosPerMin), QByteArrayLiteral("60000"),
                       QByteArray::number(appConvosPerS), QByteArrayLiteral("1000")},
                      {}};
}

ScriptCall watermarkCall(bool read, const QString &appId, QByteArrayView convoId, QByteArrayView userId, qint64 seq,
                         QByteArray frameHead)
{
    QByteArray channel = keys::convoChannel(appId, convoId);
    return ScriptCall{{read ? keys::read(appId, convoId) : keys::delivered(appId, convoId), keys::seq(appId, convoId)},
                      {userId.toByteArray(), QByteArray::number(seq), channel, std::move(frameHead)},
                      channel};
}

ScriptCall connectionRateCall(const QString &appId, QByteArrayView userId, qint64 windowMs)
{
    return ScriptCall{{keys::connectionRate(appId, userId)}, {QByteArray::number(windowMs)}, {}};
}

ScriptCall presenceUpCall(const QString &appId, QByteArrayView userId, QByteArray member, qint64 ttlMs,
                          QByteArray frameHead)
{
    QByteArray channel = keys::presenceChannel(appId, userId);
    return ScriptCall{{keys::presence(appId, userId), keys::lastSeen(appId, userId)},
                      {std::move(member), QByteArray::number(ttlMs), QByteArray::number(ttlMs), channel,
                       std::move(frameHead)},
                      channel};
}

ScriptCall presenceDownCall(const QString &appId, QByteArrayView userId, QByteArray member, QByteArray frameHead)
{
    QByteArray channel = keys::presenceChannel(appId, userId);
    return ScriptCall{{keys::presence(appId, userId), keys::lastSeen(appId, userId)},
                      {std::move(member), channel, std::move(frameHead)},
                      channel};
}

Scripts::Scripts()
    : accept(QByteArray(kAccept))
    , watermark(QByteArray(kWatermark))
    , connectionRate(QByteArray(kConnectionRate))
    , tokenBuckets(QByteArray(kTokenBuckets))
    , presenceUp(QByteArray(kPresenceUp))
    , presenceDown(QByteArray(kPresenceDown))
    , release(QByteArray(kRelease))
{
}

} // namespace confab::messaging

#include "messaging/scripts.h"

#include "auth/crypto.h"
#include "confab/jsonwriter.h"
#include "redis/keyslot.h"
#include "redismodule/commands.h"
#include "schema/keys.h"
#include "schema/pending.h"

#include <cstring>

namespace confab::messaging {

namespace keys = confab::schema::keys;

namespace {

// The accept script takes the sends of one conversation that arrived while its previous calls
// were in flight (MessageService batches them), in order, as if each were a call of its own.
// KEYS: seq, log, dedup index, the slot's flush:pending and confab:recovered (schema/pending.h),
// and on one Redis only: the app's bucket, flush:dirty, then (with a user limit) the user
// bucket of each message in order (on a cluster the first five, all on the conversation's slot;
// docs/redis.md).
// ARGV: channel, 'd' to leave the SPUBLISH to the caller (kRelease, after WAIT; anything else
// publishes here), dedup bucket width (ms), pending member, user sends per minute, app sends
// per second (0: no limit; always 0 on a cluster), the conversation's slot, n; then six per
// message: envelope head (up to "seq_no":), envelope tail, ts, fingerprint (8 bytes of SHA-256
// of client_msg_id), `"client_msg_id":"..."` as the envelope spells it, force (1: skip the
// dedup lookup; the caller proved a fingerprint collision).
// Answers one element per message: {0, seq, added} accepted (added = 1 on the message that made
// the conversation pending), {1, seq, envelope} a duplicate (envelope "" once the tail was
// trimmed below it: the caller reads it from history), {2, 0} this slot's data was lost and
// recovery has not run (nothing accepted until it has, docs/storage.md), {3, ms} rate limited.
//
// One script and one round trip per batch on one Redis: a duplicate takes no
// token, a refused send no seq. What every message would repeat is done once: the recovered
// check with the seq counter (MGET, then SET), the clock, the bucket and dedup state reads and
// writes, one SPUBLISH of every accepted message's frame (lines "m <ts>" and the frame, joined
// by newlines: frames are compact JSON), and the ZADD NX that marks the conversation for the
// flush worker in its slot's pending set, scored with its oldest unflushed message, and the
// slot dirty (on a cluster the node does that after the script, when `added`). A Redis script
// is not rolled back on error, so everything that can fail on bad input is validated by the
// caller before; XADD uses the seq as the entry id (seq-0). Per message the script makes no Lua
// string it does not keep: numbers are written with '%d' (tostring is '%.14g', several times
// slower) and the frames go into one table.concat as pieces (docs/benchmarks-log.md).
//
// Dedup index (docs/redis.md): per conversation and time bucket of half the dedup window, a
// linear-hashing table of small hashes fingerprint -> seq. Each shard holds about 32 entries,
// so Redis keeps it as a listpack (about 16 bytes an entry); a shard is split one at a time
// when the bucket's load passes 32 per shard. Buckets expire 1.5 windows after they opened,
// and a lookup reads the three youngest, so a client_msg_id is remembered for at least the
// window. The meta hash (KEYS[3]) holds "level split s<first>" per live bucket, <first> the seq
// before the bucket's first message: every accepted message adds one entry to the current bucket
// and one to the seq, so the count is seq - first, and the meta is written only when a bucket
// opens or splits (a value without the "s" is the count an older Confab wrote, and is rewritten).
// Expiry is set when a shard key is made (the bucket's shard 0, a split's two shards), not per
// message, so a split never leaves a shard empty: Redis would delete it, and the next entry
// would make it again without an expiry. An empty one keeps a placeholder field "".
constexpr char kAccept[] = R"LUA(
local n = tonumber(ARGV[8])
local out = {}
local head = redis.call('MGET', KEYS[1], KEYS[5])
if not head[2] then
  for i = 1, n do out[i] = {2, 0} end
  return out
end
local byte = string.byte
local function fph(f)
  local a, b, c, d = byte(f, 5, 8)
  return ((a * 256 + b) * 256 + c) * 256 + d
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local B = tonumber(ARGV[3])
local cur = math.floor(now / B)
local fmt = string.format
local names = {fmt('%d', cur), fmt('%d', cur - 1), fmt('%d', cur - 2)}
local meta = redis.call('HMGET', KEYS[3], names[1], names[2], names[3])
local seq = tonumber(head[1] or '0')
local state = {}
local rewrite = false
for j = 1, 3 do
  if meta[j] then
    local L, p, mark, v = string.match(meta[j], '^(%d+) (%d+) ?(s?)(%d*)')
    local first = tonumber(v) or 0
    if mark == '' then
      first = seq - first
      if j == 1 then rewrite = true end
    end
    state[j] = {tonumber(L), tonumber(p), first, 2 ^ tonumber(L)}
  end
end
local function shardKey(j, a)
  return KEYS[3] .. ':' .. names[j] .. ':' .. a
end
local function shardOf(j, st, x)
  local m = st[4]
  local a = x % m
  if a < st[2] then a = x % (m + m) end
  return shardKey(j, a)
end
local perMin = tonumber(ARGV[5])
local perS = tonumber(ARGV[6])
local buckets, order = {}, {}
local function bucket(key, capacity, window, ttl)
  local b = buckets[key]
  if not b then
    local v = redis.call('HMGET', key, 't', 'ts')
    local tokens = tonumber(v[1]) or capacity
    local ts = tonumber(v[2]) or now
    local rate = capacity / window
    b = {key = key, tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate), rate = rate, ttl = ttl}
    buckets[key] = b
    order[#order + 1] = b
  end
  return b
end
local pubs, np, created = {}, 0, {}
local firstAccepted, firstTs, seqS
for i = 1, n do
  local a = 8 + (i - 1) * 6
  local fp = ARGV[a + 4]
  local h = fph(fp)
  if ARGV[a + 6] ~= '1' then
    for j = 1, 3 do
      if state[j] and not out[i] then
        local s = redis.call('HGET', shardOf(j, state[j], h), fp)
        if s then
          local e = redis.call('XRANGE', KEYS[2], s .. '-0', s .. '-0')
          if #e == 0 then
            out[i] = {1, tonumber(s), ''}
          elseif string.find(e[1][2][2], ARGV[a + 5], 1, true) then
            out[i] = {1, tonumber(s), e[1][2][2]}
          end
        end
      end
    end
  end
  if not out[i] then
    local wait, bu, ba = 0, nil, nil
    if perMin > 0 then
      bu = bucket(KEYS[7 + i], perMin, 60000, 120000)
      if bu.tokens < 1 then wait = math.ceil((1 - bu.tokens) / bu.rate) end
    end
    if perS > 0 then
      ba = bucket(KEYS[6], perS, 1000, 5000)
      if ba.tokens < 1 then wait = math.max(wait, math.ceil((1 - ba.tokens) / ba.rate)) end
    end
    if wait > 0 then
      out[i] = {3, wait}
    else
      if bu then bu.tokens, bu.used = bu.tokens - 1, true end
      if ba then ba.tokens, ba.used = ba.tokens - 1, true end
      if not state[1] then
        state[1] = {0, 0, seq, 1}
        rewrite = true
        created[#created + 1] = shardKey(1, 0)
      end
      seq = seq + 1
      seqS = fmt('%d', seq)
      local env = ARGV[a + 1] .. seqS .. ARGV[a + 2]
      redis.call('XADD', KEYS[2], seqS .. '-0', 'm', env)
      local st = state[1]
      redis.call('HSET', shardOf(1, st, h), fp, seqS)
      if seq - st[3] > 32 * (st[4] + st[2]) then
        local L, p = st[1], st[2]
        local from = shardKey(1, p)
        local to = shardKey(1, p + 2 ^ L)
        local all = redis.call('HGETALL', from)
        local moved, gone = {}, {}
        for k = 1, #all, 2 do
          if all[k] ~= '' and fph(all[k]) % (2 ^ (L + 1)) ~= p then
            moved[#moved + 1] = all[k]
            moved[#moved + 1] = all[k + 1]
            gone[#gone + 1] = all[k]
          end
        end
        if #gone == 0 then moved = {'', ''} end
        redis.call('HSET', to, unpack(moved))
        if #gone * 2 == #all then redis.call('HSET', from, '', '') end
        if #gone > 0 then redis.call('HDEL', from, unpack(gone)) end
        created[#created + 1] = from
        created[#created + 1] = to
        p = p + 1
        if p == 2 ^ L then L, p = L + 1, 0 end
        st[1], st[2], st[4] = L, p, 2 ^ L
        rewrite = true
      end
      pubs[np + 1], pubs[np + 2], pubs[np + 3], pubs[np + 4] = 'm ', ARGV[a + 3], '\n{"type":"message.create","message":', env
      pubs[np + 5] = '}\n'
      np = np + 5
      out[i] = {0, seq, 0}
      if not firstAccepted then firstAccepted, firstTs = i, ARGV[a + 3] end
    end
  end
end
if not firstAccepted then return out end
redis.call('SET', KEYS[1], seqS)
if rewrite then
  local expireAt = (cur + 3) * B
  for _, shard in ipairs(created) do redis.call('PEXPIREAT', shard, expireAt) end
  local st = state[1]
  redis.call('HSET', KEYS[3], names[1], st[1] .. ' ' .. st[2] .. ' s' .. st[3])
  if not meta[1] then
    redis.call('HDEL', KEYS[3], tostring(cur - 3))
    redis.call('PEXPIREAT', KEYS[3], expireAt)
  end
end
for _, b in ipairs(order) do
  if b.used then
    redis.call('HSET', b.key, 't', tostring(b.tokens), 'ts', now)
    redis.call('PEXPIRE', b.key, b.ttl)
  end
end
if ARGV[2] ~= 'd' then
  pubs[np] = '}'
  redis.call('SPUBLISH', ARGV[1], table.concat(pubs))
end
local added = 0
added = redis.call('ZADD', KEYS[4], 'NX', firstTs, ARGV[4])
if added == 1 and KEYS[7] then redis.call('SADD', KEYS[7], ARGV[7]) end
out[firstAccepted][3] = added
return out
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

void dedupFingerprint(QByteArrayView clientMsgId, char (&out)[kFingerprintBytes])
{
    unsigned char digest[32];
    auth::sha256(clientMsgId, digest);
    std::memcpy(out, digest, kFingerprintBytes);
}

QByteArray dedupFingerprint(QByteArrayView clientMsgId)
{
    char fingerprint[kFingerprintBytes];
    dedupFingerprint(clientMsgId, fingerprint);
    return QByteArray(fingerprint, kFingerprintBytes);
}

ScriptCall acceptCall(const QList<AcceptInput> &batch)
{
    Q_ASSERT(!batch.isEmpty());
    const AcceptInput &first = batch.first();
    // Buckets of half the window, three read: every id is remembered at least a window.
    const qint64 bucketMs = qMax<qint64>(1, first.dedupWindowMs / 2);
    QByteArray seqKey = keys::seq(first.appId, first.convoId);
    const int slot = redis::keySlot(seqKey); // schema::convoSlot(), without building the key twice
    QByteArray channel = keys::convoChannel(first.appId, first.convoId);
    const qint64 userMsgsPerMin = first.cluster ? 0 : first.userMsgsPerMin;
    ScriptCall call { { std::move(seqKey), keys::log(first.appId, first.convoId),
                          keys::dedup(first.appId, first.convoId), schema::pendingKey(slot),
                          schema::recoveredKey(slot) },
        {}, channel };
    qsizetype bytes = 256;
    for (const AcceptInput &in : batch)
        bytes += in.envelopeHead.size() + in.envelopeTail.size() + in.clientMsgId.size() + 160;
    call.args.reserve(bytes);
    call.args.add(channel)
        .add(first.deferPublish ? QByteArrayView("d") : QByteArrayView())
        .addNumber(bucketMs)
        .add(schema::pendingMember(first.appId, first.convoId))
        .addNumber(userMsgsPerMin)
        .addNumber(first.cluster ? 0 : first.appMsgsPerS)
        .addNumber(slot)
        .addNumber(batch.size());
    QByteArray cmid; // one buffer for every message's
    char fingerprint[kFingerprintBytes];
    for (const AcceptInput &in : batch) {
        // `"client_msg_id":"..."` exactly as the envelope tail spells it (same escaping).
        cmid.resize(0);
        cmid.reserve(in.clientMsgId.size() + 24);
        cmid.append("\"client_msg_id\":");
        JsonWriter::appendString(cmid, in.clientMsgId);
        dedupFingerprint(in.clientMsgId, fingerprint);
        call.args.add(in.envelopeHead)
            .add(in.envelopeTail)
            .addNumber(in.ts)
            .add(QByteArrayView(fingerprint, kFingerprintBytes))
            .add(cmid)
            .add(in.force ? QByteArrayView("1") : QByteArrayView("0"));
    }
    if (!first.cluster) {
        call.keys << keys::appBucket(first.appId) << schema::dirtySlotsKey();
        if (userMsgsPerMin > 0) {
            for (const AcceptInput &in : batch)
                call.keys << keys::userBucket(in.appId, in.senderId);
        }
    }
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
    : accept(QByteArray(kAccept), QByteArray(redismodule::kAcceptCommand))
    , watermark(QByteArray(kWatermark))
    , connectionRate(QByteArray(kConnectionRate))
    , tokenBuckets(QByteArray(kTokenBuckets))
    , presenceUp(QByteArray(kPresenceUp), QByteArray(redismodule::kPresenceUpCommand))
    , presenceDown(QByteArray(kPresenceDown), QByteArray(redismodule::kPresenceDownCommand))
    , release(QByteArray(kRelease))
{
}

} // namespace confab::messaging

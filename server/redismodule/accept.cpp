#include "redismodule/accept.h"

#include "redismodule/callargs.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace confab::redismodule
{

namespace
{

// kAccept's ARGV, 0-based (the script's ARGV[1] is kChannel): before the six per message.
enum Arg {
    kChannel,
    kPublishMode,
    kBucketMs,
    kPendingMember,
    kUserPerMin,
    kAppPerS,
    kSlot,
    kCount,
    kHeadArgs
};
// Per message, 0-based within its six.
enum MessageArg {
    kEnvelopeHead,
    kEnvelopeTail,
    kTs,
    kFingerprint,
    kClientMsgId,
    kForce,
    kPerMessage
};
// KEYS, 0-based; kUserBucket is the first message's user bucket (one per message, in order).
enum Key {
    kSeqKey,
    kLogKey,
    kDedupKey,
    kPendingKey,
    kRecoveredKey,
    kAppBucketKey,
    kDirtyKey,
    kUserBucketKey
};

// Shards of a dedup bucket hold about this many entries before one is split (docs/redis.md).
constexpr long long kShardLoad = 32;
// A message call answers at most this many: MessageService sends up to kMaxAcceptBatch.
constexpr long long kMaxMessages = 4096;

// Lua 5.1's tostring() of a number ('%.14g'), where the script writes one that way.
std::string luaNumber(double v)
{
    char buf[32];
    const int n = std::snprintf(buf, sizeof buf, "%.14g", v);
    return std::string(buf, size_t(n));
}

// The script's fph(): bytes 5 to 8 of the fingerprint, big-endian.
uint32_t fingerprintHash(std::string_view f)
{
    auto byte
        = [&](size_t i) { return uint32_t(static_cast<unsigned char>(i < f.size() ? f[i] : 0)); };
    return ((byte(4) * 256 + byte(5)) * 256 + byte(6)) * 256 + byte(7);
}

// One live dedup bucket: linear hashing at level, split pointer; first is the seq before its
// first message.
struct DedupBucket {
    bool live = false;
    long long level = 0, split = 0, first = 0, modulus = 1;
};

struct TokenBucket {
    std::string key;
    double tokens = 0, rate = 0;
    long long ttlMs = 0;
    bool used = false;
};

struct Outcome {
    enum Kind { None = -1, Accepted = 0, Duplicate = 1, NotRecovered = 2, Limited = 3 } kind = None;
    long long value = 0; // seq, or ms to wait
    long long added = 0; // Accepted: 1 on the message that made the conversation pending
    std::string envelope; // Duplicate
};

class AcceptCall
{
public:
    AcceptCall(RedisModuleCtx *ctx, RedisModuleString **keys, int numKeys, RedisModuleString **args,
        long long n)
        : m_ctx(ctx)
        , m_keys(keys)
        , m_numKeys(numKeys)
        , m_args(args)
        , m_out(size_t(n))
    {
    }

    int run()
    {
        std::string seq, recovered;
        const bool haveSeq = readString(m_keys[kSeqKey], &seq);
        if (!readString(m_keys[kRecoveredKey], &recovered)) {
            for (Outcome &o : m_out)
                o.kind = Outcome::NotRecovered;
            return reply();
        }
        m_seq = haveSeq ? toInt(seq) : 0;
        m_now = RM_Milliseconds();
        m_bucketMs = std::max(1LL, toInt(view(m_args[kBucketMs]), 1));
        m_current = m_now / m_bucketMs;
        for (int j = 0; j < 3; ++j)
            m_names[j] = decimal(m_current - j);
        m_dedupName = view(m_keys[kDedupKey]);
        loadDedupMeta();
        m_log = RM_OpenKey(m_ctx, m_keys[kLogKey], kRead | kWrite);
        if (RM_KeyType(m_log) != kKeyTypeEmpty && RM_KeyType(m_log) != kKeyTypeStream)
            return RM_ReplyWithError(m_ctx, "WRONGTYPE confab.accept: the log is not a stream");
        for (size_t i = 0; i < m_out.size(); ++i) {
            RedisModuleString **m = m_args + kHeadArgs + i * kPerMessage;
            if (view(m[kForce]) != "1")
                findDuplicate(m, &m_out[i]);
            if (m_out[i].kind == Outcome::None && takeTokens(i, &m_out[i]) && !store(m, &m_out[i]))
                return RM_ReplyWithError(m_ctx, "ERR confab.accept: the log refused the next seq");
        }
        if (m_firstAccepted >= 0)
            finish();
        return reply();
    }

private:
    RedisModuleString *str(std::string_view s) const { return redismodule::str(m_ctx, s); }

    bool readString(RedisModuleString *name, std::string *out) const
    {
        RedisModuleKey *k = RM_OpenKey(m_ctx, name, kRead);
        size_t len = 0;
        const char *p
            = k && RM_KeyType(k) == kKeyTypeString ? RM_StringDMA(k, &len, kRead) : nullptr;
        if (!p)
            return false;
        out->assign(p, len);
        return true;
    }

    // HMGET of the three youngest buckets' meta: "level split s<first>", or an older Confab's
    // "level split count", which is rewritten.
    void loadDedupMeta()
    {
        m_meta = RM_OpenKey(m_ctx, m_keys[kDedupKey], kRead | kWrite);
        if (RM_KeyType(m_meta) != kKeyTypeHash)
            return;
        RM_HashGet(m_meta, kHashCFields, m_names[0].c_str(), &m_metaValues[0], m_names[1].c_str(),
            &m_metaValues[1], m_names[2].c_str(), &m_metaValues[2], nullptr);
        for (int j = 0; j < 3; ++j) {
            if (!m_metaValues[j])
                continue;
            const std::string_view v = view(m_metaValues[j]);
            const size_t space = v.find(' ');
            std::string_view rest
                = space == std::string_view::npos ? std::string_view() : v.substr(space + 1);
            const size_t space2 = rest.find(' ');
            std::string_view tail
                = space2 == std::string_view::npos ? std::string_view() : rest.substr(space2 + 1);
            const bool marked = !tail.empty() && tail.front() == 's';
            if (marked)
                tail.remove_prefix(1);
            DedupBucket &b = m_buckets[j];
            b.live = true;
            b.level = std::min(toInt(v.substr(0, space)), 40LL);
            b.split = toInt(rest.substr(0, space2));
            b.first = toInt(tail);
            b.modulus = 1LL << b.level;
            if (!marked) {
                b.first = m_seq - b.first;
                if (j == 0)
                    m_rewrite = true;
            }
        }
    }

    std::string shardKey(int j, long long shard) const
    {
        return m_dedupName + ':' + m_names[j] + ':' + decimal(shard);
    }

    std::string shardOf(int j, uint32_t hash) const
    {
        const DedupBucket &b = m_buckets[j];
        long long shard = hash % b.modulus;
        if (shard < b.split)
            shard = hash % (b.modulus * 2);
        return shardKey(j, shard);
    }

    // A fingerprint in a live bucket whose stored envelope names the same client_msg_id (or that
    // the tail no longer holds) is a duplicate; another is a fingerprint collision, accepted.
    void findDuplicate(RedisModuleString **m, Outcome *o)
    {
        const uint32_t hash = fingerprintHash(view(m[kFingerprint]));
        for (int j = 0; j < 3 && o->kind == Outcome::None; ++j) {
            if (!m_buckets[j].live)
                continue;
            RedisModuleKey *shard = RM_OpenKey(m_ctx, str(shardOf(j, hash)), kRead);
            RedisModuleString *seq = nullptr;
            if (!shard || RM_KeyType(shard) != kKeyTypeHash)
                continue;
            RM_HashGet(shard, kHashNone, m[kFingerprint], &seq, nullptr);
            if (!seq)
                continue;
            const long long stored = toInt(view(seq));
            std::string envelope;
            if (!storedEnvelope(stored, &envelope)) {
                *o = Outcome { Outcome::Duplicate, stored, 0, {} };
            } else if (envelope.find(view(m[kClientMsgId])) != std::string::npos) {
                *o = Outcome { Outcome::Duplicate, stored, 0, std::move(envelope) };
            }
        }
    }

    bool storedEnvelope(long long seq, std::string *envelope)
    {
        if (RM_KeyType(m_log) != kKeyTypeStream)
            return false;
        RedisModuleStreamID id { uint64_t(seq), 0 };
        bool found = false;
        if (RM_StreamIteratorStart(m_log, 0, &id, &id) == kOk) {
            RedisModuleStreamID got;
            long fields = 0;
            RedisModuleString *field = nullptr, *value = nullptr;
            if (RM_StreamIteratorNextID(m_log, &got, &fields) == kOk
                && RM_StreamIteratorNextField(m_log, &field, &value) == kOk) {
                envelope->assign(view(value));
                found = true;
            }
            RM_StreamIteratorStop(m_log);
        }
        return found;
    }

    TokenBucket &bucket(RedisModuleString *key, double capacity, double windowMs, long long ttlMs)
    {
        const std::string_view name = view(key);
        for (TokenBucket &b : m_tokenBuckets) {
            if (b.key == name)
                return b;
        }
        RedisModuleKey *k = RM_OpenKey(m_ctx, key, kRead);
        RedisModuleString *t = nullptr, *ts = nullptr;
        if (k && RM_KeyType(k) == kKeyTypeHash)
            RM_HashGet(k, kHashCFields, "t", &t, "ts", &ts, nullptr);
        const double tokens = t ? std::strtod(std::string(view(t)).c_str(), nullptr) : capacity;
        const double at = ts ? std::strtod(std::string(view(ts)).c_str(), nullptr) : double(m_now);
        const double rate = capacity / windowMs;
        m_tokenBuckets.push_back(TokenBucket { std::string(name),
            std::min(capacity, tokens + std::max(0.0, double(m_now) - at) * rate), rate, ttlMs });
        return m_tokenBuckets.back();
    }

    // The sender's bucket and the app's (each only when its limit is on): a token from each,
    // or Limited with the wait until both have one.
    bool takeTokens(size_t i, Outcome *o)
    {
        const long long perMin = toInt(view(m_args[kUserPerMin]));
        const long long perS = toInt(view(m_args[kAppPerS]));
        const int userKey = kUserBucketKey + int(i);
        std::vector<size_t> taken;
        long long wait = 0;
        if (perMin > 0 && userKey < m_numKeys) {
            TokenBucket &b = bucket(m_keys[userKey], double(perMin), 60000, 120000);
            if (b.tokens < 1)
                wait = (long long)std::ceil((1 - b.tokens) / b.rate);
            taken.push_back(size_t(&b - m_tokenBuckets.data()));
        }
        if (perS > 0 && kAppBucketKey < m_numKeys) {
            TokenBucket &b = bucket(m_keys[kAppBucketKey], double(perS), 1000, 5000);
            if (b.tokens < 1)
                wait = std::max(wait, (long long)std::ceil((1 - b.tokens) / b.rate));
            taken.push_back(size_t(&b - m_tokenBuckets.data()));
        }
        if (wait > 0) {
            *o = Outcome { Outcome::Limited, wait, 0, {} };
            return false;
        }
        for (size_t b : taken) {
            m_tokenBuckets[b].tokens -= 1;
            m_tokenBuckets[b].used = true;
        }
        return true;
    }

    // The next seq: the log entry, the fingerprint in the current bucket, a split when the
    // bucket's shards are full, and the frame for the one publish.
    bool store(RedisModuleString **m, Outcome *o)
    {
        DedupBucket &b = m_buckets[0];
        if (!b.live) {
            b = DedupBucket { true, 0, 0, m_seq, 1 };
            m_rewrite = true;
            m_created.push_back(shardKey(0, 0));
        }
        ++m_seq;
        m_seqText = decimal(m_seq);
        std::string envelope(view(m[kEnvelopeHead]));
        envelope += m_seqText;
        envelope += view(m[kEnvelopeTail]);
        RedisModuleString *fields[2] = { str("m"), str(envelope) };
        RedisModuleStreamID id { uint64_t(m_seq), 0 };
        if (RM_StreamAdd(m_log, 0, &id, fields, 1) != kOk)
            return false;
        RM_Replicate(m_ctx, "XADD", "scss", m_keys[kLogKey], (m_seqText + "-0").c_str(), fields[0],
            fields[1]);
        RedisModuleString *shard = str(shardOf(0, fingerprintHash(view(m[kFingerprint]))));
        RedisModuleString *seq = str(m_seqText);
        RM_HashSet(RM_OpenKey(m_ctx, shard, kWrite), kHashNone, m[kFingerprint], seq, nullptr);
        RM_Replicate(m_ctx, "HSET", "sss", shard, m[kFingerprint], seq);
        if (m_seq - b.first > kShardLoad * (b.modulus + b.split))
            splitShard();
        m_publish += "m ";
        m_publish += view(m[kTs]);
        m_publish += "\n{\"type\":\"message.create\",\"message\":";
        m_publish += envelope;
        m_publish += "}\n";
        *o = Outcome { Outcome::Accepted, m_seq, 0, {} };
        if (m_firstAccepted < 0) {
            m_firstAccepted = o - m_out.data();
            m_firstTs = view(m[kTs]);
        }
        return true;
    }

    // Linear hashing: the shard at the split pointer gives the entries that now hash one level
    // higher to its new twin. Neither is left empty (Redis would delete it, and with it its
    // expiry): an empty one keeps the placeholder field "".
    void splitShard()
    {
        DedupBucket &b = m_buckets[0];
        RedisModuleString *from = str(shardKey(0, b.split));
        RedisModuleString *to = str(shardKey(0, b.split + b.modulus));
        RedisModuleCallReply *all = RM_Call(m_ctx, "HGETALL", "s", from);
        const size_t total = all ? RM_CallReplyLength(all) : 0;
        RedisModuleKey *toKey = RM_OpenKey(m_ctx, to, kWrite);
        RedisModuleKey *fromKey = RM_OpenKey(m_ctx, from, kWrite);
        std::vector<RedisModuleString *> moved;
        for (size_t k = 0; k + 1 < total; k += 2) {
            size_t fieldLen = 0, valueLen = 0;
            const char *field = RM_CallReplyStringPtr(RM_CallReplyArrayElement(all, k), &fieldLen);
            const char *value
                = RM_CallReplyStringPtr(RM_CallReplyArrayElement(all, k + 1), &valueLen);
            const std::string_view f(field, fieldLen);
            if (f.empty() || fingerprintHash(f) % uint64_t(b.modulus * 2) == uint64_t(b.split))
                continue;
            RedisModuleString *fs = str(f);
            RedisModuleString *vs = str(std::string_view(value, valueLen));
            RM_HashSet(toKey, kHashNone, fs, vs, nullptr);
            RM_Replicate(m_ctx, "HSET", "sss", to, fs, vs);
            moved.push_back(fs);
        }
        if (moved.empty()) {
            RM_HashSet(toKey, kHashCFields, "", str(""), nullptr);
            RM_Replicate(m_ctx, "HSET", "scc", to, "", "");
        }
        if (moved.size() * 2 == total) {
            RM_HashSet(fromKey, kHashCFields, "", str(""), nullptr);
            RM_Replicate(m_ctx, "HSET", "scc", from, "", "");
        }
        for (RedisModuleString *field : moved) {
            RM_HashSet(fromKey, kHashNone, field, kHashDelete, nullptr);
            RM_Replicate(m_ctx, "HDEL", "ss", from, field);
        }
        m_created.push_back(shardKey(0, b.split));
        m_created.push_back(shardKey(0, b.split + b.modulus));
        if (++b.split == b.modulus) {
            ++b.level;
            b.split = 0;
            b.modulus = 1LL << b.level;
        }
        m_rewrite = true;
    }

    // Once per call, after the last message: the seq counter, the dedup meta and expiries, the
    // token buckets, the publish, and the conversation marked pending for the flush worker.
    void finish()
    {
        RedisModuleString *seq = str(m_seqText);
        RM_StringSet(RM_OpenKey(m_ctx, m_keys[kSeqKey], kWrite), seq);
        RM_Replicate(m_ctx, "SET", "ss", m_keys[kSeqKey], seq);
        if (m_rewrite) {
            const long long expireAt = (m_current + 3) * m_bucketMs;
            const std::string at = decimal(expireAt);
            for (const std::string &shard : m_created) {
                RedisModuleString *name = str(shard);
                RM_SetAbsExpire(RM_OpenKey(m_ctx, name, kWrite), expireAt);
                RM_Replicate(m_ctx, "PEXPIREAT", "sc", name, at.c_str());
            }
            const DedupBucket &b = m_buckets[0];
            RedisModuleString *meta
                = str(decimal(b.level) + ' ' + decimal(b.split) + " s" + decimal(b.first));
            RM_HashSet(m_meta, kHashCFields, m_names[0].c_str(), meta, nullptr);
            RM_Replicate(m_ctx, "HSET", "scs", m_keys[kDedupKey], m_names[0].c_str(), meta);
            if (!m_metaValues[0]) {
                const std::string expired = luaNumber(double(m_current - 3));
                RM_HashSet(m_meta, kHashCFields, expired.c_str(), kHashDelete, nullptr);
                RM_Replicate(m_ctx, "HDEL", "sc", m_keys[kDedupKey], expired.c_str());
                RM_SetAbsExpire(m_meta, expireAt);
                RM_Replicate(m_ctx, "PEXPIREAT", "sc", m_keys[kDedupKey], at.c_str());
            }
        }
        for (const TokenBucket &b : m_tokenBuckets) {
            if (!b.used)
                continue;
            RedisModuleString *key = str(b.key), *tokens = str(luaNumber(b.tokens)),
                              *now = str(decimal(m_now));
            RedisModuleKey *k = RM_OpenKey(m_ctx, key, kWrite);
            RM_HashSet(k, kHashCFields, "t", tokens, "ts", now, nullptr);
            // Propagated as the absolute time, as Redis propagates a script's PEXPIRE: an AOF
            // replayed later must not give the bucket a fresh TTL.
            const long long expireAt = m_now + b.ttlMs;
            RM_SetAbsExpire(k, expireAt);
            RM_Replicate(m_ctx, "HSET", "scscs", key, "t", tokens, "ts", now);
            RM_Replicate(m_ctx, "PEXPIREAT", "sc", key, decimal(expireAt).c_str());
        }
        if (view(m_args[kPublishMode]) != "d") {
            m_publish.pop_back(); // the payload's last line has no newline
            RedisModuleString *payload = str(m_publish);
            if (RM_PublishMessageShard)
                RM_PublishMessageShard(m_ctx, m_args[kChannel], payload);
            else
                RM_Call(m_ctx, "SPUBLISH", "ss", m_args[kChannel], payload);
        }
        int flags = kZaddNx;
        RedisModuleKey *pending = RM_OpenKey(m_ctx, m_keys[kPendingKey], kWrite);
        RM_ZsetAdd(
            pending, std::strtod(m_firstTs.c_str(), nullptr), m_args[kPendingMember], &flags);
        const long long added = (flags & kZaddAdded) ? 1 : 0;
        if (added) {
            RM_Replicate(m_ctx, "ZADD", "sccs", m_keys[kPendingKey], "NX", m_firstTs.c_str(),
                m_args[kPendingMember]);
            if (kDirtyKey < m_numKeys)
                RM_Call(m_ctx, "SADD", "!ss", m_keys[kDirtyKey], m_args[kSlot]);
        }
        m_out[size_t(m_firstAccepted)].added = added;
    }

    int reply()
    {
        RM_ReplyWithArray(m_ctx, long(m_out.size()));
        for (const Outcome &o : m_out) {
            const bool three = o.kind == Outcome::Accepted || o.kind == Outcome::Duplicate;
            RM_ReplyWithArray(m_ctx, three ? 3 : 2);
            RM_ReplyWithLongLong(m_ctx, o.kind);
            RM_ReplyWithLongLong(m_ctx, o.value);
            if (o.kind == Outcome::Accepted)
                RM_ReplyWithLongLong(m_ctx, o.added);
            else if (o.kind == Outcome::Duplicate)
                RM_ReplyWithStringBuffer(m_ctx, o.envelope.data(), o.envelope.size());
        }
        return kOk;
    }

    RedisModuleCtx *m_ctx;
    RedisModuleString **m_keys;
    int m_numKeys;
    RedisModuleString **m_args;
    std::vector<Outcome> m_out;
    long long m_seq = 0, m_now = 0, m_bucketMs = 1, m_current = 0;
    std::string m_names[3];
    std::string m_dedupName;
    RedisModuleKey *m_meta = nullptr;
    RedisModuleString *m_metaValues[3] = { nullptr, nullptr, nullptr };
    DedupBucket m_buckets[3];
    bool m_rewrite = false;
    RedisModuleKey *m_log = nullptr;
    std::vector<TokenBucket> m_tokenBuckets;
    std::vector<std::string> m_created;
    std::string m_publish;
    std::string m_seqText;
    std::string m_firstTs;
    long long m_firstAccepted = -1;
};

} // namespace

int accept(RedisModuleCtx *ctx, RedisModuleString **argv, int argc)
{
    NumkeysCall call;
    if (const int done
        = splitNumkeys(ctx, kAcceptCommand, argv, argc, kRecoveredKey + 1, kHeadArgs, &call);
        done >= 0)
        return done;
    const long long n = toInt(view(call.args[kCount]), 0);
    if (n < 1 || n > kMaxMessages || call.numArgs != kHeadArgs + kPerMessage * n)
        return RM_ReplyWithError(
            ctx, "ERR confab.accept: the message count does not fit the arguments");
    return AcceptCall(ctx, call.keys, call.numKeys, call.args, n).run();
}

} // namespace confab::redismodule

#include "segments/pendingslots.h"

#include <QPointer>

#include "redis/client.h"
#include "redis/keyslot.h"
#include "redismodule/commands.h"
#include "schema/keys.h"
#include "schema/pending.h"

#include <QSet>
#include <qcoro/qcorofuture.h>

#include <algorithm>

namespace confab::segments::pending
{

namespace keys = confab::schema::keys;

namespace
{

constexpr char kRecover[] = R"LUA(
local f = tonumber(ARGV[1])
local c = tonumber(redis.call('GET', KEYS[1]) or '0')
local raised = 0
if c < f then
  redis.call('SET', KEYS[1], ARGV[1])
  c = f
  raised = 1
end
local pending = 0
if c > f then
  local e = redis.call('XRANGE', KEYS[2], (f + 1) .. '-0', '+', 'COUNT', 1)
  if #e > 0 then
    local ts = tonumber(string.match(e[1][2][2], '"ts":(%d+)')) or 0
    redis.call('ZADD', KEYS[3], 'NX', ts, ARGV[2])
    pending = 1
  end
end
return {raised, pending}
)LUA";

constexpr char kClearPending[] = R"LUA(
local f = tonumber(ARGV[2])
local c = tonumber(redis.call('GET', KEYS[2]) or '0')
if c <= f then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 0
end
local e = redis.call('XRANGE', KEYS[3], (f + 1) .. '-0', '+', 'COUNT', 1)
if #e == 0 then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 0
end
redis.call('ZADD', KEYS[1], tonumber(string.match(e[1][2][2], '"ts":(%d+)')) or 0, ARGV[1])
return 1
)LUA";

// Commands per pipelined chunk of a sweep over all slots: bounds what one await holds.
constexpr int kChunk = 2048;
// Members of the old pending set moved per round, and at most this many rounds per recovery
// (the rest moves at the next one).
constexpr int kLegacyBatch = 1000;
constexpr int kLegacyRounds = 1000;

QList<QByteArray> slotCommand(const char *verb, const QList<int> &slots)
{
    QList<QByteArray> args { QByteArray(verb), schema::dirtySlotsKey() };
    args.reserve(slots.size() + 2);
    for (const int s : slots)
        args.append(QByteArray::number(s));
    return args;
}

} // namespace

redis::Script recoverScript()
{
    return redis::Script(QByteArray(kRecover));
}

tail::ScriptCall recoverCall(const QString &appId, const QString &convoId, qint64 flushedSeq)
{
    const QByteArray convo = convoId.toUtf8();
    return tail::ScriptCall { keys::cmd(keys::seq(appId, convo), keys::log(appId, convo),
                                  schema::pendingKeyOf(appId, convo)),
        keys::cmd(QByteArray::number(flushedSeq), schema::pendingMember(appId, convo)) };
}

redis::Script clearScript()
{
    return redis::Script(QByteArray(kClearPending), QByteArray(redismodule::kClearPendingCommand));
}

tail::ScriptCall clearCall(const QString &appId, const QString &convoId, qint64 watermark)
{
    const QByteArray convo = convoId.toUtf8();
    return tail::ScriptCall {
        keys::cmd(schema::pendingKeyOf(appId, convo), keys::seq(appId, convo), keys::log(appId, convo)),
        keys::cmd(schema::pendingMember(appId, convo), QByteArray::number(watermark)) };
}

// The Client may be destroyed while one of these awaits (a node or a test shutting down): each
// checks it is still there before its next command.
Error clientGone()
{
    return Error::unavailable(QStringLiteral("the Redis client is gone"));
}

QCoro::Task<Expected<QList<PendingConvo>>> readDirty(redis::Client *redis)
{
    const QPointer<redis::Client> alive(redis);
    auto listing = redis->exec(keys::cmd("SMEMBERS", schema::dirtySlotsKey()));
    const redis::Reply listed = co_await listing;
    if (!alive)
        co_return clientGone();
    if (!listed)
        co_return Error::unavailable(
            QStringLiteral("reading the dirty slots: %1").arg(listed.error().message));
    QList<int> slots;
    slots.reserve(listed->elements.size());
    for (const redis::Value &v : listed->elements) {
        bool ok = false;
        const int s = v.str.toInt(&ok);
        if (ok && s >= 0 && s < redis::kSlotCount)
            slots.append(s);
    }
    std::sort(slots.begin(), slots.end());
    QList<QList<QByteArray>> reads;
    reads.reserve(slots.size());
    for (const int s : slots)
        reads.append(keys::cmd("ZRANGE", schema::pendingKey(s), "0", "-1", "WITHSCORES"));
    auto reading = tail::batch(redis, reads);
    const QList<redis::Reply> replies = co_await reading;
    if (!alive)
        co_return clientGone();
    QList<PendingConvo> out;
    QList<int> empty;
    for (qsizetype i = 0; i < replies.size(); ++i) {
        const redis::Reply &r = replies[i];
        if (!r)
            co_return Error::unavailable(
                QStringLiteral("reading pending conversations: %1").arg(r.error().message));
        if (r->elements.isEmpty())
            empty.append(slots[i]);
        for (qsizetype j = 0; j + 1 < r->elements.size(); j += 2) {
            PendingConvo p;
            if (!schema::parsePendingMember(r->elements[j].str, &p.appId, &p.convoId))
                continue;
            p.sinceMs = r->elements[j + 1].str.toLongLong();
            out.append(p);
        }
    }
    std::stable_sort(out.begin(), out.end(),
        [](const PendingConvo &a, const PendingConvo &b) { return a.sinceMs < b.sinceMs; });
    if (!empty.isEmpty()) {
        auto releasing = releaseEmpty(redis, empty);
        const Status released = co_await releasing;
        Q_UNUSED(released); // a slot left dirty is only read again at the next cycle
    }
    co_return out;
}

QCoro::Task<Status> releaseEmpty(redis::Client *redis, QList<int> slots)
{
    const QPointer<redis::Client> alive(redis);
    if (slots.isEmpty())
        co_return Ok {};
    auto removing = redis->exec(slotCommand("SREM", slots));
    const redis::Reply removed = co_await removing;
    if (!alive)
        co_return clientGone();
    if (!removed)
        co_return Error::unavailable(removed.error().message);
    // Only after the SREM answered (on a cluster the pending sets live on other nodes).
    QList<QList<QByteArray>> checks;
    checks.reserve(slots.size());
    for (const int s : slots)
        checks.append(keys::cmd("EXISTS", schema::pendingKey(s)));
    auto checking = tail::batch(redis, checks);
    const QList<redis::Reply> checked = co_await checking;
    if (!alive)
        co_return clientGone();
    QList<int> back;
    for (qsizetype i = 0; i < checked.size(); ++i) {
        // Unknown (an error): put it back, a later cycle looks again.
        if (!checked[i] || checked[i]->toInteger() != 0)
            back.append(slots[i]);
    }
    auto marking = markDirty(redis, back);
    co_return co_await marking;
}

QCoro::Task<Status> markDirty(redis::Client *redis, QList<int> slots)
{
    if (slots.isEmpty())
        co_return Ok {};
    std::sort(slots.begin(), slots.end());
    slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
    auto marking = redis->exec(slotCommand("SADD", slots));
    const redis::Reply marked = co_await marking;
    if (!marked)
        co_return Error::unavailable(
            QStringLiteral("marking slots dirty: %1").arg(marked.error().message));
    co_return Ok {};
}

QCoro::Task<Expected<int>> sweep(redis::Client *redis)
{
    const QPointer<redis::Client> alive(redis);
    QList<int> found;
    for (int from = 0; from < redis::kSlotCount; from += kChunk) {
        QList<QList<QByteArray>> checks;
        checks.reserve(kChunk);
        for (int s = from; s < qMin(redis::kSlotCount, from + kChunk); ++s)
            checks.append(keys::cmd("EXISTS", schema::pendingKey(s)));
        auto checking = tail::batch(redis, checks);
        const QList<redis::Reply> checked = co_await checking;
        if (!alive)
            co_return clientGone();
        for (qsizetype i = 0; i < checked.size(); ++i) {
            if (!checked[i])
                co_return Error::unavailable(
                    QStringLiteral("sweeping the pending sets: %1").arg(checked[i].error().message));
            if (checked[i]->toInteger() != 0)
                found.append(from + int(i));
        }
    }
    auto marking = markDirty(redis, found);
    if (const Status marked = co_await marking; !marked)
        co_return marked.error();
    co_return int(found.size());
}

QCoro::Task<Status> markRecovered(redis::Client *redis, qint64 nowMs, bool oneCommand)
{
    const QPointer<redis::Client> alive(redis);
    const QByteArray value = QByteArray::number(nowMs);
    if (oneCommand) {
        QList<QByteArray> mset;
        mset.reserve(1 + 2 * redis::kSlotCount);
        mset.append(QByteArrayLiteral("MSET"));
        for (int s = 0; s < redis::kSlotCount; ++s) {
            mset.append(schema::recoveredKey(s));
            mset.append(value);
        }
        auto setting = redis->exec(std::move(mset));
        const redis::Reply set = co_await setting;
        if (!set)
            co_return Error::unavailable(
                QStringLiteral("marking the slots recovered: %1").arg(set.error().message));
        co_return Ok {};
    }
    for (int from = 0; from < redis::kSlotCount; from += kChunk) {
        QList<QList<QByteArray>> sets;
        sets.reserve(kChunk);
        for (int s = from; s < qMin(redis::kSlotCount, from + kChunk); ++s)
            sets.append(keys::cmd("SET", schema::recoveredKey(s), value));
        auto setting = tail::batch(redis, sets);
        const QList<redis::Reply> set = co_await setting;
        if (!alive)
            co_return clientGone();
        for (const redis::Reply &r : set) {
            if (!r)
                co_return Error::unavailable(
                    QStringLiteral("marking the slots recovered: %1").arg(r.error().message));
        }
    }
    co_return Ok {};
}

QCoro::Task<Expected<qint64>> migrateLegacy(redis::Client *redis)
{
    const QPointer<redis::Client> alive(redis);
    qint64 moved = 0;
    for (int round = 0; round < kLegacyRounds; ++round) {
        auto listing = redis->exec(keys::cmd("ZRANGE", schema::legacyPendingKey(), "0",
            QByteArray::number(kLegacyBatch - 1), "WITHSCORES"));
        const redis::Reply listed = co_await listing;
        if (!alive)
            co_return clientGone();
        if (!listed)
            co_return Error::unavailable(
                QStringLiteral("reading the old flush:pending: %1").arg(listed.error().message));
        if (listed->elements.isEmpty())
            break;
        QList<QList<QByteArray>> adds;
        QList<int> slots;
        QList<QByteArray> removal { QByteArrayLiteral("ZREM"), schema::legacyPendingKey() };
        for (qsizetype i = 0; i + 1 < listed->elements.size(); i += 2) {
            const QByteArray &member = listed->elements[i].str;
            removal.append(member);
            QString appId, convoId;
            if (!schema::parsePendingMember(member, &appId, &convoId))
                continue; // nothing to flush under it: dropped
            const int slot = schema::convoSlot(appId, convoId.toUtf8());
            adds.append(keys::cmd("ZADD", schema::pendingKey(slot), "NX",
                listed->elements[i + 1].str, member));
            slots.append(slot);
        }
        auto adding = tail::batch(redis, adds);
        const QList<redis::Reply> added = co_await adding;
        if (!alive)
            co_return clientGone();
        for (const redis::Reply &r : added) {
            if (!r)
                co_return Error::unavailable(
                    QStringLiteral("moving the old flush:pending: %1").arg(r.error().message));
        }
        auto marking = markDirty(redis, slots);
        if (const Status marked = co_await marking; !marked)
            co_return marked.error();
        if (!alive)
            co_return clientGone();
        // Only what was copied goes: a member an old node adds meanwhile moves next time.
        auto removing = redis->exec(removal);
        const redis::Reply removed = co_await removing;
        if (!alive)
            co_return clientGone();
        if (!removed)
            co_return Error::unavailable(
                QStringLiteral("moving the old flush:pending: %1").arg(removed.error().message));
        moved += adds.size();
    }
    co_return moved;
}

} // namespace confab::segments::pending

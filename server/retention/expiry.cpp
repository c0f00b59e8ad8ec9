#include "retention/expiry.h"

#include "schema/keys.h"

namespace confab::retention
{

namespace keys = confab::schema::keys;

namespace
{

// Entry ids are "<seq>-0" and field m is the envelope, whose first ,"ts": member is the accept
// time (segments::tail::envelopeTs reads it the same way). An entry without a readable ts is
// never trimmed: only what is provably expired goes. The walk stops at the first entry that is
// not expired, so a ts out of order (clock skew between nodes) keeps what follows it; reads
// filter those by ts anyway.
constexpr char kTailExpiry[] = R"LUA(
local cutoff = tonumber(ARGV[1])
local budget = tonumber(ARGV[2])
local from = '-'
local last = 0
local more = 0
while true do
  local want = math.min(budget, 100)
  local e = redis.call('XRANGE', KEYS[1], from, '+', 'COUNT', want)
  local stop = #e < want
  for i = 1, #e do
    local f = e[i][2]
    local ts = nil
    if f[1] == 'm' then ts = tonumber(string.match(f[2], ',"ts":(%d+)')) end
    if not ts or ts >= cutoff then
      stop = true
      break
    end
    last = tonumber(string.match(e[i][1], '^(%d+)'))
  end
  budget = budget - #e
  if stop then break end
  if budget <= 0 then
    more = 1
    break
  end
  from = (last + 1) .. '-0'
end
local trimmed = 0
if last > 0 then trimmed = redis.call('XTRIM', KEYS[1], 'MINID', (last + 1) .. '-0') end
local receipts = 0
if more == 0 and redis.call('XLEN', KEYS[1]) == 0 then
  local counter = tonumber(redis.call('GET', KEYS[2]) or '0')
  local known = last
  if tonumber(ARGV[4]) < cutoff then known = math.max(known, tonumber(ARGV[3])) end
  if counter <= known then receipts = redis.call('DEL', KEYS[3]) end
end
return {trimmed, more, receipts}
)LUA";

} // namespace

qint64 cutoffMs(qint64 nowMs, qint64 maxAgeMs)
{
    return nowMs - qMax<qint64>(0, maxAgeMs);
}

redis::Script tailExpiryScript()
{
    return redis::Script(QByteArray(kTailExpiry));
}

QList<QByteArray> tailExpiryKeys(const TailTarget &t)
{
    const QByteArray convo = t.convoId.toUtf8();
    return { keys::log(t.appId, convo), keys::seq(t.appId, convo),
        keys::delivered(t.appId, convo) };
}

QList<QByteArray> tailExpiryArgs(const TailTarget &t, qint64 cutoff, int budget)
{
    return { QByteArray::number(cutoff), QByteArray::number(qMax(1, budget)),
        QByteArray::number(t.newestBlockSeq), QByteArray::number(t.newestBlockTs) };
}

TailExpiry parseTailExpiry(const redis::Value &reply)
{
    if (reply.type != redis::Value::Type::Array || reply.elements.size() != 3)
        return {};
    return TailExpiry { reply.elements[0].toInteger(), reply.elements[1].toInteger() != 0,
        reply.elements[2].toInteger() };
}

} // namespace confab::retention

#pragma once

#include "redis/keyslot.h"
#include "schema/keys.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

// Which conversations have messages not yet in segments, and whether Redis still holds every
// counter. Both live per hash slot so that each script touches one slot (Redis Cluster): the
// accept script adds the conversation to the pending set of its own slot, scored with the ts of
// its oldest unflushed message (ZADD NX), and checks the recovered marker of its own slot. The
// flush worker finds the slots to read in one small deployment-wide set of dirty slots. See
// docs/storage.md ("Which conversations need flushing") and docs/redis.md.
namespace confab::schema
{

// The slot of every key of a conversation (they share the hash tag {app:convo}).
[[nodiscard]] inline int convoSlot(const QString &appId, QByteArrayView convoId)
{
    return redis::keySlot(keys::seq(appId, convoId));
}

// "flush:pending:{<tag>}": the pending conversations of one slot, member pendingMember() ->
// ts of its oldest unflushed message. On the slot's own node, beside the conversations.
[[nodiscard]] inline QByteArray pendingKey(int slot)
{
    return "flush:pending:{" + redis::slotTag(slot) + '}';
}
[[nodiscard]] inline QByteArray pendingKeyOf(const QString &appId, QByteArrayView convoId)
{
    return pendingKey(convoSlot(appId, convoId));
}

// "flush:dirty": set of slot numbers (decimal) whose pending set may be non-empty. A slot is
// added when one of its conversations becomes pending (by the accept script on one Redis, by the
// node right after the script on a cluster) and removed by the flush worker only once it saw
// the slot's pending set empty (remove, then check again). The flush worker's sweep re-adds a
// slot whose mark was lost (a node that died between its script and its SADD).
[[nodiscard]] inline QByteArray dirtySlotsKey()
{
    return QByteArrayLiteral("flush:dirty");
}

// "<app>\n<convo>": ids never contain a newline (confab::isValidId).
[[nodiscard]] inline QByteArray pendingMember(const QString &appId, QByteArrayView convoId)
{
    QByteArray out;
    out.reserve(appId.size() + convoId.size() + 1);
    keys::detail::appendUtf8(out, appId);
    out.append('\n').append(convoId);
    return out;
}

// "confab:recovered:{<tag>}": set for every slot by FlushWorker::recover() once every counter
// is at least its flushed watermark. The accept script refuses while its slot's marker is
// missing, so after Redis (or one shard of a cluster) lost its data, no send on those slots
// takes a seq_no before recovery ran; the other shards' slots keep accepting.
[[nodiscard]] inline QByteArray recoveredKey(int slot)
{
    return "confab:recovered:{" + redis::slotTag(slot) + '}';
}
[[nodiscard]] inline QByteArray recoveredKeyOf(const QString &appId, QByteArrayView convoId)
{
    return recoveredKey(convoSlot(appId, convoId));
}

// The keys of the previous layout (one Redis only): a deployment-wide pending set and marker.
// Recovery moves the old set's members into the per-slot sets (docs/storage.md, "Upgrading").
[[nodiscard]] inline QByteArray legacyPendingKey()
{
    return QByteArrayLiteral("flush:pending");
}
[[nodiscard]] inline QByteArray legacyRecoveredKey()
{
    return QByteArrayLiteral("confab:recovered");
}

// Splits a member back; false if it is malformed.
[[nodiscard]] inline bool parsePendingMember(
    const QByteArray &member, QString *appId, QString *convoId)
{
    const qsizetype nl = member.indexOf('\n');
    if (nl <= 0 || nl + 1 >= member.size())
        return false;
    *appId = QString::fromUtf8(member.left(nl));
    *convoId = QString::fromUtf8(member.mid(nl + 1));
    return true;
}

// The lines the accept script needs, for reference and for tests that stand in for it:
//   KEYS[4] = pendingKeyOf(app, convo), KEYS[7] = dirtySlotsKey() (one Redis only),
//   firstTs = the ts of the batch's first accepted message, ARGV[4] = pendingMember(app, convo),
//   ARGV[7] = the slot.
// `added` (declared 0 before) is answered to the node, which marks the slot dirty on a cluster.
inline constexpr char kAcceptPendingLine[] = "added = redis.call('ZADD', KEYS[4], 'NX', firstTs, ARGV[4])\n"
                                             "if added == 1 and KEYS[7] then redis.call('SADD', KEYS[7], ARGV[7]) end";

} // namespace confab::schema

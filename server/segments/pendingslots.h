#pragma once

// Flush scheduling per hash slot (docs/storage.md, "Which conversations need flushing"): the
// per-slot pending sets, the deployment-wide set of dirty slots that says which of them to
// read, the sweep that repairs a lost dirty mark, the per-slot recovered markers, and the move
// of the previous layout's single pending set. Internal to confab_segments; public for tests.

#include "segments/tail.h"

#include "confab/expected.h"
#include "redis/script.h"

#include <QList>
#include <QString>
#include <qcoro/qcorotask.h>

namespace confab::redis
{
class Client;
} // namespace confab::redis

namespace confab::segments::pending
{

struct PendingConvo {
    QString appId;
    QString convoId;
    qint64 sinceMs = 0; // ts of its oldest unflushed message
};

// KEYS: seq, log, the slot's pending set. ARGV: flushed watermark, pending member. Raises a
// counter Redis lost back to the watermark and marks the conversation pending (ZADD NX, scored
// with its oldest unflushed message) when the tail holds messages past the watermark. Answers
// {raised, pending}: the caller marks the slots with pending = 1 dirty.
[[nodiscard]] redis::Script recoverScript();
[[nodiscard]] tail::ScriptCall recoverCall(const QString &appId, const QString &convoId, qint64 flushedSeq);

// KEYS: the slot's pending set, seq, log. ARGV: pending member, flushed watermark. Removes the
// mark, or re-scores it with the ts of the first message past the watermark when more arrived;
// atomic with the accept script, so a message accepted during the flush keeps it pending.
[[nodiscard]] redis::Script clearScript();
[[nodiscard]] tail::ScriptCall clearCall(const QString &appId, const QString &convoId, qint64 watermark);

// Every conversation in the pending sets of the dirty slots, oldest first. A dirty slot whose
// set is empty leaves the dirty set: removed first, then its set is looked at again and the
// slot put back if an accept added to it meanwhile (the accept marks its slot only after its
// ZADD, so either that second look sees the member or the mark comes after the removal).
[[nodiscard]] QCoro::Task<Expected<QList<PendingConvo>>> readDirty(redis::Client *redis);

// What readDirty() does with the slots it found empty: SREM them from the dirty set, then
// (once that answered) EXISTS each pending set again and SADD back the slots whose set an
// accept filled meanwhile.
[[nodiscard]] QCoro::Task<Status> releaseEmpty(redis::Client *redis, QList<int> slots);

// Adds slots to the dirty set (one SADD).
[[nodiscard]] QCoro::Task<Status> markDirty(redis::Client *redis, QList<int> slots);

// Looks at the pending set of every slot (EXISTS, pipelined in chunks) and marks the non-empty
// ones dirty: repairs the mark of a node that died between an accept script and its SADD, or a
// dirty set lost with its shard. Answers the number of non-empty pending sets.
[[nodiscard]] QCoro::Task<Expected<int>> sweep(redis::Client *redis);

// Sets the recovered marker of every slot to nowMs: with oneCommand (one Redis) in one MSET, so
// every slot accepts again at the same instant as the single marker did; otherwise (a cluster,
// where MSET may not cross slots) with SETs pipelined in chunks, so for a few milliseconds some
// slots accept while others still refuse.
[[nodiscard]] QCoro::Task<Status> markRecovered(redis::Client *redis, qint64 nowMs, bool oneCommand);

// Upgrade from the previous layout: moves the members of the deployment-wide flush:pending
// (schema::legacyPendingKey()) into the per-slot sets, marks their slots dirty and removes them
// from the old set. Answers how many members it moved.
[[nodiscard]] QCoro::Task<Expected<qint64>> migrateLegacy(redis::Client *redis);

} // namespace confab::segments::pending

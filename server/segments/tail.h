#pragma once

// Reading the Redis tail (docs/redis.md); internal to confab_segments.

#include "confab/expected.h"
#include "redis/value.h"
#include "segment/segment.h"

#include <QFuture>
#include <QList>

namespace confab::redis
{
class Client;
class Script;
} // namespace confab::redis

namespace confab::segments::tail
{

// The ts of an envelope: the first "ts" member, which our envelope writer puts before
// `content`, so client data can never be mistaken for it. 0 if absent.
[[nodiscard]] qint64 envelopeTs(QByteArrayView envelope);

// XRANGE / XREVRANGE replies as records (seq from the entry id "<seq>-0", payload = field m),
// in reply order. Malformed entries are skipped.
[[nodiscard]] QList<segment::Record> toRecords(const redis::Value &reply);

// Sends the commands pipelined and collects the replies in order. window 0: all in one write.
// window N: at most N in flight at once, for the flush's reads and clears: the connection is
// the one the sends use, so a send waits behind at most N of them, not behind a whole flush.
// Once a reply is Unavailable (the connection is gone) the unsent rest get that reply.
constexpr qsizetype kFlushWindow = 64;
[[nodiscard]] QFuture<QList<redis::Reply>> batch(
    redis::Client *client, QList<QList<QByteArray>> commands, qsizetype window = 0);

struct ScriptCall {
    QList<QByteArray> keys;
    QList<QByteArray> args;
};
[[nodiscard]] QFuture<QList<redis::Reply>> batchEval(redis::Client *client,
    const redis::Script &script, QList<ScriptCall> calls, qsizetype window = 0);

} // namespace confab::segments::tail

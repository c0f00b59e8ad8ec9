#pragma once

// Which of an app's pending conversations a flush tick writes now (docs/storage.md, "Which
// conversations a tick flushes"), when to look again, and how a flush reads the tails
// ("Reading the tails"); internal to confab_segments. Pure logic, no I/O:
// tests/segments/tst_flushplan.cpp.

#include <QList>
#include <QString>
#include <QStringList>

#include <limits>

namespace confab::segments
{

// One pending conversation of an app, as a tick sees it.
struct PendingStream {
    QString convoId;
    qint64 waiting = 0; // messages not yet in segments
    qint64 sinceMs = 0; // accept time of the oldest of them
    bool retrying = false; // its flush failed before and its backoff has passed
};

// [segments] max_bytes, max_age and accumulate (FlushOptions).
struct FlushPolicy {
    qint64 maxBytes = 1048576;
    qint64 maxAgeMs = 30000;
    int accumulate = 4;
};

// What a tick flushes of one app.
struct FlushPick {
    QStringList convos; // in no particular order; none when the app is not due
    qint64 waiting = 0; // their messages waiting, together
};

// The conversations to flush now.
//
// An app is due when one of its conversations is max_age old, one is retrying, or what waits
// (plus `growth`, the messages expected before the next tick) would reach accumulate x max_bytes
// at `recordBytes` a message. A due app's flush takes every conversation whose oldest message is
// half of max_age old or retrying, then the others oldest first until max_bytes is reached (the
// conversation that crosses it included). So under a steady load each segment stays near
// max_bytes while each conversation waits for about accumulate segments' worth of traffic, and
// its flush work (a tail read, a trim, a pending clear, an index row) is paid once
// for that many messages; no message waits longer than max_age. With accumulate 1 a due app
// flushes every pending conversation, as before the setting existed.
[[nodiscard]] FlushPick planFlush(const QList<PendingStream> &streams, const FlushPolicy &policy,
    qint64 nowMs, qint64 recordBytes, qint64 growth);

// What a tick leaves of one app, once its flush (if it was due) is done: for planning when to
// look again.
struct AppOutlook {
    qint64 waiting = 0; // messages still waiting in its flushable conversations
    qint64 growth = 0; // messages expected per tick, as planFlush's growth
    qint64 recordBytes = 512;
    qint64 oldestSinceMs = std::numeric_limits<qint64>::max(); // of those conversations
};

// When the pending sets need reading again after a tick: at the tick where an app's waiting plus
// growth would reach accumulate x max_bytes at its present rate, when its oldest conversation
// reaches max_age, when a conversation's backoff ends (`retryAtMs`), and no later than
// `maxGapMs` after `nowMs`. Only max_age is a promise, and it is kept: a conversation that
// becomes pending meanwhile is younger than every one seen, so it cannot reach max_age first,
// and maxGapMs is below max_age. A rate that rises is seen within maxGapMs, or at the next age
// deadline; meanwhile the tail holds more (each segment is still cut at max_bytes). maxGapMs 0
// reads them every tick, as before.
[[nodiscard]] qint64 nextScanMs(const QList<AppOutlook> &apps, qint64 retryAtMs,
    const FlushPolicy &policy, qint64 nowMs, qint64 tickMs, qint64 maxGapMs);

// How one round of a flush reads the tails of `conversations` conversations (FlushOptions'
// readBytes, readCallBytes and readAheadBytes).
struct TailReads {
    qint64 share = 1; // the most bytes one conversation's read asks for (at least one record)
    qsizetype window = 1; // reads in flight at once
};

// Each read asks for its share of the round's bytes, but no more than callBytes, and only as
// many go out at once as fit in aheadBytes (at least one, at most maxWindow). The reads use the
// connection the sends use, and Redis runs a connection's pipelined commands back to back, so a
// send waits behind at most aheadBytes of tail reading however large the backlog is.
[[nodiscard]] TailReads planTailReads(qsizetype conversations, qint64 roundBytes, qint64 callBytes,
    qint64 aheadBytes, qsizetype maxWindow);

} // namespace confab::segments

#pragma once

// What "expired" means, in one place (docs/retention.md), and the script that trims one
// conversation's Redis tail. Internal to confab_retention; public for its tests.

#include "redis/script.h"
#include "redis/value.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace confab::retention
{

// Records with ts < cutoff are expired; one with ts == cutoff is not (HistoryStore drops
// r.ts < now - retentionMs, the same boundary).
[[nodiscard]] qint64 cutoffMs(qint64 nowMs, qint64 maxAgeMs);

// KEYS: log, seq, delivered. ARGV: cutoff, entries to look at in this call, newest block's
// last_seq and last_ts (0 0 when none). Walks the tail from its oldest entry, stops at the first
// entry that is not provably expired, trims everything before it; then, if the tail is empty and
// every message the counter ever handed out is known to be expired, deletes the delivery hash.
[[nodiscard]] redis::Script tailExpiryScript();

struct TailTarget {
    QString appId;
    QString convoId;
    qint64 newestBlockSeq = 0; // last_seq of the conversation's newest indexed block, 0: none
    qint64 newestBlockTs = 0;
};

[[nodiscard]] QList<QByteArray> tailExpiryKeys(const TailTarget &t);
[[nodiscard]] QList<QByteArray> tailExpiryArgs(const TailTarget &t, qint64 cutoff, int budget);

struct TailExpiry {
    qint64 trimmed = 0; // entries removed by this call
    bool more = false; // the budget ran out with every entry seen expired: call again
    qint64 receiptsDeleted = 0; // 1 when the delivery hash was deleted
};

// The script's reply {trimmed, more, receipts}; malformed replies count as nothing done.
[[nodiscard]] TailExpiry parseTailExpiry(const redis::Value &reply);

} // namespace confab::retention

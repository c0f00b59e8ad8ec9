#pragma once

#include "redis/script.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace confab::messaging {

// What one accept call needs (the script's KEYS and ARGV are built from it in one place).
struct AcceptInput {
    QString appId;
    QByteArray convoId;
    QByteArray senderId;
    QByteArray clientMsgId;
    QByteArray envelopeHead; // the envelope up to "seq_no":
    QByteArray envelopeTail; // the rest, after the number
    qint64 ts = 0;
    qint64 dedupWindowMs = 3600000; // [limits] dedup_window
    qint64 userMsgsPerMin = 0;      // 0: no limit
    qint64 appMsgsPerS = 0;
    bool force = false; // skip the dedup lookup (a proven fingerprint collision)
    // Do not PUBLISH from the script: the caller releases it (releaseCall()) once replicas have
    // the message ([redis] min_replicas, docs/redis.md "Sentinel").
    bool deferPublish = false;
};

struct ScriptCall {
    QList<QByteArray> keys;
    QList<QByteArray> args;
};

[[nodiscard]] ScriptCall acceptCall(const AcceptInput &in);
// Publishes live what replicas have up to seq: every tail entry after the last released one.
[[nodiscard]] ScriptCall releaseCall(const QString &appId, const QByteArray &convoId, qint64 seq, qint64 ts);

// The dedup index's key for a client_msg_id: the first 8 bytes of its SHA-256. A match is
// confirmed against the stored envelope before a send is answered as a duplicate.
[[nodiscard]] QByteArray dedupFingerprint(QByteArrayView clientMsgId);

// The Lua scripts that make each state change atomic in Redis (docs/redis.md).
struct Scripts {
    // accepting one message: recovered check, dedupe, the user's and the app's token buckets,
    // INCR + XADD + dedup index entry + PUBLISH + pending mark (use acceptCall()).
    redis::Script accept;
    // raise a delivery/read watermark (never lower, never past last_seq) and broadcast it.
    redis::Script watermark;
    // count a new connection of a user in a fixed 10 s window.
    redis::Script connectionRate;
    // take a token from each of several buckets, or answer the wait (conversation creation).
    redis::Script tokenBuckets;
    // add a session to a user's presence set; publish "online" when it is the first.
    redis::Script presenceUp;
    // remove a session; publish "offline" and record last_seen when it was the last.
    redis::Script presenceDown;
    // [redis] min_replicas: publish, in seq order, every message up to one WAIT confirmed
    // (use releaseCall()).
    redis::Script release;

    Scripts();
};

} // namespace confab::messaging

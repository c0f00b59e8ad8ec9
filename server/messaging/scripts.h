#pragma once

#include "redis/args.h"
#include "redis/script.h"
#include "redis/value.h"

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
    // Redis Cluster: every key on the conversation's slot, so the rate-limit buckets ({app})
    // and the dirty-slot set are left out (the caller takes the tokens with tokenBuckets before,
    // and marks the slot dirty after; userMsgsPerMin and appMsgsPerS are ignored).
    bool cluster = false;
    // Do not PUBLISH from the script: the caller releases it (releaseCall()) once replicas have
    // the message ([redis] min_replicas, docs/redis.md "Sentinel").
    bool deferPublish = false;
};

// One script call: its KEYS and ARGV (written once, in RESP's form), and the channel it
// publishes on (empty: none), so a test can check that all of them hash to one slot (Redis
// Cluster, docs/redis.md).
struct ScriptCall {
    QList<QByteArray> keys;
    redis::Args args;
    QByteArray channel;
};

// The sends of one conversation (same app, limits and mode: the first one's are used), accepted
// in order by one script call; a batch of one is a single send. At most kMaxAcceptBatch.
[[nodiscard]] ScriptCall acceptCall(const QList<AcceptInput> &batch);
[[nodiscard]] inline ScriptCall acceptCall(const AcceptInput &in) { return acceptCall(QList<AcceptInput>{in}); }
// Bounds the work of one script call (Redis runs nothing else meanwhile): about 10 us a message.
inline constexpr qsizetype kMaxAcceptBatch = 64;
// One message's element of the accept script's answer, {0, seq, added}: added = 1 when the
// conversation became pending, so on a cluster the node adds its slot to schema::dirtySlotsKey().
[[nodiscard]] inline bool acceptMadePending(const QList<redis::Value> &reply)
{
    return reply.size() > 2 && reply[2].toInteger() == 1;
}
// The user's and the app's send buckets ({app}), taken by the tokenBuckets script: on a cluster,
// before the accept script (whose slot is the conversation's).
[[nodiscard]] ScriptCall sendBucketsCall(const QString &appId, QByteArrayView userId, qint64 userMsgsPerMin,
                                         qint64 appMsgsPerS);
// The conversation creation buckets ({app}), tokenBuckets script.
[[nodiscard]] ScriptCall convoBucketsCall(const QString &appId, QByteArrayView userId, qint64 userConvosPerMin,
                                          qint64 appConvosPerS);
// A delivery (read = false) or read watermark; frameHead ends with "seq_no":.
[[nodiscard]] ScriptCall watermarkCall(bool read, const QString &appId, QByteArrayView convoId, QByteArrayView userId,
                                       qint64 seq, QByteArray frameHead);
[[nodiscard]] ScriptCall connectionRateCall(const QString &appId, QByteArrayView userId, qint64 windowMs);
// frameHead: the presence.update frame up to "last_seen_ms": (the script appends the ms).
[[nodiscard]] ScriptCall presenceUpCall(const QString &appId, QByteArrayView userId, QByteArray member, qint64 ttlMs,
                                        QByteArray frameHead);
[[nodiscard]] ScriptCall presenceDownCall(const QString &appId, QByteArrayView userId, QByteArray member,
                                          QByteArray frameHead);
// Publishes live what replicas have up to seq: every tail entry after the last released one.
[[nodiscard]] ScriptCall releaseCall(const QString &appId, const QByteArray &convoId, qint64 seq, qint64 ts);

// The dedup index's key for a client_msg_id: the first 8 bytes of its SHA-256. A match is
// confirmed against the stored envelope before a send is answered as a duplicate.
[[nodiscard]] QByteArray dedupFingerprint(QByteArrayView clientMsgId);
inline constexpr qsizetype kFingerprintBytes = 8;
void dedupFingerprint(QByteArrayView clientMsgId, char (&out)[kFingerprintBytes]);

// The Lua scripts that make each state change atomic in Redis (docs/redis.md).
struct Scripts {
    // accepting the messages of one conversation: recovered check, dedupe, the user's and the
    // app's token buckets, seq + XADD + dedup index entry each, one PUBLISH, pending mark (use
    // acceptCall()).
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

#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

// The Redis key layout (docs/redis.md), the one definition every component uses. Every key of one
// conversation carries the hash tag {app:convo}, every key of one user {app:user}, so each script
// touches one slot and the same code runs on Redis Cluster. Ids never contain braces
// (confab::isValidId/isValidUserId). The flush marks (per slot) are in schema/pending.h.
namespace confab::schema::keys
{

// A Redis command's arguments. GCC 12 miscompiles braced lists of string literals inside
// coroutines ("array used as initializer"), so coroutines build their commands through this.
template <typename... A> QList<QByteArray> cmd(const A &...a)
{
    return QList<QByteArray> { QByteArray(a)... };
}

inline QByteArray tag(const QString &app, QByteArrayView id)
{
    return '{' + app.toUtf8() + ':' + id.toByteArray() + '}';
}

// A conversation's counter (last seq_no handed out) and its tail (stream, entry id <seq>-0).
inline QByteArray seq(const QString &app, QByteArrayView convo)
{
    return "c:" + tag(app, convo) + ":seq";
}
inline QByteArray log(const QString &app, QByteArrayView convo)
{
    return "c:" + tag(app, convo) + ":log";
}
// The last seq published live after replicas confirmed it ([redis] min_replicas only).
inline QByteArray published(const QString &app, QByteArrayView convo)
{
    return "c:" + tag(app, convo) + ":pub";
}
// Deployment-wide: API key revocations and rotations, "e <key_id>\n<ms>" (the key's new end;
// 0: revoked now), so every node closes the sessions of that key in time.
inline QByteArray keyEventsChannel() { return QByteArrayLiteral("confab:keys"); }
// Deployment-wide hash: API key id -> ms it last authenticated, written at most once a minute
// per key and node (access::KeyUsageRecorder), read by GET /admin/apps/{app_id}/keys.
inline QByteArray keyLastUsed() { return QByteArrayLiteral("confab:keys:last_used"); }
// Deployment-wide operator actions (docs/protocol.md, "Operator actions"): every node closes the
// sessions of a user ("x <app>\n{user_id,close_code,reason}") or sends a system.notice to the
// sessions of an app ("n <app or *>\n<frame>").
inline QByteArray controlChannel() { return QByteArrayLiteral("confab:control"); }
// A session's member of presence(): "<session_id> <connected_ms> <node_id>", so an operator can
// see where a user is connected; counts and expiry work on any member.
inline QByteArray presenceMember(QByteArrayView sessionId, qint64 connectedMs, const QString &nodeId)
{
    return sessionId.toByteArray() + ' ' + QByteArray::number(connectedMs) + ' ' + nodeId.toUtf8();
}
// The dedup index of a conversation: this hash holds its buckets' state, and the shards are
// "<this>:<bucket>:<shard>" (made by the accept script, same hash tag; docs/redis.md).
inline QByteArray dedup(const QString &app, QByteArrayView convo) { return "c:" + tag(app, convo) + ":idm"; }
inline QByteArray delivered(const QString &app, QByteArrayView convo)
{
    return "c:" + tag(app, convo) + ":dl";
}
inline QByteArray read(const QString &app, QByteArrayView convo)
{
    return "c:" + tag(app, convo) + ":rd";
}
// Pub/sub channel of a conversation: messages, receipts, typing, membership changes.
inline QByteArray convoChannel(const QString &app, QByteArrayView convo)
{
    return "ch:" + tag(app, convo);
}

// Pub/sub channel of a user: membership changes that concern the user's own subscriptions.
inline QByteArray userChannel(const QString &app, QByteArrayView user)
{
    return "u:" + tag(app, user);
}
inline QByteArray presence(const QString &app, QByteArrayView user)
{
    return "p:" + tag(app, user);
}
inline QByteArray lastSeen(const QString &app, QByteArrayView user)
{
    return "ls:" + tag(app, user);
}
inline QByteArray presenceChannel(const QString &app, QByteArrayView user)
{
    return "pc:" + tag(app, user);
}
inline QByteArray connectionRate(const QString &app, QByteArrayView user)
{
    return "cr:" + tag(app, user);
}

// Rate-limit buckets of an app share the tag {app}.
inline QByteArray userBucket(const QString &app, QByteArrayView user)
{
    return "rl:{" + app.toUtf8() + "}:u:" + user.toByteArray();
}
inline QByteArray appBucket(const QString &app)
{
    return "rl:{" + app.toUtf8() + "}:app";
}
// Conversation creation by users: one bucket per user and one for all users of the app.
inline QByteArray userConvoBucket(const QString &app, QByteArrayView user)
{
    return "rl:{" + app.toUtf8() + "}:cu:" + user.toByteArray();
}
inline QByteArray appConvoBucket(const QString &app)
{
    return "rl:{" + app.toUtf8() + "}:capp";
}

// The lease of the node flushing an app's tails into segments.
inline QByteArray flushLock(const QString &app)
{
    return "flush:lock:{" + app.toUtf8() + '}';
}
// The lease of the node running a retention pass (released only by its holder), and the mark
// set by the node that starts a timed pass: the others skip theirs while it lives, so a
// deployment runs about one timed pass per interval, not one per node.
inline QByteArray retentionLock()
{
    return QByteArrayLiteral("retention:lock");
}
inline QByteArray retentionRecent()
{
    return QByteArrayLiteral("retention:recent");
}

} // namespace confab::schema::keys

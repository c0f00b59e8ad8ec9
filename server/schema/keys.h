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

namespace detail
{

// Appends s as UTF-8. Ids are ASCII (confab::isValidId), which takes the loop; anything else
// is encoded as QString::toUtf8() does.
inline void appendUtf8(QByteArray &out, QStringView s)
{
    const qsizetype at = out.size();
    out.resize(at + s.size());
    char *p = out.data() + at;
    for (const QChar c : s) {
        if (c.unicode() >= 0x80) {
            out.truncate(at);
            out.append(s.toUtf8());
            return;
        }
        *p++ = char(c.unicode());
    }
}

// prefix + "{" + app + ":" + id + "}" + suffix, in one allocation: keys are built for every send
// and every delivery, and the chain of + allocated once per piece.
inline QByteArray tagged(QByteArrayView prefix, const QString &app, QByteArrayView id, QByteArrayView suffix)
{
    QByteArray out;
    out.reserve(prefix.size() + app.size() + id.size() + suffix.size() + 3);
    out.append(prefix).append('{');
    appendUtf8(out, app);
    out.append(':').append(id).append('}').append(suffix);
    return out;
}

// prefix + "{" + app + "}" + suffix + id: the keys of an app (rate-limit buckets, its flush lease).
inline QByteArray appTagged(QByteArrayView prefix, const QString &app, QByteArrayView suffix, QByteArrayView id = {})
{
    QByteArray out;
    out.reserve(prefix.size() + app.size() + suffix.size() + id.size() + 2);
    out.append(prefix).append('{');
    appendUtf8(out, app);
    out.append('}').append(suffix).append(id);
    return out;
}

} // namespace detail

// A conversation's counter (last seq_no handed out) and its tail (stream, entry id <seq>-0).
inline QByteArray seq(const QString &app, QByteArrayView convo)
{
    return detail::tagged("c:", app, convo, ":seq");
}
inline QByteArray log(const QString &app, QByteArrayView convo)
{
    return detail::tagged("c:", app, convo, ":log");
}
// The last seq published live after replicas confirmed it ([redis] min_replicas only).
inline QByteArray published(const QString &app, QByteArrayView convo)
{
    return detail::tagged("c:", app, convo, ":pub");
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
    QByteArray out;
    out.reserve(sessionId.size() + nodeId.size() + 22);
    out.append(sessionId).append(' ').append(QByteArray::number(connectedMs)).append(' ');
    detail::appendUtf8(out, nodeId);
    return out;
}
// The dedup index of a conversation: this hash holds its buckets' state, and the shards are
// "<this>:<bucket>:<shard>" (made by the accept script, same hash tag; docs/redis.md).
inline QByteArray dedup(const QString &app, QByteArrayView convo) { return detail::tagged("c:", app, convo, ":idm"); }
inline QByteArray delivered(const QString &app, QByteArrayView convo)
{
    return detail::tagged("c:", app, convo, ":dl");
}
inline QByteArray read(const QString &app, QByteArrayView convo)
{
    return detail::tagged("c:", app, convo, ":rd");
}
// Pub/sub channel of a conversation: messages, receipts, typing, membership changes.
inline QByteArray convoChannel(const QString &app, QByteArrayView convo)
{
    return detail::tagged("ch:", app, convo, {});
}

// Pub/sub channel of a user: membership changes that concern the user's own subscriptions.
inline QByteArray userChannel(const QString &app, QByteArrayView user)
{
    return detail::tagged("u:", app, user, {});
}
inline QByteArray presence(const QString &app, QByteArrayView user)
{
    return detail::tagged("p:", app, user, {});
}
inline QByteArray lastSeen(const QString &app, QByteArrayView user)
{
    return detail::tagged("ls:", app, user, {});
}
inline QByteArray presenceChannel(const QString &app, QByteArrayView user)
{
    return detail::tagged("pc:", app, user, {});
}
inline QByteArray connectionRate(const QString &app, QByteArrayView user)
{
    return detail::tagged("cr:", app, user, {});
}

// Rate-limit buckets of an app share the tag {app}.
inline QByteArray userBucket(const QString &app, QByteArrayView user)
{
    return detail::appTagged("rl:", app, ":u:", user);
}
inline QByteArray appBucket(const QString &app)
{
    return detail::appTagged("rl:", app, ":app");
}
// Conversation creation by users: one bucket per user and one for all users of the app.
inline QByteArray userConvoBucket(const QString &app, QByteArrayView user)
{
    return detail::appTagged("rl:", app, ":cu:", user);
}
inline QByteArray appConvoBucket(const QString &app)
{
    return detail::appTagged("rl:", app, ":capp");
}

// The lease of the node flushing an app's tails into segments.
inline QByteArray flushLock(const QString &app)
{
    return detail::appTagged("flush:lock:", app, {});
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

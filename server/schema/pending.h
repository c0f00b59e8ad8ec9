#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

// Which conversations have messages not yet in segments. The accept script adds the
// conversation to one sorted set, scored with the ts of its oldest unflushed message (ZADD NX),
// and the flush worker removes it once everything up to the counter is indexed. See
// docs/storage.md (including why this one key is not Redis Cluster friendly).
namespace confab::schema
{

// "flush:pending"
[[nodiscard]] inline QByteArray pendingKey()
{
    return QByteArrayLiteral("flush:pending");
}

// "<app>\n<convo>": ids never contain a newline (confab::isValidId).
[[nodiscard]] inline QByteArray pendingMember(const QString &appId, QByteArrayView convoId)
{
    return appId.toUtf8() + '\n' + convoId.toByteArray();
}

// "confab:recovered": set by FlushWorker::recover() once every counter is at least its flushed
// watermark. The accept script refuses while it is missing, so after Redis lost its data
// (FLUSHALL, a restart without its AOF) no send takes a seq_no before recovery ran.
[[nodiscard]] inline QByteArray recoveredKey()
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

// The line the accept script needs, for reference and for tests that stand in for it:
//   KEYS[4] = pendingKey(), ARGV[7] = pendingMember(app, convo), ARGV[5] = ts.
inline constexpr char kAcceptPendingLine[] = "redis.call('ZADD', KEYS[4], 'NX', ARGV[5], ARGV[7])";

} // namespace confab::schema

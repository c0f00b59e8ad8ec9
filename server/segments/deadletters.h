#pragma once

#include "confab/expected.h"

#include <QByteArray>
#include <QFuture>
#include <QList>
#include <QString>

namespace confab::store
{
class Database;
}

namespace confab::segments
{

// PROTOCOL.md section 6.
struct DeadLetter {
    QString id;
    QString kind; // "segment_flush" or "webhook" (webhooks/dispatcher.h)
    QString appId;
    QString convoId;
    qint64 firstSeq = 0;
    qint64 lastSeq = 0;
    int attempts = 0;
    QString error;
    qint64 createdMs = 0;
    qint64 lastAttemptMs = 0;
};

inline const QString kSegmentFlush = QStringLiteral("segment_flush");

// {"id","kind","app_id","convo_id","first_seq","last_seq","attempts","error","created_ms",
// "last_attempt_ms"}
[[nodiscard]] QByteArray toJson(const DeadLetter &d);

// The dead_letters table. At most one open dead letter per (kind, app, conversation): a
// failure of a batch that already has one updates it (range, attempts, error) instead of
// adding another. Resolved ones are kept with resolved_at, out of every listing.
class DeadLetterRepository
{
public:
    explicit DeadLetterRepository(store::Database *db);

    // Open dead letters, oldest first.
    QFuture<Expected<QList<DeadLetter>>> list(int limit);
    QFuture<Expected<DeadLetter>> get(QString id); // NotFound unless open
    QFuture<Expected<qint64>> count();
    // Adds or updates the open dead letter of (kind, app, convo); attempts is the total so far.
    QFuture<Expected<DeadLetter>> record(QString kind, QString appId, QString convoId,
        qint64 firstSeq, qint64 lastSeq, int attempts, QString error);
    // Resolves the open segment_flush dead letters of a conversation whose range is now
    // flushed; answers how many.
    QFuture<Expected<int>> resolveFlushed(QString appId, QString convoId, qint64 flushedSeq);
    // Resolves one by hand (NotFound unless open). Its messages stay pending: if the flush still
    // fails, a new dead letter appears after the retries.
    QFuture<Status> discard(QString id);

private:
    store::Database *m_db;
};

} // namespace confab::segments

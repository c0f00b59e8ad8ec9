#include "segments/deadletters.h"

#include "confab/ids.h"
#include "confab/jsonwriter.h"
#include "store/database.h"
#include "store/sql.h"

#include <QSqlQuery>

namespace confab::segments
{

namespace sql = confab::store::sql;

namespace
{

QString columns()
{
    return QStringLiteral(
        "id, kind, app_id, convo_id, first_seq, last_seq, attempts, error, %1, %2")
        .arg(sql::msOf("created_at"), sql::msOf("last_attempt_at"));
}

DeadLetter fromRow(const QSqlQuery &q)
{
    return DeadLetter { q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
        q.value(3).toString(), q.value(4).toLongLong(), q.value(5).toLongLong(), q.value(6).toInt(),
        q.value(7).toString(), q.value(8).toLongLong(), q.value(9).toLongLong() };
}

} // namespace

QByteArray toJson(const DeadLetter &d)
{
    JsonWriter w(256);
    w.beginObject()
        .field("id", d.id)
        .field("kind", d.kind)
        .field("app_id", d.appId)
        .field("convo_id", d.convoId)
        .field("first_seq", d.firstSeq)
        .field("last_seq", d.lastSeq)
        .field("attempts", d.attempts)
        .field("error", d.error)
        .field("created_ms", d.createdMs)
        .field("last_attempt_ms", d.lastAttemptMs)
        .endObject();
    return w.take();
}

DeadLetterRepository::DeadLetterRepository(store::Database *db)
    : m_db(db)
{
}

QFuture<Expected<QList<DeadLetter>>> DeadLetterRepository::list(int limit)
{
    return m_db->run<QList<DeadLetter>>([limit](QSqlDatabase &db) -> Expected<QList<DeadLetter>> {
        auto q = sql::exec(db,
            QStringLiteral("SELECT %1 FROM dead_letters WHERE resolved_at IS NULL"
                           " ORDER BY created_at, id LIMIT :limit")
                .arg(columns()),
            { { "limit", qBound(1, limit, 1000) } }, QStringLiteral("listing dead letters"));
        if (!q)
            return q.error();
        QList<DeadLetter> out;
        while (q->next())
            out.append(fromRow(*q));
        return out;
    });
}

QFuture<Expected<DeadLetter>> DeadLetterRepository::get(QString id)
{
    return m_db->run<DeadLetter>([id](QSqlDatabase &db) -> Expected<DeadLetter> {
        const QString what = QStringLiteral("reading dead letter %1").arg(id);
        auto q = sql::exec(db,
            QStringLiteral("SELECT %1 FROM dead_letters WHERE id = :id AND resolved_at IS NULL")
                .arg(columns()),
            { { "id", id } }, what);
        if (!q)
            return q.error();
        if (!q->next())
            return Error::notFound(QStringLiteral("%1: no such dead letter").arg(what));
        return fromRow(*q);
    });
}

QFuture<Expected<qint64>> DeadLetterRepository::count()
{
    return m_db->run<qint64>([](QSqlDatabase &db) -> Expected<qint64> {
        auto q = sql::exec(db,
            QStringLiteral("SELECT count(*) FROM dead_letters WHERE resolved_at IS NULL"), {},
            QStringLiteral("counting dead letters"));
        if (!q)
            return q.error();
        return q->next() ? q->value(0).toLongLong() : 0;
    });
}

QFuture<Expected<DeadLetter>> DeadLetterRepository::record(QString kind, QString appId,
    QString convoId, qint64 firstSeq, qint64 lastSeq, int attempts, QString error)
{
    return m_db->run<DeadLetter>([=](QSqlDatabase &db) -> Expected<DeadLetter> {
        const QString what
            = QStringLiteral("recording a %1 dead letter for %2/%3").arg(kind, appId, convoId);
        auto q = sql::exec(db,
            QStringLiteral(
                "INSERT INTO dead_letters (id, kind, app_id, convo_id, first_seq, last_seq, "
                "attempts, error)"
                " VALUES (:id, :kind, :app, :convo, :first, :last, :attempts, :error)"
                " ON CONFLICT (kind, app_id, convo_id) WHERE resolved_at IS NULL DO UPDATE SET"
                " first_seq = LEAST(dead_letters.first_seq, EXCLUDED.first_seq),"
                " last_seq = GREATEST(dead_letters.last_seq, EXCLUDED.last_seq),"
                " attempts = GREATEST(dead_letters.attempts, EXCLUDED.attempts),"
                " error = EXCLUDED.error, last_attempt_at = now()"
                " RETURNING %1")
                .arg(columns()),
            { { "id", QStringLiteral("dl_") + QString::fromLatin1(newUlid()).toLower() },
                { "kind", kind }, { "app", appId }, { "convo", convoId }, { "first", firstSeq },
                { "last", lastSeq }, { "attempts", attempts }, { "error", error } },
            what);
        if (!q)
            return q.error();
        if (!q->next())
            return Error::internal(QStringLiteral("%1: no row returned").arg(what));
        return fromRow(*q);
    });
}

QFuture<Expected<int>> DeadLetterRepository::resolveFlushed(
    QString appId, QString convoId, qint64 flushedSeq)
{
    return m_db->run<int>([=](QSqlDatabase &db) -> Expected<int> {
        auto q = sql::exec(db,
            QStringLiteral("UPDATE dead_letters SET resolved_at = now() WHERE resolved_at IS NULL"
                           " AND kind = :kind AND app_id = :app AND convo_id = :convo"
                           " AND last_seq <= :flushed"),
            { { "kind", kSegmentFlush }, { "app", appId }, { "convo", convoId },
                { "flushed", flushedSeq } },
            QStringLiteral("resolving dead letters of %1/%2").arg(appId, convoId));
        if (!q)
            return q.error();
        return q->numRowsAffected();
    });
}

QFuture<Status> DeadLetterRepository::discard(QString id)
{
    return m_db->run<Ok>([id](QSqlDatabase &db) -> Status {
        const QString what = QStringLiteral("discarding dead letter %1").arg(id);
        auto q = sql::exec(db,
            QStringLiteral("UPDATE dead_letters SET resolved_at = now()"
                           " WHERE id = :id AND resolved_at IS NULL"),
            { { "id", id } }, what);
        if (!q)
            return q.error();
        if (q->numRowsAffected() == 0)
            return Error::notFound(QStringLiteral("%1: no such dead letter").arg(what));
        return Ok {};
    });
}

} // namespace confab::segments

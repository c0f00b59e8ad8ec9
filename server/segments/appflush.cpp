// One app's flush (docs/storage.md, "Flush"): read the pending conversations' tails in rounds
// bounded in bytes, cut what was read into segments of at most max_bytes, write and index each,
// then trim the tails and clear the pending marks.

#include "segments/flushworker.h"

#include "segments/flushworker_p.h"
#include "segments/logging.h"
#include "segments/pendingslots.h"
#include "segments/segmentcutter.h"
#include "segments/tail.h"

#include "confab/ids.h"
#include "metrics/metrics.h"
#include "objectstore/objectstore.h"
#include "redis/client.h"
#include "schema/keys.h"
#include "schema/pending.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QPointer>
#include <qcoro/qcorofuture.h>

#include <algorithm>

namespace confab::segments
{

namespace keys = confab::schema::keys;

namespace
{

QString segmentKey(const QString &appId, qint64 nowMs)
{
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(nowMs, Qt::UTC);
    return QStringLiteral("segments/%1/%2/%3")
        .arg(appId, t.toString(QStringLiteral("yyyy/MM/dd")),
            QString::fromLatin1(newUlid(nowMs)) + QStringLiteral(".seg"));
}

Error gone(const QString &appId)
{
    return Error::unavailable(
        QStringLiteral("flushing app %1: the flush worker is gone").arg(appId));
}

// Where a conversation's reading stands during one flush.
struct Cursor {
    qint64 next = 1; // first seq not read yet
    int taken = 0; // records read so far
    bool more = true; // the tail may hold more to read in this flush
};

} // namespace

// What writing one planned segment did.
struct FlushWorker::SegmentOutcome {
    bool written = false;
    QList<std::pair<QString, Error>> refused; // blocks the codec refused, left out
    QHash<QString, qint64> committed; // watermarks after the index commit
    std::optional<Error> storageError; // the object or its index rows could not be written
};

QCoro::Task<FlushWorker::AppResult> FlushWorker::flushApp(QString appId, QStringList convoIds)
{
    QPointer<FlushWorker> self(this);
    AppResult result;
    const QByteArray token = randomToken(12);
    auto locking = d->deps.redis->exec(keys::cmd("SET", keys::flushLock(appId), token, "NX", "PX",
        QByteArray::number(d->options.lockTtlMs)));
    const redis::Reply lock = co_await locking;
    if (!self)
        co_return result;
    if (!lock) {
        result.failAll(convoIds,
            Error::unavailable(QStringLiteral("flushing app %1: taking its lock: %2")
                                   .arg(appId, lock.error().message)));
        co_return result;
    }
    if (lock->isNil()) {
        result.lockedElsewhere = true;
        co_return result;
    }

    auto flushing = flushAppLocked(appId, convoIds, token);
    result = co_await flushing;
    if (!self)
        co_return result;

    auto unlocking
        = d->deps.redis->eval(d->releaseLock, keys::cmd(keys::flushLock(appId)), keys::cmd(token));
    const redis::Reply unlocked = co_await unlocking;
    if (self && !unlocked)
        qCInfo(lcSegments) << "could not release the flush lock of app" << appId
                           << "(it expires by itself):" << unlocked.error().message;
    co_return result;
}

QCoro::Task<FlushWorker::AppResult> FlushWorker::flushAppLocked(
    QString appId, QStringList convoIds, QByteArray token)
{
    QPointer<FlushWorker> self(this);
    AppResult result;
    auto watermarksFuture = d->index.flushedSeqs(appId, convoIds);
    const Expected<QHash<QString, qint64>> watermarks = co_await watermarksFuture;
    if (!self)
        co_return result;
    if (!watermarks) {
        result.failAll(convoIds, watermarks.error());
        co_return result;
    }
    result.watermarks = *watermarks;
    QHash<QString, Cursor> cursors;
    for (const QString &c : convoIds) {
        d->flushed[appId].insert(c, watermarks->value(c));
        cursors.insert(c, Cursor { watermarks->value(c) + 1 });
    }

    SegmentCutter cutter(d->options.maxBytes, d->options.encoding);
    qint64 totalRaw = 0;
    qint64 totalRecords = 0;
    auto stopConvo = [&cutter, &cursors](const QString &c) {
        cutter.drop(c);
        cursors[c].more = false;
    };
    for (;;) {
        // A round: every conversation with more to read gets its share of readBytes, in reads
        // of at most readCallBytes, readAheadBytes of them at a time (planTailReads()).
        QStringList reading;
        for (const QString &c : convoIds) {
            if (cursors[c].more && !result.failed.contains(c))
                reading.append(c);
        }
        if (!reading.isEmpty()) {
            const TailReads plan = planTailReads(reading.size(), d->options.readBytes,
                d->options.readCallBytes, d->options.readAheadBytes, tail::kFlushWindow);
            QList<tail::ScriptCall> reads;
            for (const QString &c : reading) {
                const Cursor &cur = cursors[c];
                QList<QByteArray> tailKeys = keys::cmd(keys::log(appId, c.toUtf8()));
                if (d->deps.redis->options().minReplicas > 0)
                    tailKeys.append(keys::published(appId, c.toUtf8()));
                reads.append(tail::ScriptCall { std::move(tailKeys),
                    keys::cmd(QByteArray::number(cur.next),
                        QByteArray::number(qMax(1, d->options.maxRecordsPerConvo - cur.taken)),
                        QByteArray::number(plan.share)) });
            }
            auto readFuture = tail::batchEval(d->deps.redis, d->readTail, reads, plan.window);
            const QList<redis::Reply> replies = co_await readFuture;
            if (!self)
                co_return result;
            // Every read failing is Redis failing, not the conversations.
            if (std::none_of(replies.cbegin(), replies.cend(),
                    [](const redis::Reply &r) { return bool(r); })) {
                result.failAll(reading,
                    Error::unavailable(QStringLiteral("flushing app %1: reading its tails: %2")
                                           .arg(appId, replies.first().error().message)));
                for (const QString &c : std::as_const(reading))
                    stopConvo(c);
            }
            for (qsizetype i = 0; i < reading.size() && !result.storageError; ++i) {
                const QString &c = reading[i];
                Cursor &cur = cursors[c];
                const redis::Reply &r = replies[i];
                if (!r || r->elements.size() != 2) {
                    result.failed.insert(c,
                        Error::unavailable(
                            QStringLiteral("flushing app %1: reading the tail of %2: %3")
                                .arg(appId, c,
                                    r ? QStringLiteral("unexpected reply") : r.error().message)));
                    stopConvo(c);
                    continue;
                }
                QList<segment::Record> records = tail::toRecords(r->elements[1]);
                cur.more = r->elements[0].toInteger() == 1;
                if (records.isEmpty()) {
                    cur.more = false;
                    continue;
                }
                if (cur.taken > 0 && records.first().seq != cur.next) {
                    // A hole right after what this flush read: the next flush starts there.
                    cur.more = false;
                    continue;
                }
                if (records.first().seq != cur.next)
                    qCWarning(lcSegments) << "the tail of" << appId << c << "starts at"
                                          << records.first().seq << "instead of" << cur.next
                                          << "- those messages were lost from Redis before a flush";
                // A hole inside the tail (entries lost) ends this flush's block there; the next
                // flush starts after it, as after a lost start.
                for (qsizetype k = 1; k < records.size(); ++k) {
                    if (records[k].seq != records[k - 1].seq + 1) {
                        records.resize(k);
                        cur.more = false;
                        break;
                    }
                }
                cur.taken += int(records.size());
                cur.next = records.last().seq + 1;
                if (cur.taken >= d->options.maxRecordsPerConvo)
                    cur.more = false;
                for (const segment::Record &rec : records)
                    totalRaw += rec.payload.size();
                totalRecords += records.size();
                cutter.add(c, std::move(records));
            }
        }

        bool readingDone = true;
        for (const QString &c : convoIds)
            readingDone = readingDone && (!cursors[c].more || result.failed.contains(c));
        QList<SegmentPlan> plans = cutter.take(readingDone);
        for (qsizetype p = 0; p < plans.size(); ++p) {
            if (plans[p].blocks.isEmpty())
                continue;
            auto writing = writeSegment(appId, plans[p], token);
            const SegmentOutcome outcome = co_await writing;
            if (!self)
                co_return result;
            if (outcome.storageError) {
                // Storage, the index or Redis is failing: nothing more can be written now. Every
                // conversation with records left unwritten waits for the next attempt.
                QStringList unfinished;
                for (const QString &c : convoIds) {
                    if (cursors[c].more || cutter.holds(c))
                        unfinished.append(c);
                }
                for (qsizetype q = p; q < plans.size(); ++q) {
                    for (const Piece &piece : std::as_const(plans[q].blocks)) {
                        if (!unfinished.contains(piece.convoId))
                            unfinished.append(piece.convoId);
                    }
                }
                result.failAll(unfinished, *outcome.storageError);
                co_return result;
            }
            // Conversations that cannot go on in this flush: refused by the codec (failed), or
            // indexed by another node up to another point (racing; the next flush continues
            // from the watermark). Their later blocks would leave a gap, so they go.
            QStringList stopped;
            for (const auto &[c, error] : outcome.refused) {
                result.failed.insert(c, error);
                stopped.append(c);
            }
            for (const Piece &piece : std::as_const(plans[p].blocks)) {
                const auto committed = outcome.committed.constFind(piece.convoId);
                if (committed == outcome.committed.constEnd())
                    continue;
                result.watermarks.insert(piece.convoId, *committed);
                d->flushed[appId].insert(piece.convoId, *committed);
                if (*committed != piece.records.constLast().seq)
                    stopped.append(piece.convoId);
            }
            for (const QString &c : std::as_const(stopped)) {
                stopConvo(c);
                for (qsizetype q = p + 1; q < plans.size(); ++q)
                    plans[q].blocks.removeIf(
                        [&c](const Piece &piece) { return piece.convoId == c; });
            }
            if (outcome.written)
                ++result.segments;
        }
        if (readingDone)
            break;
    }
    if (totalRecords > 0)
        d->avgRecordBytes.insert(appId, qMax<qint64>(1, totalRaw / totalRecords));

    auto finishing = finishFlush(appId, convoIds, result.watermarks);
    co_await finishing;
    co_return result;
}

QCoro::Task<FlushWorker::SegmentOutcome> FlushWorker::writeSegment(
    QString appId, SegmentPlan plan, QByteArray token)
{
    QPointer<FlushWorker> self(this);
    SegmentOutcome outcome;
    QElapsedTimer sealTimer;
    sealTimer.start();
    const qint64 oldestTs = plan.oldestTs();
    const bool offThread = plan.bytes >= d->options.offThreadBytes;
    auto encoding = encodeSegmentAsync(appId, std::move(plan), d->options.encoding, offThread);
    EncodedSegment encoded = co_await encoding;
    if (!self) {
        outcome.storageError = gone(appId);
        co_return outcome;
    }
    outcome.refused = std::move(encoded.refused);
    if (encoded.error) {
        outcome.storageError = encoded.error;
        co_return outcome;
    }
    if (!encoded.sealed)
        co_return outcome; // every block refused: nothing to write
    const segment::SealedSegment &sealed = *encoded.sealed;

    const QString key = segmentKey(appId, flush::nowMs());
    auto putting = d->deps.store->put(
        key, sealed.bytes, QByteArrayLiteral("application/vnd.confab.segment"));
    const Status put = co_await putting;
    if (!self) {
        outcome.storageError = gone(appId);
        co_return outcome;
    }
    if (!put) {
        outcome.storageError = Error {
            put.error().code == ErrorCode::Internal ? ErrorCode::Internal : ErrorCode::Unavailable,
            QStringLiteral("writing segment %1 for app %2: %3").arg(key, appId, put.error().message)
        };
        co_return outcome;
    }

    auto committing = d->index.commit(key, sealed.bytes.size(), sealed.blocks);
    const Expected<QHash<QString, qint64>> committed = co_await committing;
    if (!self) {
        outcome.storageError = gone(appId);
        co_return outcome;
    }
    if (!committed) {
        outcome.storageError = Error { committed.error().code,
            QStringLiteral("indexing segment %1 for app %2: %3")
                .arg(key, appId, committed.error().message) };
        co_return outcome;
    }
    outcome.committed = *committed;
    outcome.written = true;
    // From the oldest message of the segment entering the tail to its being indexed.
    const qint64 flushedAt = flush::nowMs();
    const double flushMs = double(qMax<qint64>(0, flushedAt - oldestTs));
    d->noteFlush(flushedAt, flushMs, sealed.bytes.size());
    if (d->deps.metrics) {
        d->deps.metrics->segmentWritten(sealed.bytes.size());
        d->deps.metrics->observeFlush(flushMs / 1000.0);
    }
    qCInfo(lcSegments).nospace() << "wrote segment " << key << " (" << sealed.blocks.size()
                                 << " blocks, " << sealed.bytes.size() << " bytes, sealed in "
                                 << sealTimer.elapsed() << " ms)";
    Q_EMIT segmentWritten(appId, key, sealed.bytes.size());
    // The lock is a lease: a node that dies holding it blocks the app for one TTL only.
    auto renewing = d->deps.redis->eval(d->renewLock, keys::cmd(keys::flushLock(appId)),
        keys::cmd(token, QByteArray::number(d->options.lockTtlMs)));
    const redis::Reply renewed = co_await renewing;
    Q_UNUSED(renewed); // a lost lease costs at most a second node doing the same flush
    co_return outcome;
}

QCoro::Task<> FlushWorker::finishFlush(
    QString appId, QStringList convoIds, QHash<QString, qint64> watermarks)
{
    // Only now, with the index committed, may the tail shrink, and never past the watermark.
    // Every conversation of the batch, written this time or not: a node that died after its
    // commit left this undone, and the next flush finishes it.
    QPointer<FlushWorker> self(this);
    QList<QList<QByteArray>> trims;
    QList<tail::ScriptCall> clears;
    for (const QString &c : convoIds) {
        const qint64 wm = watermarks.value(c);
        const QByteArray convo = c.toUtf8();
        if (wm - d->options.hotWindow >= 1)
            trims.append(keys::cmd("XTRIM", keys::log(appId, convo), "MINID",
                QByteArray::number(wm - d->options.hotWindow + 1) + "-0"));
        clears.append(pending::clearCall(appId, c, wm));
    }
    auto trimming = tail::batch(d->deps.redis, trims, tail::kFlushWindow);
    const QList<redis::Reply> trimmed = co_await trimming;
    if (!self)
        co_return;
    for (const redis::Reply &t : trimmed) {
        if (!t) {
            qCInfo(lcSegments) << "trimming the tail of app" << appId
                               << "failed; the next flush retries:" << t.error().message;
            break;
        }
    }
    auto clearing = tail::batchEval(d->deps.redis, d->clearPending, clears, tail::kFlushWindow);
    const QList<redis::Reply> cleared = co_await clearing;
    Q_UNUSED(cleared); // a mark left behind only makes the next tick look again
}

} // namespace confab::segments

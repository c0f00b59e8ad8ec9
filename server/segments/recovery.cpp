// Recovery (docs/storage.md, "Recovery"): counters raised to the flushed watermarks after Redis
// lost its data, conversations with unflushed messages marked pending again, and the periodic
// sweep that repairs lost dirty-slot marks.

#include "segments/flushworker.h"

#include "segments/flushworker_p.h"
#include "segments/logging.h"
#include "segments/pendingslots.h"
#include "segments/tail.h"

#include "redis/client.h"
#include "schema/keys.h"
#include "schema/pending.h"

#include <QPointer>
#include <qcoro/qcorofuture.h>

namespace confab::segments
{

namespace keys = confab::schema::keys;

QCoro::Task<Status> FlushWorker::recover()
{
    QPointer<FlushWorker> self(this);
    // A Redis written by the previous version keeps its pending conversations in one set.
    auto migrating = pending::migrateLegacy(d->deps.redis);
    const Expected<qint64> migrated = co_await migrating;
    if (!self)
        co_return Error::unavailable(QStringLiteral("recovering: the flush worker is gone"));
    if (!migrated)
        co_return Error { migrated.error().code,
            QStringLiteral("recovering: %1").arg(migrated.error().message) };
    if (*migrated > 0)
        qCInfo(lcSegments) << "moved" << *migrated
                           << "pending conversations of the old flush:pending into per-slot sets";

    auto listing = d->index.allConversations();
    const Expected<QList<Watermark>> all = co_await listing;
    if (!all)
        co_return Error { all.error().code,
            QStringLiteral("recovering: %1").arg(all.error().message) };
    if (!self)
        co_return Error::unavailable(QStringLiteral("recovering: the flush worker is gone"));

    qint64 raised = 0;
    constexpr qsizetype kChunk = 1000;
    for (qsizetype from = 0; from < all->size(); from += kChunk) {
        QList<tail::ScriptCall> calls;
        for (qsizetype i = from; i < qMin(all->size(), from + kChunk); ++i) {
            const Watermark &w = all->at(i);
            calls.append(pending::recoverCall(w.appId, w.convoId, w.flushedSeq));
            d->flushed[w.appId].insert(w.convoId, w.flushedSeq);
        }
        auto running = tail::batchEval(d->deps.redis, d->recover, calls);
        const QList<redis::Reply> replies = co_await running;
        if (!self)
            co_return Error::unavailable(QStringLiteral("recovering: the flush worker is gone"));
        // Every slot with a conversation pending is marked dirty, newly added or not: the dirty
        // set may have been lost with its shard while the pending sets were not.
        QList<int> dirty;
        for (qsizetype i = 0; i < replies.size(); ++i) {
            const redis::Reply &r = replies[i];
            if (!r)
                co_return Error::unavailable(
                    QStringLiteral("recovering: %1").arg(r.error().message));
            raised += r->elements.value(0).toInteger();
            if (r->elements.value(1).toInteger() == 1) {
                const Watermark &w = all->at(from + i);
                dirty.append(schema::convoSlot(w.appId, w.convoId.toUtf8()));
            }
        }
        auto marking = pending::markDirty(d->deps.redis, dirty);
        const Status marked = co_await marking;
        if (!self)
            co_return Error::unavailable(QStringLiteral("recovering: the flush worker is gone"));
        if (!marked)
            co_return Error { marked.error().code,
                QStringLiteral("recovering: %1").arg(marked.error().message) };
    }
    if (raised > 0)
        qCWarning(lcSegments) << "Redis had lost" << raised
                              << "conversation counters; rebuilt them from the segment index";
    // Every counter is now at least its watermark: sends may take seq numbers again, on every
    // slot (a shard that lost its data refused only its own slots until now).
    auto marking = pending::markRecovered(
        d->deps.redis, flush::nowMs(), !d->deps.redis->options().isCluster());
    const Status marked = co_await marking;
    if (!self)
        co_return Error::unavailable(QStringLiteral("recovering: the flush worker is gone"));
    if (!marked)
        co_return Error { marked.error().code,
            QStringLiteral("recovering: %1").arg(marked.error().message) };
    co_return Ok {};
}

void FlushWorker::requestRecovery()
{
    recoverInBackground();
}

QCoro::Task<> FlushWorker::recoverInBackground()
{
    if (d->recovering)
        co_return;
    d->recovering = true;
    QPointer<FlushWorker> self(this);
    auto recovering = recover();
    const Status s = co_await recovering;
    if (!self)
        co_return;
    d->recovering = false;
    if (!s)
        qCInfo(lcSegments) << "recovery sweep failed; the next one retries:" << s.error().message;
}

QCoro::Task<> FlushWorker::sweepInBackground()
{
    if (d->sweeping)
        co_return;
    d->sweeping = true;
    QPointer<FlushWorker> self(this);
    auto sweeping = pending::sweep(d->deps.redis);
    const Expected<int> swept = co_await sweeping;
    if (!self)
        co_return;
    d->sweeping = false;
    if (!swept)
        qCInfo(lcSegments) << "sweep of the pending sets failed; the next one retries:"
                           << swept.error().message;
}

} // namespace confab::segments

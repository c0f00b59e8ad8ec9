// Recovery (docs/storage.md, "Recovery"): counters raised to the flushed watermarks after Redis
// lost its data, and conversations with unflushed messages marked pending again.

#include "segments/flushworker.h"

#include "segments/flushworker_p.h"
#include "segments/logging.h"
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
            const QByteArray convo = w.convoId.toUtf8();
            calls.append(tail::ScriptCall { keys::cmd(keys::seq(w.appId, convo),
                                                keys::log(w.appId, convo), schema::pendingKey()),
                keys::cmd(
                    QByteArray::number(w.flushedSeq), schema::pendingMember(w.appId, convo)) });
            d->flushed[w.appId].insert(w.convoId, w.flushedSeq);
        }
        auto running = tail::batchEval(d->deps.redis, d->recover, calls);
        const QList<redis::Reply> replies = co_await running;
        if (!self)
            co_return Error::unavailable(QStringLiteral("recovering: the flush worker is gone"));
        for (const redis::Reply &r : replies) {
            if (!r)
                co_return Error::unavailable(
                    QStringLiteral("recovering: %1").arg(r.error().message));
            raised += r->toInteger();
        }
    }
    if (raised > 0)
        qCWarning(lcSegments) << "Redis had lost" << raised
                              << "conversation counters; rebuilt them from the segment index";
    // Every counter is now at least its watermark: sends may take seq numbers again.
    auto marking = d->deps.redis->exec(
        keys::cmd("SET", schema::recoveredKey(), QByteArray::number(flush::nowMs())));
    const redis::Reply marked = co_await marking;
    if (!marked)
        co_return Error::unavailable(QStringLiteral("recovering: %1").arg(marked.error().message));
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

} // namespace confab::segments

// Failures of the flush, per conversation (docs/storage.md, "Failure and dead letters"): backoff,
// dead letters once the retry window is over, their resolution, and retries by hand.

#include "segments/flushworker.h"

#include "segments/flushworker_p.h"
#include "segments/logging.h"
#include "segments/tail.h"

#include "metrics/metrics.h"
#include "redis/client.h"
#include "schema/keys.h"

#include <QPointer>
#include <QSet>

#include <algorithm>
#include <qcoro/qcorofuture.h>

namespace confab::segments
{

namespace keys = confab::schema::keys;

namespace
{

// "3 conversations (a, b, c)", naming at most five.
QString describe(QStringList convoIds)
{
    std::sort(convoIds.begin(), convoIds.end());
    const qsizetype n = convoIds.size();
    QString names = convoIds.mid(0, 5).join(QStringLiteral(", "));
    if (n > 5)
        names += QStringLiteral(", ...");
    return QStringLiteral("%1 conversation%2 (%3)")
        .arg(n)
        .arg(n == 1 ? QString() : QStringLiteral("s"), names);
}

} // namespace

QCoro::Task<> FlushWorker::settle(
    QString appId, QStringList convoIds, AppResult result, bool resolve)
{
    QPointer<FlushWorker> self(this);
    if (!result.failed.isEmpty()) {
        auto noting = noteFailures(appId, result.failed);
        co_await noting;
        if (!self)
            co_return;
    }
    // The others are written: their dead letters (a retry, or failures before) are resolved.
    bool resolved = false;
    for (const QString &c : convoIds) {
        if (result.failed.contains(c))
            continue;
        const bool hadFailure = d->failure(appId, c) != nullptr;
        if (!resolve && !hadFailure)
            continue;
        auto resolving = d->deadLetters.resolveFlushed(appId, c, result.watermarks.value(c));
        const Expected<int> n = co_await resolving;
        if (!self)
            co_return;
        if (!n) {
            qCInfo(lcSegments) << "resolving the dead letters of" << appId << c
                               << "failed; the next flush retries:" << n.error().message;
            continue;
        }
        if (hadFailure) {
            d->failures[appId].remove(c);
            if (d->failures[appId].isEmpty())
                d->failures.remove(appId);
        }
        resolved = true;
    }
    if (resolved) {
        auto gauge = updateDeadLetterGauge();
        co_await gauge;
    }
}

QCoro::Task<> FlushWorker::noteFailures(QString appId, QHash<QString, Error> failed)
{
    QPointer<FlushWorker> self(this);
    const qint64 now = flush::nowMs();
    const Error first = failed.cbegin().value();
    if (d->deps.metrics)
        d->deps.metrics->flushFailed();
    Q_EMIT flushFailed(appId, first.message);

    // Each conversation counts its own attempts; those past the retry window get (or update)
    // their dead letter, one per conversation.
    QStringList dead;
    for (auto it = failed.cbegin(); it != failed.cend(); ++it) {
        Private::Failure &f = d->failures[appId][it.key()];
        if (f.attempts == 0)
            f.firstMs = now;
        ++f.attempts;
        const qint64 deadline = f.firstMs + d->options.retryWindowMs;
        if (!f.dead && now < deadline) {
            const qint64 backoff = d->options.retryBaseMs << qMin(f.attempts - 1, 16);
            f.nextMs = qMin(now + backoff, deadline);
            continue;
        }
        f.dead = true;
        f.nextMs = now + d->options.deadLetterRetryMs;
        dead.append(it.key());
    }
    if (dead.size() < failed.size())
        qCInfo(lcSegments).noquote()
            << QStringLiteral("flush of app %1 failed for %2 - retrying: %3")
                   .arg(appId, describe(failed.keys()))
                   .arg(first.message);
    if (dead.isEmpty())
        co_return;

    // The range each still has to write: from its watermark to its counter.
    const QHash<QString, qint64> known = d->flushed.value(appId);
    QList<QList<QByteArray>> counterCommands;
    for (const QString &c : dead)
        counterCommands.append(keys::cmd("GET", keys::seq(appId, c.toUtf8())));
    auto countersFuture = tail::batch(d->deps.redis, counterCommands);
    const QList<redis::Reply> counters = co_await countersFuture;
    if (!self)
        co_return;
    int recorded = 0;
    for (qsizetype i = 0; i < dead.size(); ++i) {
        const QString &c = dead[i];
        const qint64 firstSeq = known.value(c) + 1;
        const qint64 lastSeq = counters[i] ? counters[i]->toInteger() : firstSeq;
        const Error &error = failed[c];
        auto recording = d->deadLetters.record(kSegmentFlush, appId, c, firstSeq,
            qMax(firstSeq, lastSeq), d->failures[appId][c].attempts, error.message);
        const Expected<DeadLetter> dl = co_await recording;
        if (!self)
            co_return;
        if (dl)
            ++recorded;
        else
            qCWarning(lcSegments) << "could not record a dead letter for" << appId << c << ":"
                                  << dl.error().message;
    }
    // One line per distinct cause (an outage fails every conversation of the batch at once).
    QHash<QString, QStringList> byCause;
    for (const QString &c : std::as_const(dead))
        byCause[failed[c].message].append(c);
    for (auto it = byCause.cbegin(); it != byCause.cend(); ++it)
        qCWarning(lcSegments).noquote()
            << QStringLiteral("flush of app %1 ran out of retries; dead letters for %2: %3")
                   .arg(appId, describe(it.value()), it.key());
    Q_EMIT deadLettered(appId, recorded);
    auto gauge = updateDeadLetterGauge();
    co_await gauge;
}

QCoro::Task<> FlushWorker::updateDeadLetterGauge()
{
    if (!d->deps.metrics)
        co_return;
    QPointer<FlushWorker> self(this);
    auto counting = d->deadLetters.count();
    const Expected<qint64> n = co_await counting;
    if (self && n && d->deps.metrics)
        d->deps.metrics->setDeadLetters(*n);
}

QCoro::Task<> FlushWorker::retryDeadLettersInBackground()
{
    // Failing conversations are retried by the tick once their backoff passes; this only makes
    // sure dead letters this node does not track (a restarted node, a conversation no longer
    // marked pending) get another try. One storage failure ends the pass for its app.
    QPointer<FlushWorker> self(this);
    auto listing = d->deadLetters.list(100);
    const Expected<QList<DeadLetter>> open = co_await listing;
    if (!self || !open)
        co_return;
    QSet<QString> failingApps;
    for (const DeadLetter &dl : *open) {
        if (dl.kind != kSegmentFlush) // other kinds (webhook) have their own owner
            continue;
        if (d->failure(dl.appId, dl.convoId) || failingApps.contains(dl.appId))
            continue;
        auto retrying = retryDeadLetter(dl.id);
        const Status s = co_await retrying;
        if (!self)
            co_return;
        if (!s && s.error().code == ErrorCode::Unavailable)
            failingApps.insert(dl.appId);
    }
}

QCoro::Task<Status> FlushWorker::discardDeadLetter(QString id)
{
    QPointer<FlushWorker> self(this);
    auto discarding = d->deadLetters.discard(std::move(id));
    const Status s = co_await discarding;
    if (s && self) {
        auto gauge = updateDeadLetterGauge();
        co_await gauge;
    }
    co_return s;
}

QCoro::Task<Status> FlushWorker::retryDeadLetter(QString id)
{
    QPointer<FlushWorker> self(this);
    const qint64 askedMs = flush::nowMs();
    const auto goneError = [&id] {
        return Error::unavailable(
            QStringLiteral("retrying dead letter %1: the flush worker is gone").arg(id));
    };
    auto getting = d->deadLetters.get(id);
    const Expected<DeadLetter> dl = co_await getting;
    if (!dl)
        co_return dl.error();
    if (!self)
        co_return goneError();

    auto idle = waitIdle();
    co_await idle;
    if (!self)
        co_return goneError();
    if (const auto failed = d->retryFailures.constFind(dl->appId);
        failed != d->retryFailures.constEnd() && failed->first >= askedMs)
        co_return failed->second;
    d->running = true;

    // Only this conversation, all of it: a flush reads a bounded slice per round and stops
    // after maxRecordsPerConvo, so a large dead letter takes several.
    const QStringList convos { dl->convoId };
    Status result = Ok {};
    qint64 reached = -1;
    for (;;) {
        auto flushing = flushApp(dl->appId, convos);
        AppResult r = co_await flushing;
        if (!self)
            co_return goneError();
        if (r.lockedElsewhere) {
            result = Error::unavailable(
                QStringLiteral("retrying dead letter %1: another node is flushing app %2")
                    .arg(id, dl->appId));
            break;
        }
        const std::optional<Error> failure = r.failed.contains(dl->convoId)
            ? std::optional<Error>(r.failed.value(dl->convoId))
            : std::nullopt;
        const bool storage = r.storageError.has_value();
        const qint64 watermark = r.watermarks.value(dl->convoId);
        auto settling = settle(dl->appId, convos, std::move(r), true);
        co_await settling;
        if (!self)
            co_return goneError();
        if (failure) {
            if (storage)
                d->retryFailures.insert(dl->appId, { flush::nowMs(), *failure });
            result = *failure;
            break;
        }
        if (watermark >= dl->lastSeq || watermark <= reached)
            break;
        reached = watermark;
    }
    if (result)
        d->retryFailures.remove(dl->appId);
    d->running = false;
    Q_EMIT cycleFinished();
    co_return result;
}

} // namespace confab::segments

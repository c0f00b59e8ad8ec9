#include "retention/retentionworker.h"

#include "retention/expiry.h"
#include "retention/logging.h"
#include "retention/retentionindex.h"

#include "confab/ids.h"
#include "metrics/metrics.h"
#include "objectstore/objectstore.h"
#include "redis/client.h"
#include "redis/lease.h"
#include "redis/script.h"
#include "schema/keys.h"
#include "segments/tail.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QPointer>
#include <QTimer>
#include <qcoro/qcorofuture.h>
#include <qcoro/qcorosignal.h>
#include <qcoro/qcorotimer.h>

#include <chrono>
#include <optional>
#include <vector>

namespace confab::retention
{

namespace keys = confab::schema::keys;
namespace tail = confab::segments::tail;

namespace
{

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

Error gone(const char *what)
{
    return Error::unavailable(
        QStringLiteral("%1: the retention worker is gone").arg(QLatin1String(what)));
}

Error storeError(const QString &key, const Error &e)
{
    return Error { e.code == ErrorCode::Internal ? ErrorCode::Internal : ErrorCode::Unavailable,
        QStringLiteral("deleting expired segment %1: %2").arg(key, e.message) };
}

struct Removal {
    QStringList removed;
    std::optional<Error> error;
};

// Deletes the objects, `concurrency` at a time. A failure ends the walk after its chunk: the
// store is most likely down, and what is left waits for the next pass.
QCoro::Task<Removal> removeObjects(
    objectstore::ObjectStore *store, QStringList keys, int concurrency)
{
    Removal out;
    const qsizetype n = qMax(1, concurrency);
    for (qsizetype from = 0; from < keys.size() && !out.error; from += n) {
        const qsizetype to = qMin(keys.size(), from + n);
        std::vector<QCoro::Task<Status>> removing;
        for (qsizetype i = from; i < to; ++i)
            removing.push_back(store->remove(keys[i]));
        for (qsizetype i = from; i < to; ++i) {
            QCoro::Task<Status> &pending = removing[size_t(i - from)];
            const Status s = co_await pending;
            if (s)
                out.removed.append(keys[i]);
            else if (!out.error)
                out.error = storeError(keys[i], s.error());
        }
    }
    co_return out;
}

struct Trimming {
    qint64 trimmed = 0;
    qint64 receipts = 0;
    std::optional<Error> error;
};

// One script call per conversation, all sent in one write; the conversations with more expired
// entries than one call may look at are called again.
QCoro::Task<Trimming> trimTails(redis::Client *redis, redis::Script script,
    QList<TailTarget> targets, qint64 cutoff, int budget)
{
    Trimming out;
    while (!targets.isEmpty() && !out.error) {
        QList<tail::ScriptCall> calls;
        for (const TailTarget &t : targets)
            calls.append(tail::ScriptCall { tailExpiryKeys(t), tailExpiryArgs(t, cutoff, budget) });
        auto running = tail::batchEval(redis, script, calls);
        const QList<redis::Reply> replies = co_await running;
        QList<TailTarget> again;
        for (qsizetype i = 0; i < replies.size(); ++i) {
            if (!replies[i]) {
                if (!out.error)
                    out.error = Error { replies[i].error().code,
                        QStringLiteral("trimming the tail of %1/%2: %3")
                            .arg(
                                targets[i].appId, targets[i].convoId, replies[i].error().message) };
                continue;
            }
            const TailExpiry e = parseTailExpiry(*replies[i]);
            out.trimmed += e.trimmed;
            out.receipts += e.receiptsDeleted;
            if (e.more)
                again.append(targets[i]);
        }
        targets = std::move(again);
    }
    co_return out;
}

} // namespace

RetentionOptions RetentionOptions::fromConfig(const Config &config)
{
    RetentionOptions o;
    o.maxAgeMs = config.retention.maxAgeMs;
    o.intervalMs = config.retention.intervalMs;
    o.multipartMaxAgeMs = config.retention.multipartMaxAgeMs;
    return o;
}

struct RetentionWorker::Pass {
    qint64 segmentsDeleted = 0;
    qint64 tailEntriesTrimmed = 0;
    qint64 receiptsDeleted = 0;
    qint64 uploadsAborted = 0;
    std::optional<Error> error;
};

class RetentionWorker::Private
{
public:
    Private(RetentionDeps deps, RetentionOptions options)
        : deps(deps)
        , options(options)
        , index(deps.db)
        , tailExpiry(tailExpiryScript())
        , releaseLock(QByteArray(redis::lease::kRelease))
        , extendLock(QByteArray(redis::lease::kRenew))
    {
    }

    RetentionDeps deps;
    RetentionOptions options;
    RetentionIndex index;
    redis::Script tailExpiry;
    redis::Script releaseLock;
    redis::Script extendLock;
    QTimer timer;
    bool running = false;
};

RetentionWorker::RetentionWorker(RetentionDeps deps, RetentionOptions options, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(deps, options))
{
    d->timer.setInterval(std::chrono::milliseconds(qMax<qint64>(100, options.intervalMs)));
    connect(&d->timer, &QTimer::timeout, this, [this] { tick(); });
}

RetentionWorker::~RetentionWorker() = default;

void RetentionWorker::start()
{
    d->timer.start();
    tick(); // a node restarted more often than the interval must still run passes
}

void RetentionWorker::stop()
{
    d->timer.stop();
}

bool RetentionWorker::isRunning() const
{
    return d->running;
}

const RetentionOptions &RetentionWorker::options() const
{
    return d->options;
}

QCoro::Task<Expected<qint64>> RetentionWorker::runNow()
{
    QPointer<RetentionWorker> self(this);
    auto waiting = waitIdle();
    co_await waiting;
    if (!self)
        co_return gone("running a retention pass");
    auto running = runPass(true);
    const Expected<qint64> deleted = co_await running;
    co_return deleted;
}

QCoro::Task<> RetentionWorker::waitIdle()
{
    while (d->running) {
        auto finished = qCoro(this, &RetentionWorker::idle);
        co_await finished;
    }
}

QCoro::Task<> RetentionWorker::tick()
{
    if (d->running)
        co_return;
    QPointer<RetentionWorker> self(this);
    // A little under the interval, so this node's own next tick (a coarse timer) finds it gone.
    const qint64 ttl = qMax<qint64>(1, d->options.intervalMs * 9 / 10);
    auto marking = d->deps.redis->exec(
        keys::cmd("SET", keys::retentionRecent(), "1", "NX", "PX", QByteArray::number(ttl)));
    const redis::Reply recent = co_await marking;
    if (!self || d->running || !recent || recent->isNil())
        co_return;
    auto running = runPass(false);
    const Expected<qint64> deleted = co_await running;
    Q_UNUSED(deleted); // logged and signalled by the pass
}

QCoro::Task<Expected<qint64>> RetentionWorker::runPass(bool waitForLock)
{
    QPointer<RetentionWorker> self(this);
    d->running = true;
    QElapsedTimer elapsed;
    elapsed.start();
    auto locking = takeLock(waitForLock);
    const Expected<QByteArray> token = co_await locking;
    if (!self)
        co_return gone("running a retention pass");
    if (!token || token->isEmpty()) {
        d->running = false;
        if (!token) {
            qCWarning(lcRetention).noquote() << "retention pass not run:" << token.error().message;
            Q_EMIT passFailed(token.error().message);
        }
        Q_EMIT idle();
        if (!token)
            co_return token.error();
        co_return qint64(0);
    }

    // Taken after the lock, so a pass that waited still covers every expiry up to its start.
    const qint64 cutoff = cutoffMs(nowMs(), d->options.maxAgeMs);
    auto stepping = runSteps(cutoff, *token);
    const Pass pass = co_await stepping;
    if (!self)
        co_return gone("running a retention pass");
    auto releasing = releaseLock(*token);
    co_await releasing;
    if (!self)
        co_return gone("running a retention pass");

    record(pass, cutoff, elapsed.elapsed());
    d->running = false;
    Q_EMIT passFinished(pass.segmentsDeleted, pass.tailEntriesTrimmed);
    if (pass.error)
        Q_EMIT passFailed(pass.error->message);
    Q_EMIT idle();
    if (pass.error)
        co_return *pass.error;
    co_return pass.segmentsDeleted;
}

QCoro::Task<Expected<QByteArray>> RetentionWorker::takeLock(bool wait)
{
    QPointer<RetentionWorker> self(this);
    const QByteArray token = randomToken(12);
    QElapsedTimer waited;
    waited.start();
    for (;;) {
        auto locking = d->deps.redis->exec(keys::cmd("SET", keys::retentionLock(), token, "NX",
            "PX", QByteArray::number(d->options.lockTtlMs)));
        const redis::Reply lock = co_await locking;
        if (!self)
            co_return gone("taking the retention lock");
        if (!lock)
            co_return Error { lock.error().code,
                QStringLiteral("taking the retention lock: %1").arg(lock.error().message) };
        if (!lock->isNil())
            co_return token;
        if (!wait)
            co_return QByteArray();
        if (waited.elapsed() >= d->options.lockWaitMs)
            co_return Error::unavailable(
                QStringLiteral("another node has held the retention lock for over %1 ms")
                    .arg(d->options.lockWaitMs));
        auto pause = QCoro::sleepFor(std::chrono::milliseconds(100));
        co_await pause;
        if (!self)
            co_return gone("taking the retention lock");
    }
}

QCoro::Task<> RetentionWorker::releaseLock(QByteArray token)
{
    auto unlocking
        = d->deps.redis->eval(d->releaseLock, keys::cmd(keys::retentionLock()), keys::cmd(token));
    const redis::Reply unlocked = co_await unlocking;
    if (!unlocked)
        qCInfo(lcRetention) << "could not release the retention lock (it expires by itself):"
                            << unlocked.error().message;
}

QCoro::Task<> RetentionWorker::extendLock(QByteArray token)
{
    auto extending = d->deps.redis->eval(d->extendLock, keys::cmd(keys::retentionLock()),
        keys::cmd(token, QByteArray::number(d->options.lockTtlMs)));
    const redis::Reply extended = co_await extending;
    // Losing the lock mid-pass costs at most a second node doing the same idempotent work.
    if (!extended || extended->toInteger() != 1)
        qCInfo(lcRetention) << "the retention lock expired during a pass; carrying on";
}

QCoro::Task<RetentionWorker::Pass> RetentionWorker::runSteps(qint64 cutoff, QByteArray token)
{
    QPointer<RetentionWorker> self(this);
    auto segments = expireSegments(cutoff, token);
    Pass pass = co_await segments;
    if (!self)
        co_return pass;
    // The tails expire even while object storage is down: Redis does not wait for it.
    auto tails = expireTails(cutoff, token);
    const Pass trimmed = co_await tails;
    pass.tailEntriesTrimmed = trimmed.tailEntriesTrimmed;
    pass.receiptsDeleted = trimmed.receiptsDeleted;
    if (!pass.error)
        pass.error = trimmed.error;
    if (!self)
        co_return pass;
    auto aborting = abortStaleUploads();
    const Pass aborted = co_await aborting;
    pass.uploadsAborted = aborted.uploadsAborted;
    if (!pass.error)
        pass.error = aborted.error;
    co_return pass;
}

QCoro::Task<RetentionWorker::Pass> RetentionWorker::abortStaleUploads()
{
    QPointer<RetentionWorker> self(this);
    Pass pass;
    const qint64 before = nowMs() - d->options.multipartMaxAgeMs;
    auto listing = d->deps.store->listMultipartUploads(QStringLiteral("att/"));
    const auto uploads = co_await listing;
    if (!self)
        co_return pass;
    if (!uploads) {
        pass.error = uploads.error();
        co_return pass;
    }
    for (const objectstore::PendingUpload &u : *uploads) {
        if (u.initiatedMs > before)
            continue;
        auto aborting = d->deps.store->abortMultipart(u.key, u.uploadId);
        const Status aborted = co_await aborting;
        if (!self)
            co_return pass;
        // Gone meanwhile (completed or aborted by its client) is as good as aborted here.
        if (aborted || aborted.error().code == ErrorCode::NotFound)
            ++pass.uploadsAborted;
        else if (!pass.error)
            pass.error = aborted.error();
    }
    co_return pass;
}

QCoro::Task<RetentionWorker::Pass> RetentionWorker::expireSegments(qint64 cutoff, QByteArray token)
{
    QPointer<RetentionWorker> self(this);
    Pass pass;
    for (;;) {
        auto selecting = d->index.expiredSegments(cutoff, d->options.segmentBatch);
        const Expected<QStringList> expired = co_await selecting;
        if (!self || !expired) {
            pass.error = self ? expired.error() : gone("expiring segments");
            co_return pass;
        }
        // The object goes first: rows are deleted only for objects known to be gone, so the
        // index never loses track of an object that still exists.
        auto removing = removeObjects(d->deps.store, *expired, d->options.concurrentDeletes);
        const Removal removal = co_await removing;
        if (!self) {
            pass.error = gone("expiring segments");
            co_return pass;
        }
        if (!removal.removed.isEmpty()) {
            auto deleting = d->index.deleteSegments(removal.removed);
            const Expected<qint64> deleted = co_await deleting;
            if (!self || !deleted) {
                pass.error = self ? deleted.error() : gone("expiring segments");
                co_return pass;
            }
            pass.segmentsDeleted += *deleted;
        }
        if (removal.error || expired->size() < d->options.segmentBatch) {
            pass.error = removal.error;
            co_return pass;
        }
        auto extending = extendLock(token);
        co_await extending;
        if (!self) {
            pass.error = gone("expiring segments");
            co_return pass;
        }
    }
}

QCoro::Task<RetentionWorker::Pass> RetentionWorker::expireTails(qint64 cutoff, QByteArray token)
{
    QPointer<RetentionWorker> self(this);
    Pass pass;
    ConversationCursor cursor;
    for (;;) {
        auto listing = d->index.conversations(cursor, d->options.conversationBatch);
        const Expected<QList<TailTarget>> targets = co_await listing;
        if (!self || !targets) {
            pass.error = self ? targets.error() : gone("trimming tails");
            co_return pass;
        }
        auto trimming
            = trimTails(d->deps.redis, d->tailExpiry, *targets, cutoff, d->options.tailScanPerCall);
        const Trimming t = co_await trimming;
        pass.tailEntriesTrimmed += t.trimmed;
        pass.receiptsDeleted += t.receipts;
        if (!self || t.error || targets->size() < d->options.conversationBatch) {
            pass.error = self ? t.error : std::optional<Error>(gone("trimming tails"));
            co_return pass;
        }
        cursor = ConversationCursor { targets->last().appId, targets->last().convoId };
        auto extending = extendLock(token);
        co_await extending;
        if (!self) {
            pass.error = gone("trimming tails");
            co_return pass;
        }
    }
}

void RetentionWorker::record(const Pass &pass, qint64 cutoff, qint64 elapsedMs)
{
    if (d->deps.metrics)
        d->deps.metrics->retentionDeletedSegments(pass.segmentsDeleted);
    const QString before = QDateTime::fromMSecsSinceEpoch(cutoff, Qt::UTC).toString(Qt::ISODate);
    if (!pass.error) {
        qCInfo(lcRetention).nospace().noquote()
            << "retention pass (before " << before << "): " << pass.segmentsDeleted
            << " segments deleted, " << pass.tailEntriesTrimmed << " tail entries trimmed, "
            << pass.receiptsDeleted << " receipt hashes deleted, " << pass.uploadsAborted
            << " stale uploads aborted, in " << elapsedMs << " ms";
        return;
    }
    qCWarning(lcRetention).nospace().noquote()
        << "retention pass (before " << before
        << ") incomplete, the next pass retries: " << pass.segmentsDeleted << " segments deleted, "
        << pass.tailEntriesTrimmed << " tail entries trimmed, " << pass.receiptsDeleted
        << " receipt hashes deleted, in " << elapsedMs << " ms; " << pass.error->message;
}

} // namespace confab::retention

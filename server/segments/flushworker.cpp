#include "segments/flushworker.h"

#include "segments/flushworker_p.h"
#include "segments/logging.h"
#include "segments/pendingslots.h"
#include "segments/tail.h"

#include "metrics/metrics.h"
#include "redis/client.h"
#include "redis/lease.h"
#include "redismodule/commands.h"
#include "schema/keys.h"
#include "schema/pending.h"

#include <QDateTime>
#include <QPointer>
#include <QSet>
#include <qcoro/qcorofuture.h>
#include <qcoro/qcorosignal.h>
#include <qcoro/qcorotimer.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

namespace confab::segments
{

namespace keys = confab::schema::keys;

namespace
{

// KEYS: log (and its :pub with [redis] min_replicas). ARGV: first seq, most records, most bytes of fields. One read of a flush round:
// the tail from that seq on, bounded in records and in bytes (the first entry is always
// returned, whatever its size), so a conversation with a huge backlog is read a slice at a
// time. Answers {more, entries}: entries as XRANGE gives them, more = 1 when the tail holds
// entries past them.
constexpr char kReadTail[] = R"LUA(
local from = ARGV[1] .. '-0'
local left = tonumber(ARGV[2])
local budget = tonumber(ARGV[3])
local upto = '+'
if KEYS[2] then
  -- [redis] min_replicas: only what WAIT confirmed and was released live (:pub); an entry above
  -- it may still vanish in a failover and its seq_no be handed out again.
  local pub = tonumber(redis.call('GET', KEYS[2]) or '0')
  if tonumber(ARGV[1]) > pub then return {0, {}} end
  upto = pub .. '-0'
end
local out = {}
local bytes = 0
while left > 0 do
  local n = math.min(left, 64)
  local es = redis.call('XRANGE', KEYS[1], from, upto, 'COUNT', n)
  for i = 1, #es do
    local f = es[i][2]
    local size = 0
    for j = 2, #f, 2 do size = size + #f[j] end
    if #out > 0 and bytes + size > budget then return {1, out} end
    out[#out + 1] = es[i]
    bytes = bytes + size
    left = left - 1
  end
  if #es < n then return {0, out} end
  from = '(' .. es[#es][1]
end
local rest = redis.call('XRANGE', KEYS[1], from, upto, 'COUNT', 1)
if #rest > 0 then return {1, out} end
return {0, out}
)LUA";

} // namespace

namespace flush
{

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace flush

FlushOptions FlushOptions::fromConfig(const Config::Segments &segments)
{
    FlushOptions o;
    o.maxBytes = segments.maxBytes;
    o.maxAgeMs = segments.maxAgeMs;
    o.accumulate = int(segments.accumulate);
    o.tickMs = std::clamp<qint64>(segments.maxAgeMs / 10, 100, 1000);
    o.maxScanGapMs = std::clamp<qint64>(segments.maxAgeMs / 4, o.tickMs, 5000);
    o.hotWindow = segments.hotWindow;
    o.retryWindowMs = segments.retryWindowMs;
    o.deadLetterRetryMs = segments.deadLetterRetryMs;
    o.encoding
        = segments.cborRecords ? segment::RecordEncoding::Cbor : segment::RecordEncoding::Json;
    return o;
}

FlushWorker::Private::Private(FlushDeps deps, FlushOptions options)
    : deps(deps)
    , options(options)
    , index(deps.db)
    , deadLetters(deps.db)
    , recover(pending::recoverScript())
    , clearPending(pending::clearScript())
    , readTail(QByteArray(kReadTail), QByteArray(redismodule::kReadTailCommand))
    , releaseLock(QByteArray(redis::lease::kRelease))
    , renewLock(QByteArray(redis::lease::kRenew))
{
}

const FlushWorker::Private::Failure *FlushWorker::Private::failure(
    const QString &appId, const QString &convoId) const
{
    const auto app = failures.constFind(appId);
    if (app == failures.constEnd())
        return nullptr;
    const auto it = app->constFind(convoId);
    return it == app->constEnd() ? nullptr : &*it;
}

void FlushWorker::Private::noteFlush(qint64 now, double ms, qint64 bytes)
{
    ++segmentsWritten;
    bytesWritten += bytes;
    latencies.emplace_back(now, ms);
    while (latencies.size() > kLatencyWindowCount
        || (!latencies.empty() && latencies.front().first < now - kLatencyWindowMs))
        latencies.pop_front();
}

FlushWorker::FlushWorker(FlushDeps deps, FlushOptions options, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(deps, options))
{
    d->tickTimer.setInterval(std::chrono::milliseconds(qMax<qint64>(10, options.tickMs)));
    d->deadLetterTimer.setInterval(
        std::chrono::milliseconds(qMax<qint64>(10, options.deadLetterRetryMs)));
    d->recoveryTimer.setInterval(
        std::chrono::milliseconds(qMax<qint64>(10, options.recoveryIntervalMs)));
    connect(&d->tickTimer, &QTimer::timeout, this, [this] { tick(); });
    connect(
        &d->deadLetterTimer, &QTimer::timeout, this, [this] { retryDeadLettersInBackground(); });
    connect(&d->recoveryTimer, &QTimer::timeout, this, [this] { recoverInBackground(); });
    d->sweepTimer.setInterval(std::chrono::milliseconds(qMax<qint64>(10, options.sweepIntervalMs)));
    connect(&d->sweepTimer, &QTimer::timeout, this, [this] { sweepInBackground(); });
}

FlushWorker::~FlushWorker() = default;

void FlushWorker::start()
{
    d->tickTimer.start();
    d->deadLetterTimer.start();
    d->recoveryTimer.start();
    d->sweepTimer.start();
    updateDeadLetterGauge(); // dead letters left by an earlier run
    // A Redis that comes back empty must get its counters back before the next send.
    if (!d->redisConnection)
        d->redisConnection = connect(
            d->deps.redis, &redis::Client::connected, this, [this] { recoverInBackground(); });
}

void FlushWorker::stop()
{
    d->tickTimer.stop();
    d->deadLetterTimer.stop();
    d->recoveryTimer.stop();
    d->sweepTimer.stop();
    disconnect(d->redisConnection);
    d->redisConnection = {};
}

PipelineSnapshot FlushWorker::snapshot() const
{
    PipelineSnapshot s;
    s.streamDepth = d->depth;
    s.streams = d->streams;
    s.segmentsWritten = d->segmentsWritten;
    s.bytesWritten = d->bytesWritten;
    if (d->latencies.empty())
        return s;
    s.lastFlushMs = d->latencies.back().second;
    std::vector<double> sorted;
    sorted.reserve(d->latencies.size());
    for (const auto &l : d->latencies)
        sorted.push_back(l.second);
    std::sort(sorted.begin(), sorted.end());
    // Nearest rank: the smallest value with at least q of the samples at or below it.
    auto rank = [&sorted](double q) {
        const size_t n = sorted.size();
        const size_t i = size_t(std::ceil(q * double(n)));
        return sorted[std::clamp<size_t>(i, 1, n) - 1];
    };
    s.p50Ms = rank(0.50);
    s.p95Ms = rank(0.95);
    s.p99Ms = rank(0.99);
    return s;
}

DeadLetterRepository *FlushWorker::deadLetters() const
{
    return &d->deadLetters;
}

SegmentIndex *FlushWorker::index() const
{
    return &d->index;
}

const FlushOptions &FlushWorker::options() const
{
    return d->options;
}

QCoro::Task<> FlushWorker::waitIdle()
{
    while (d->running) {
        auto finished = qCoro(this, &FlushWorker::cycleFinished);
        co_await finished;
    }
}

QCoro::Task<> FlushWorker::tick()
{
    if (d->running || flush::nowMs() < d->nextScanMs)
        co_return;
    d->running = true;
    QPointer<FlushWorker> self(this);

    auto pendingReply = pending::readDirty(d->deps.redis);
    const Expected<QList<pending::PendingConvo>> reply = co_await pendingReply;
    if (!self)
        co_return;
    if (!reply) {
        d->running = false;
        Q_EMIT cycleFinished();
        co_return;
    }
    const QList<pending::PendingConvo> &pending = *reply;
    // A failure of a conversation no longer pending (another node wrote it, or its messages
    // are gone) is forgotten; its dead letter, if any, is resolved by whoever retries it.
    if (!d->failures.isEmpty()) {
        QHash<QString, QSet<QString>> pendingByApp;
        for (const auto &p : pending)
            pendingByApp[p.appId].insert(p.convoId);
        for (auto app = d->failures.begin(); app != d->failures.end();) {
            const QSet<QString> stillPending = pendingByApp.value(app.key());
            app->removeIf(
                [&stillPending](const auto &f) { return !stillPending.contains(f.key()); });
            app = app->isEmpty() ? d->failures.erase(app) : std::next(app);
        }
    }

    // Per app: the oldest unflushed message and, for max_bytes and confab_stream_depth, how
    // many messages wait (counter minus the watermark last seen).
    QList<QList<QByteArray>> counterCommands;
    for (const auto &p : pending)
        counterCommands.append(keys::cmd("GET", keys::seq(p.appId, p.convoId.toUtf8())));
    auto countersFuture = tail::batch(d->deps.redis, counterCommands);
    const QList<redis::Reply> counters = co_await countersFuture;
    if (!self)
        co_return;

    // Only conversations not waiting out a backoff count: one that keeps failing must not make
    // its app due on every tick.
    struct AppState {
        QList<PendingStream> streams;
        qint64 waiting = 0;
    };
    const qint64 now = flush::nowMs();
    QHash<QString, AppState> apps;
    qint64 depth = 0;
    qint64 retryAtMs = std::numeric_limits<qint64>::max();
    QList<StreamState> streams;
    streams.reserve(pending.size());
    for (qsizetype i = 0; i < pending.size(); ++i) {
        const auto &p = pending[i];
        const qint64 counter = i < counters.size() && counters[i] ? counters[i]->toInteger() : 0;
        const qint64 waiting
            = qMax<qint64>(0, counter - d->flushed.value(p.appId).value(p.convoId, 0));
        depth += waiting;
        streams.append(StreamState { p.appId, p.convoId, waiting, p.sinceMs });
        // One that failed waits out its backoff: the next look comes no later than its end.
        const Private::Failure *failed = d->failure(p.appId, p.convoId);
        if (failed && failed->nextMs > now) {
            retryAtMs = qMin(retryAtMs, failed->nextMs);
            continue;
        }
        AppState &a = apps[p.appId];
        a.streams.append(PendingStream { p.convoId, waiting, p.sinceMs, failed != nullptr });
        a.waiting += waiting;
    }
    if (d->deps.metrics)
        d->deps.metrics->setStreamDepth(depth);
    const qsizetype top = qMin<qsizetype>(streams.size(), PipelineSnapshot::kTopStreams);
    std::partial_sort(streams.begin(), streams.begin() + top, streams.end(),
        [](const StreamState &a, const StreamState &b) { return a.depth > b.depth; });
    streams.resize(top);
    d->depth = depth;
    d->streams = std::move(streams);

    // Messages per tick since the last look, which may be several ticks ago (nextScanMs()).
    const qint64 sinceLastScan = d->lastScanMs > 0 ? now - d->lastScanMs : d->options.tickMs;
    d->lastScanMs = now;
    QList<AppOutlook> outlooks;
    bool lookSoon = false; // a flush failed or another node was flushing
    for (auto it = apps.cbegin(); it != apps.cend(); ++it) {
        const QString appId = it.key();
        const AppState &a = it.value();
        // By size, the app is due when what waits would pass accumulate x max_bytes before the
        // next tick (what arrived per tick since the last look arrives again), so a segment
        // closes near max_bytes instead of spilling a small second object (flushplan.h).
        const qint64 growth = qMax<qint64>(0, a.waiting - d->lastWaiting.value(appId, a.waiting))
            * d->options.tickMs / qMax(d->options.tickMs, sinceLastScan);
        d->lastWaiting.insert(appId, a.waiting);
        const qint64 recordBytes = d->avgRecordBytes.value(appId, 512);
        const FlushPick pick = planFlush(a.streams, d->options.policy(), now, recordBytes, growth);
        const QStringList &convos = pick.convos;
        // What the app leaves waiting once its flush (if any) is done, for the next look.
        AppOutlook left { a.waiting - pick.waiting, growth, recordBytes };
        const QSet<QString> taken(convos.cbegin(), convos.cend());
        for (const PendingStream &s : a.streams) {
            if (!taken.contains(s.convoId))
                left.oldestSinceMs = qMin(left.oldestSinceMs, s.sinceMs);
        }
        outlooks.append(left);
        if (convos.isEmpty())
            continue;
        auto flushing = flushApp(appId, convos);
        AppResult r = co_await flushing;
        if (!self)
            co_return;
        if (!r.lockedElsewhere && r.failed.isEmpty()) {
            // What waits at the next tick is what this flush left plus what arrived since.
            d->lastWaiting.insert(appId, a.waiting - pick.waiting);
        } else {
            lookSoon = true;
        }
        if (r.lockedElsewhere)
            continue;
        auto settling = settle(appId, convos, std::move(r), false);
        co_await settling;
        if (!self)
            co_return;
    }
    // The next look: when an app could first be due, or the next tick after a flush that did
    // not go as planned.
    d->nextScanMs = lookSoon ? 0
                             : nextScanMs(outlooks, retryAtMs, d->options.policy(), now,
                                 d->options.tickMs, d->options.maxScanGapMs);
    d->running = false;
    Q_EMIT cycleFinished();
}

QCoro::Task<Expected<int>> FlushWorker::flushNow()
{
    QPointer<FlushWorker> self(this);
    auto idle = waitIdle();
    co_await idle;
    d->running = true;

    auto pendingReply = pending::readDirty(d->deps.redis);
    const Expected<QList<pending::PendingConvo>> reply = co_await pendingReply;
    if (!self)
        co_return Error::unavailable(QStringLiteral("flushing: the flush worker is gone"));
    if (!reply) {
        d->running = false;
        Q_EMIT cycleFinished();
        co_return Error::unavailable(QStringLiteral("flushing: %1").arg(reply.error().message));
    }
    QHash<QString, QStringList> apps;
    for (const pending::PendingConvo &p : *reply)
        apps[p.appId].append(p.convoId);

    int written = 0;
    std::optional<Error> firstError;
    for (auto it = apps.cbegin(); it != apps.cend(); ++it) {
        const QString appId = it.key();
        const QStringList convos = it.value();
        // Another node holding the app's lock is flushing it; wait for it, then flush what
        // arrived since, so that on return everything pending at the call is indexed.
        for (int attempt = 0;; ++attempt) {
            auto flushing = flushApp(appId, convos);
            AppResult r = co_await flushing;
            if (!self)
                co_return Error::unavailable(QStringLiteral("flushing: the flush worker is gone"));
            if (!r.lockedElsewhere) {
                written += r.segments;
                if (!firstError && r.storageError)
                    firstError = r.storageError;
                if (!firstError && !r.failed.isEmpty())
                    firstError = r.failed.cbegin().value();
                auto settling = settle(appId, convos, std::move(r), false);
                co_await settling;
                if (!self)
                    co_return Error::unavailable(
                        QStringLiteral("flushing: the flush worker is gone"));
                break;
            }
            if (attempt * 100 > d->options.lockTtlMs) {
                if (!firstError)
                    firstError = Error::unavailable(
                        QStringLiteral("flushing app %1: another node holds its lock").arg(appId));
                break;
            }
            auto pause = QCoro::sleepFor(std::chrono::milliseconds(100));
            co_await pause;
            if (!self)
                co_return Error::unavailable(QStringLiteral("flushing: the flush worker is gone"));
        }
    }
    d->nextScanMs = 0; // what the last look planned from is gone: the next tick looks again
    d->running = false;
    Q_EMIT cycleFinished();
    if (firstError)
        co_return *firstError;
    co_return written;
}

} // namespace confab::segments

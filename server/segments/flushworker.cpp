#include "segments/flushworker.h"

#include "segments/deadletters.h"
#include "segments/logging.h"
#include "schema/pending.h"
#include "segments/segmentindex.h"
#include "segments/tail.h"

#include "confab/ids.h"
#include "schema/keys.h"
#include "metrics/metrics.h"
#include "objectstore/objectstore.h"
#include "redis/client.h"
#include "redis/lease.h"
#include "redis/script.h"
#include "segment/segment.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QPointer>
#include <QPromise>
#include <QThreadPool>
#include <QTimer>
#include <qcoro/qcorofuture.h>
#include <qcoro/qcorosignal.h>
#include <qcoro/qcorotimer.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <limits>

namespace confab::segments
{

namespace keys = confab::schema::keys;
using schema::parsePendingMember;
using schema::pendingKey;
using schema::pendingMember;
using schema::recoveredKey;

namespace
{

// KEYS: seq, log, pending. ARGV: flushed watermark, pending member. Raises a counter Redis lost
// back to the watermark, and marks the conversation pending (scored with the ts of its oldest
// unflushed message) when the tail holds messages past the watermark.
constexpr char kRecover[] = R"LUA(
local f = tonumber(ARGV[1])
local c = tonumber(redis.call('GET', KEYS[1]) or '0')
local raised = 0
if c < f then
  redis.call('SET', KEYS[1], ARGV[1])
  c = f
  raised = 1
end
if c > f then
  local e = redis.call('XRANGE', KEYS[2], (f + 1) .. '-0', '+', 'COUNT', 1)
  if #e > 0 then
    local ts = tonumber(string.match(e[1][2][2], '"ts":(%d+)')) or 0
    redis.call('ZADD', KEYS[3], 'NX', ts, ARGV[2])
  end
end
return raised
)LUA";

// KEYS: pending, seq, log. ARGV: pending member, flushed watermark. Atomic with the accept
// script, so a message accepted during the flush keeps its conversation pending.
constexpr char kClearPending[] = R"LUA(
local f = tonumber(ARGV[2])
local c = tonumber(redis.call('GET', KEYS[2]) or '0')
if c <= f then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 0
end
local e = redis.call('XRANGE', KEYS[3], (f + 1) .. '-0', '+', 'COUNT', 1)
if #e == 0 then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 0
end
redis.call('ZADD', KEYS[1], tonumber(string.match(e[1][2][2], '"ts":(%d+)')) or 0, ARGV[1])
return 1
)LUA";

QByteArray lockKey(const QString &appId)
{
    return "flush:lock:{" + appId.toUtf8() + '}';
}

QString segmentKey(const QString &appId, qint64 nowMs)
{
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(nowMs, Qt::UTC);
    return QStringLiteral("segments/%1/%2/%3")
        .arg(appId, t.toString(QStringLiteral("yyyy/MM/dd")),
            QString::fromLatin1(newUlid(nowMs)) + QStringLiteral(".seg"));
}

struct ConvoRecords {
    QString convoId;
    QList<segment::Record> records;
    qint64 rawBytes = 0;
};

Expected<segment::SealedSegment> encode(
    const QString &appId, const QList<ConvoRecords> &group, segment::RecordEncoding encoding)
{
    segment::SegmentWriter writer(appId, encoding);
    for (const ConvoRecords &c : group) {
        if (Status s = writer.addBlock(c.convoId, c.records); !s)
            return Error {
                s.error().code,
                QStringLiteral("encoding block %1/%2: %3").arg(appId, c.convoId, s.error().message)
            };
    }
    return writer.finish();
}

// Large segments are encoded on a pool thread: zstd on a megabyte would stall the loop.
QFuture<Expected<segment::SealedSegment>> encodeAsync(
    QString appId, QList<ConvoRecords> group, segment::RecordEncoding encoding, bool offThread)
{
    auto promise = std::make_shared<QPromise<Expected<segment::SealedSegment>>>();
    promise->start();
    QFuture<Expected<segment::SealedSegment>> future = promise->future();
    auto job = [promise, appId = std::move(appId), group = std::move(group), encoding] {
        promise->addResult(encode(appId, group, encoding));
        promise->finish();
    };
    if (offThread)
        QThreadPool::globalInstance()->start(std::move(job));
    else
        job();
    return future;
}

QList<QByteArray> xrangeCommand(
    const QString &appId, const QString &convoId, qint64 flushed, int count)
{
    return keys::cmd("XRANGE", keys::log(appId, convoId.toUtf8()),
        QByteArray::number(flushed + 1) + "-0", "+", "COUNT", QByteArray::number(count));
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

FlushOptions FlushOptions::fromConfig(const Config::Segments &segments)
{
    FlushOptions o;
    o.maxBytes = segments.maxBytes;
    o.maxAgeMs = segments.maxAgeMs;
    o.tickMs = std::clamp<qint64>(segments.maxAgeMs / 10, 100, 1000);
    o.hotWindow = segments.hotWindow;
    o.retryWindowMs = segments.retryWindowMs;
    o.deadLetterRetryMs = segments.deadLetterRetryMs;
    o.encoding = segments.cborRecords ? segment::RecordEncoding::Cbor : segment::RecordEncoding::Json;
    return o;
}

struct FlushWorker::AppResult {
    int segments = 0;
    bool lockedElsewhere = false;
};

class FlushWorker::Private
{
public:
    Private(FlushDeps deps, FlushOptions options)
        : deps(deps)
        , options(options)
        , index(deps.db)
        , deadLetters(deps.db)
        , recover(QByteArray(kRecover))
        , clearPending(QByteArray(kClearPending))
        , releaseLock(QByteArray(redis::lease::kRelease))
        , renewLock(QByteArray(redis::lease::kRenew))
    {
    }

    struct Failure {
        qint64 firstMs = 0;
        qint64 nextMs = 0;
        int attempts = 0;
        bool dead = false;
    };

    FlushDeps deps;
    FlushOptions options;
    SegmentIndex index;
    DeadLetterRepository deadLetters;
    redis::Script recover;
    redis::Script clearPending;
    redis::Script releaseLock;
    redis::Script renewLock;
    QTimer tickTimer;
    QTimer deadLetterTimer;
    QTimer recoveryTimer;
    QMetaObject::Connection redisConnection;
    bool running = false;
    bool recovering = false; // recoverInBackground() in progress
    QHash<QString, Failure> failures; // by app
    QHash<QString, QHash<QString, qint64>> flushed; // app -> convo -> watermark, as last seen
    QHash<QString, qint64> avgRecordBytes; // by app, from its last flush
    QHash<QString, qint64> lastWaiting; // by app: messages waiting at the last tick
    // By app: when a retry of one of its dead letters last failed, and why. Retries that were
    // waiting meanwhile answer that instead of trying again (an operator retrying many rows
    // while storage is down waits for one attempt, not one per row).
    QHash<QString, std::pair<qint64, Error>> retryFailures;

    // For snapshot(): the pending conversations as of the last tick and recent flush latencies.
    qint64 depth = 0;
    QList<StreamState> streams;
    std::deque<std::pair<qint64, double>> latencies; // (when, ms), oldest first
    qint64 segmentsWritten = 0;
    qint64 bytesWritten = 0;

    void noteFlush(qint64 now, double ms, qint64 bytes)
    {
        ++segmentsWritten;
        bytesWritten += bytes;
        latencies.emplace_back(now, ms);
        while (latencies.size() > kLatencyWindowCount
            || (!latencies.empty() && latencies.front().first < now - kLatencyWindowMs))
            latencies.pop_front();
    }

    static constexpr size_t kLatencyWindowCount = 4096;
    static constexpr qint64 kLatencyWindowMs = 5 * 60 * 1000;
};

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
}

FlushWorker::~FlushWorker() = default;

void FlushWorker::start()
{
    d->tickTimer.start();
    d->deadLetterTimer.start();
    d->recoveryTimer.start();
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

namespace
{

struct PendingConvo {
    QString appId;
    QString convoId;
    qint64 sinceMs = 0;
};

QList<PendingConvo> parsePending(const redis::Value &v)
{
    QList<PendingConvo> out;
    for (qsizetype i = 0; i + 1 < v.elements.size(); i += 2) {
        PendingConvo p;
        if (!parsePendingMember(v.elements[i].str, &p.appId, &p.convoId))
            continue;
        p.sinceMs = v.elements[i + 1].str.toLongLong();
        out.append(p);
    }
    return out;
}

QList<QByteArray> pendingRangeCommand()
{
    return keys::cmd("ZRANGE", pendingKey(), "0", "-1", "WITHSCORES");
}

} // namespace

QCoro::Task<> FlushWorker::tick()
{
    if (d->running)
        co_return;
    d->running = true;
    QPointer<FlushWorker> self(this);

    auto pendingReply = d->deps.redis->exec(pendingRangeCommand());
    const redis::Reply reply = co_await pendingReply;
    if (!self)
        co_return;
    if (!reply) {
        d->running = false;
        Q_EMIT cycleFinished();
        co_return;
    }
    const QList<PendingConvo> pending = parsePending(*reply);

    // Per app: the oldest unflushed message and, for max_bytes and confab_stream_depth, how
    // many messages wait (counter minus the watermark last seen).
    QList<QList<QByteArray>> counterCommands;
    for (const PendingConvo &p : pending)
        counterCommands.append(keys::cmd("GET", keys::seq(p.appId, p.convoId.toUtf8())));
    auto countersFuture = tail::batch(d->deps.redis, counterCommands);
    const QList<redis::Reply> counters = co_await countersFuture;
    if (!self)
        co_return;

    struct AppState {
        QStringList convos;
        qint64 oldestMs = std::numeric_limits<qint64>::max();
        qint64 waiting = 0;
    };
    QHash<QString, AppState> apps;
    qint64 depth = 0;
    QList<StreamState> streams;
    streams.reserve(pending.size());
    for (qsizetype i = 0; i < pending.size(); ++i) {
        const PendingConvo &p = pending[i];
        AppState &a = apps[p.appId];
        a.convos.append(p.convoId);
        a.oldestMs = qMin(a.oldestMs, p.sinceMs);
        const qint64 counter = i < counters.size() && counters[i] ? counters[i]->toInteger() : 0;
        const qint64 waiting
            = qMax<qint64>(0, counter - d->flushed.value(p.appId).value(p.convoId, 0));
        a.waiting += waiting;
        depth += waiting;
        streams.append(StreamState { p.appId, p.convoId, waiting, p.sinceMs });
    }
    if (d->deps.metrics)
        d->deps.metrics->setStreamDepth(depth);
    const qsizetype top = qMin<qsizetype>(streams.size(), PipelineSnapshot::kTopStreams);
    std::partial_sort(streams.begin(), streams.begin() + top, streams.end(),
        [](const StreamState &a, const StreamState &b) { return a.depth > b.depth; });
    streams.resize(top);
    d->depth = depth;
    d->streams = std::move(streams);

    const qint64 now = nowMs();
    for (auto it = apps.cbegin(); it != apps.cend(); ++it) {
        const QString appId = it.key();
        const AppState &a = it.value();
        const auto failure = d->failures.constFind(appId);
        const bool failing = failure != d->failures.constEnd();
        if (failing && now < failure->nextMs)
            continue;
        // By size: flush when the app would pass max_bytes before the next tick (what arrived
        // since the last one arrives again), so a segment closes near max_bytes instead of
        // spilling a small second object.
        const qint64 growth = qMax<qint64>(0, a.waiting - d->lastWaiting.value(appId, a.waiting));
        d->lastWaiting.insert(appId, a.waiting);
        const bool due = failing || a.oldestMs <= now - d->options.maxAgeMs
            || (a.waiting + growth) * d->avgRecordBytes.value(appId, 512) >= d->options.maxBytes;
        if (!due)
            continue;
        auto flushing = flushApp(appId, a.convos, failing);
        const Expected<AppResult> r = co_await flushing;
        if (!self)
            co_return;
        if (r && !r->lockedElsewhere)
            d->lastWaiting.insert(appId, 0); // what waits at the next tick all arrived since
        if (!r) {
            auto noting = noteFailure(appId, a.convos, r.error());
            co_await noting;
            if (!self)
                co_return;
        }
    }
    d->running = false;
    Q_EMIT cycleFinished();
}

QCoro::Task<Expected<int>> FlushWorker::flushNow()
{
    QPointer<FlushWorker> self(this);
    auto idle = waitIdle();
    co_await idle;
    d->running = true;

    auto pendingReply = d->deps.redis->exec(pendingRangeCommand());
    const redis::Reply reply = co_await pendingReply;
    if (!self)
        co_return Error::unavailable(QStringLiteral("flushing: the flush worker is gone"));
    if (!reply) {
        d->running = false;
        Q_EMIT cycleFinished();
        co_return Error::unavailable(QStringLiteral("flushing: reading pending conversations: %1")
                                         .arg(reply.error().message));
    }
    QHash<QString, QStringList> apps;
    for (const PendingConvo &p : parsePending(*reply))
        apps[p.appId].append(p.convoId);

    int written = 0;
    std::optional<Error> firstError;
    for (auto it = apps.cbegin(); it != apps.cend(); ++it) {
        const QString appId = it.key();
        const QStringList convos = it.value();
        // Another node holding the app's lock is flushing it; wait for it, then flush what
        // arrived since, so that on return everything pending at the call is indexed.
        for (int attempt = 0;; ++attempt) {
            auto flushing = flushApp(appId, convos, d->failures.contains(appId));
            const Expected<AppResult> r = co_await flushing;
            if (!self)
                co_return Error::unavailable(QStringLiteral("flushing: the flush worker is gone"));
            if (!r) {
                auto noting = noteFailure(appId, convos, r.error());
                co_await noting;
                if (!firstError)
                    firstError = r.error();
                break;
            }
            if (!r->lockedElsewhere) {
                written += r->segments;
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
        }
    }
    d->running = false;
    Q_EMIT cycleFinished();
    if (firstError)
        co_return *firstError;
    co_return written;
}

QCoro::Task<Expected<FlushWorker::AppResult>> FlushWorker::flushApp(
    QString appId, QStringList convoIds, bool resolve)
{
    QPointer<FlushWorker> self(this);
    const QByteArray token = randomToken(12);
    auto locking = d->deps.redis->exec(keys::cmd(
        "SET", lockKey(appId), token, "NX", "PX", QByteArray::number(d->options.lockTtlMs)));
    const redis::Reply lock = co_await locking;
    if (!self)
        co_return Error::unavailable(
            QStringLiteral("flushing app %1: the flush worker is gone").arg(appId));
    if (!lock)
        co_return Error::unavailable(QStringLiteral("flushing app %1: taking its lock: %2")
                                         .arg(appId, lock.error().message));
    if (lock->isNil())
        co_return AppResult { 0, true };

    auto flushing = flushAppLocked(appId, convoIds, resolve, token);
    Expected<AppResult> result = co_await flushing;
    if (!self)
        co_return Error::unavailable(
            QStringLiteral("flushing app %1: the flush worker is gone").arg(appId));

    auto unlocking
        = d->deps.redis->eval(d->releaseLock, keys::cmd(lockKey(appId)), keys::cmd(token));
    const redis::Reply unlocked = co_await unlocking;
    if (!self)
        co_return Error::unavailable(
            QStringLiteral("flushing app %1: the flush worker is gone").arg(appId));
    if (!unlocked)
        qCInfo(lcSegments) << "could not release the flush lock of app" << appId
                           << "(it expires by itself):" << unlocked.error().message;
    co_return result;
}

QCoro::Task<Expected<FlushWorker::AppResult>> FlushWorker::flushAppLocked(
    QString appId, QStringList convoIds, bool resolve, QByteArray token)
{
    QPointer<FlushWorker> self(this);
    auto watermarksFuture = d->index.flushedSeqs(appId, convoIds);
    const Expected<QHash<QString, qint64>> watermarks = co_await watermarksFuture;
    if (!self)
        co_return Error::unavailable(
            QStringLiteral("flushing app %1: the flush worker is gone").arg(appId));
    if (!watermarks)
        co_return watermarks.error();
    for (auto it = watermarks->cbegin(); it != watermarks->cend(); ++it)
        d->flushed[appId].insert(it.key(), it.value());

    QList<QList<QByteArray>> reads;
    for (const QString &c : convoIds)
        reads.append(xrangeCommand(appId, c, watermarks->value(c), d->options.maxRecordsPerConvo));
    auto readsFuture = tail::batch(d->deps.redis, reads);
    const QList<redis::Reply> replies = co_await readsFuture;
    if (!self)
        co_return Error::unavailable(
            QStringLiteral("flushing app %1: the flush worker is gone").arg(appId));

    QList<ConvoRecords> convos;
    qint64 totalRaw = 0;
    qint64 totalRecords = 0;
    for (qsizetype i = 0; i < convoIds.size(); ++i) {
        if (!replies[i])
            co_return Error::unavailable(
                QStringLiteral("flushing app %1: reading the tail of %2: %3")
                    .arg(appId, convoIds[i], replies[i].error().message));
        ConvoRecords c { convoIds[i], tail::toRecords(*replies[i]), 0 };
        if (c.records.isEmpty())
            continue;
        if (const qint64 expected = watermarks->value(c.convoId) + 1;
            c.records.first().seq != expected)
            qCWarning(lcSegments) << "the tail of" << appId << c.convoId << "starts at"
                                  << c.records.first().seq << "instead of" << expected
                                  << "- those messages were lost from Redis before a flush";
        for (const segment::Record &r : c.records)
            c.rawBytes += r.payload.size();
        totalRaw += c.rawBytes;
        totalRecords += c.records.size();
        convos.append(std::move(c));
    }
    if (totalRecords > 0)
        d->avgRecordBytes.insert(appId, qMax<qint64>(1, totalRaw / totalRecords));

    // Conversations of an app share segments; a segment closes at max_bytes of records.
    QList<QList<ConvoRecords>> groups;
    qint64 groupBytes = 0;
    for (ConvoRecords &c : convos) {
        if (groups.isEmpty() || (groupBytes > 0 && groupBytes + c.rawBytes > d->options.maxBytes)) {
            groups.append(QList<ConvoRecords> {});
            groupBytes = 0;
        }
        groupBytes += c.rawBytes;
        groups.last().append(std::move(c));
    }

    AppResult result;
    QHash<QString, qint64> newWatermarks = *watermarks;
    for (const QList<ConvoRecords> &group : groups) {
        QElapsedTimer sealTimer;
        sealTimer.start();
        qint64 raw = 0;
        qint64 oldestTs = std::numeric_limits<qint64>::max();
        for (const ConvoRecords &c : group) {
            raw += c.rawBytes;
            oldestTs = qMin(oldestTs, c.records.first().ts);
        }
        auto encoding = encodeAsync(appId, group, d->options.encoding, raw >= d->options.offThreadBytes);
        const Expected<segment::SealedSegment> sealed = co_await encoding;
        if (!self)
            co_return Error::unavailable(
                QStringLiteral("flushing app %1: the flush worker is gone").arg(appId));
        if (!sealed)
            co_return sealed.error();

        const QString key = segmentKey(appId, nowMs());
        auto putting = d->deps.store->put(
            key, sealed->bytes, QByteArrayLiteral("application/vnd.confab.segment"));
        const Status put = co_await putting;
        if (!self)
            co_return Error::unavailable(
                QStringLiteral("flushing app %1: the flush worker is gone").arg(appId));
        if (!put)
            co_return Error { put.error().code == ErrorCode::Internal ? ErrorCode::Internal
                                                                      : ErrorCode::Unavailable,
                QStringLiteral("writing segment %1 for app %2: %3")
                    .arg(key, appId, put.error().message) };

        auto committing = d->index.commit(key, sealed->bytes.size(), sealed->blocks);
        const Expected<QHash<QString, qint64>> committed = co_await committing;
        if (!self)
            co_return Error::unavailable(
                QStringLiteral("flushing app %1: the flush worker is gone").arg(appId));
        if (!committed)
            co_return Error { committed.error().code,
                QStringLiteral("indexing segment %1 for app %2: %3")
                    .arg(key, appId, committed.error().message) };
        for (auto it = committed->cbegin(); it != committed->cend(); ++it) {
            newWatermarks.insert(it.key(), it.value());
            d->flushed[appId].insert(it.key(), it.value());
        }
        ++result.segments;
        // From the oldest message of the segment entering the tail to its being indexed.
        const qint64 flushedAt = nowMs();
        const double flushMs = double(qMax<qint64>(0, flushedAt - oldestTs));
        d->noteFlush(flushedAt, flushMs, sealed->bytes.size());
        if (d->deps.metrics) {
            d->deps.metrics->segmentWritten(sealed->bytes.size());
            d->deps.metrics->observeFlush(flushMs / 1000.0);
        }
        qCInfo(lcSegments).nospace()
            << "wrote segment " << key << " (" << sealed->blocks.size() << " blocks, "
            << sealed->bytes.size() << " bytes, sealed in " << sealTimer.elapsed() << " ms)";
        Q_EMIT segmentWritten(appId, key, sealed->bytes.size());
        // The lock is a lease: a node that dies holding it blocks the app for one TTL only.
        auto renewing = d->deps.redis->eval(d->renewLock, keys::cmd(lockKey(appId)),
            keys::cmd(token, QByteArray::number(d->options.lockTtlMs)));
        const redis::Reply renewed = co_await renewing;
        if (!self)
            co_return Error::unavailable(
                QStringLiteral("flushing app %1: the flush worker is gone").arg(appId));
        Q_UNUSED(renewed); // a lost lease costs at most a second node doing the same flush
    }

    // Only now, with the index committed, may the tail shrink, and never past the watermark.
    QList<QList<QByteArray>> trims;
    QList<tail::ScriptCall> clears;
    for (const QString &c : convoIds) {
        const qint64 wm = newWatermarks.value(c);
        const QByteArray convo = c.toUtf8();
        if (wm - d->options.hotWindow >= 1)
            trims.append(keys::cmd("XTRIM", keys::log(appId, convo), "MINID",
                QByteArray::number(wm - d->options.hotWindow + 1) + "-0"));
        clears.append(tail::ScriptCall {
            keys::cmd(pendingKey(), keys::seq(appId, convo), keys::log(appId, convo)),
            keys::cmd(pendingMember(appId, convo), QByteArray::number(wm)) });
    }
    auto trimming = tail::batch(d->deps.redis, trims);
    const QList<redis::Reply> trimmed = co_await trimming;
    if (!self)
        co_return Error::unavailable(
            QStringLiteral("flushing app %1: the flush worker is gone").arg(appId));
    for (const redis::Reply &t : trimmed) {
        if (!t)
            qCInfo(lcSegments) << "trimming the tail of app" << appId
                               << "failed; the next flush retries:" << t.error().message;
    }
    auto clearing = tail::batchEval(d->deps.redis, d->clearPending, clears);
    const QList<redis::Reply> cleared = co_await clearing;
    if (!self)
        co_return Error::unavailable(
            QStringLiteral("flushing app %1: the flush worker is gone").arg(appId));
    Q_UNUSED(cleared);

    if (resolve || d->failures.contains(appId)) {
        for (const QString &c : convoIds) {
            auto resolving = d->deadLetters.resolveFlushed(appId, c, newWatermarks.value(c));
            const Expected<int> resolved = co_await resolving;
            if (!self)
                co_return Error::unavailable(
                    QStringLiteral("flushing app %1: the flush worker is gone").arg(appId));
            if (!resolved)
                co_return resolved.error();
        }
        d->failures.remove(appId);
        auto gauge = updateDeadLetterGauge();
        co_await gauge;
        if (!self)
            co_return Error::unavailable(
                QStringLiteral("flushing app %1: the flush worker is gone").arg(appId));
    }
    co_return result;
}

QCoro::Task<> FlushWorker::noteFailure(QString appId, QStringList convoIds, Error error)
{
    QPointer<FlushWorker> self(this);
    const qint64 now = nowMs();
    Private::Failure &f = d->failures[appId];
    if (f.attempts == 0)
        f.firstMs = now;
    ++f.attempts;
    if (d->deps.metrics)
        d->deps.metrics->flushFailed();
    Q_EMIT flushFailed(appId, error.message);

    const qint64 deadline = f.firstMs + d->options.retryWindowMs;
    if (!f.dead && now < deadline) {
        const qint64 backoff = d->options.retryBaseMs << qMin(f.attempts - 1, 16);
        f.nextMs = qMin(now + backoff, deadline);
        qCInfo(lcSegments) << "flush of app" << appId << "failed, attempt" << f.attempts
                           << "- retrying:" << error.message;
        co_return;
    }
    f.dead = true;
    f.nextMs = now + d->options.deadLetterRetryMs;
    const int attempts = f.attempts;

    // One dead letter per conversation: the range it still has to write.
    const QHash<QString, qint64> known = d->flushed.value(appId);
    QList<QList<QByteArray>> counterCommands;
    for (const QString &c : convoIds)
        counterCommands.append(keys::cmd("GET", keys::seq(appId, c.toUtf8())));
    auto countersFuture = tail::batch(d->deps.redis, counterCommands);
    const QList<redis::Reply> counters = co_await countersFuture;
    if (!self)
        co_return;
    int recorded = 0;
    for (qsizetype i = 0; i < convoIds.size(); ++i) {
        const qint64 first = known.value(convoIds[i]) + 1;
        const qint64 last = counters[i] ? counters[i]->toInteger() : first;
        auto recording = d->deadLetters.record(
            kSegmentFlush, appId, convoIds[i], first, qMax(first, last), attempts, error.message);
        const Expected<DeadLetter> dl = co_await recording;
        if (!self)
            co_return;
        if (dl)
            ++recorded;
        else
            qCWarning(lcSegments) << "could not record a dead letter for" << appId << convoIds[i]
                                  << ":" << dl.error().message;
    }
    qCWarning(lcSegments) << "flush of app" << appId << "failed" << attempts
                          << "times; dead letters for" << recorded
                          << "conversations:" << error.message;
    Q_EMIT deadLettered(appId, recorded);
    auto gauge = updateDeadLetterGauge();
    co_await gauge;
}

QCoro::Task<> FlushWorker::updateDeadLetterGauge()
{
    if (!d->deps.metrics)
        co_return;
    auto counting = d->deadLetters.count();
    const Expected<qint64> n = co_await counting;
    if (n && d->deps.metrics)
        d->deps.metrics->setDeadLetters(*n);
}

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
            calls.append(tail::ScriptCall {
                keys::cmd(keys::seq(w.appId, convo), keys::log(w.appId, convo), pendingKey()),
                keys::cmd(QByteArray::number(w.flushedSeq), pendingMember(w.appId, convo)) });
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
    auto marking
        = d->deps.redis->exec(keys::cmd("SET", recoveredKey(), QByteArray::number(nowMs())));
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

QCoro::Task<> FlushWorker::retryDeadLettersInBackground()
{
    // Failing apps are retried by the tick once their backoff passes; this only makes sure
    // dead letters whose app is no longer pending here (a restarted node) get another try.
    QPointer<FlushWorker> self(this);
    auto listing = d->deadLetters.list(100);
    const Expected<QList<DeadLetter>> open = co_await listing;
    if (!self || !open)
        co_return;
    QSet<QString> apps;
    for (const DeadLetter &dl : *open) {
        if (!d->failures.contains(dl.appId) && !apps.contains(dl.appId)) {
            apps.insert(dl.appId);
            auto retrying = retryDeadLetter(dl.id);
            const Status s = co_await retrying;
            if (!self)
                co_return;
            Q_UNUSED(s);
        }
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
    const qint64 askedMs = nowMs();
    auto getting = d->deadLetters.get(id);
    const Expected<DeadLetter> dl = co_await getting;
    if (!dl)
        co_return dl.error();
    if (!self)
        co_return Error::unavailable(
            QStringLiteral("retrying dead letter %1: the flush worker is gone").arg(id));

    auto idle = waitIdle();
    co_await idle;
    if (!self)
        co_return Error::unavailable(
            QStringLiteral("retrying dead letter %1: the flush worker is gone").arg(id));
    if (const auto failed = d->retryFailures.constFind(dl->appId);
        failed != d->retryFailures.constEnd() && failed->first >= askedMs)
        co_return failed->second;
    d->running = true;

    auto pendingReply = d->deps.redis->exec(pendingRangeCommand());
    const redis::Reply reply = co_await pendingReply;
    QStringList convos { dl->convoId };
    if (reply) {
        for (const PendingConvo &p : parsePending(*reply)) {
            if (p.appId == dl->appId && !convos.contains(p.convoId))
                convos.append(p.convoId);
        }
    }
    auto flushing = flushApp(dl->appId, convos, true);
    const Expected<AppResult> r = co_await flushing;
    if (!self)
        co_return Error::unavailable(
            QStringLiteral("retrying dead letter %1: the flush worker is gone").arg(id));
    Status result = Ok {};
    if (!r) {
        d->retryFailures.insert(dl->appId, { nowMs(), r.error() });
        auto noting = noteFailure(dl->appId, convos, r.error());
        co_await noting;
        result = r.error();
    } else if (r->lockedElsewhere) {
        result = Error::unavailable(
            QStringLiteral("retrying dead letter %1: another node is flushing app %2")
                .arg(id, dl->appId));
    } else {
        d->retryFailures.remove(dl->appId);
    }
    d->running = false;
    Q_EMIT cycleFinished();
    co_return result;
}

} // namespace confab::segments

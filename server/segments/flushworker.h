#pragma once

#include "confab/config.h"
#include "confab/expected.h"
#include "segment/segment.h"
#include "segments/flushplan.h"
#include "segments/storagedeps.h"

#include <QHash>
#include <QObject>
#include <QString>
#include <QStringList>
#include <qcoro/qcorotask.h>

#include <memory>

namespace confab::segments
{

class DeadLetterRepository;
class SegmentIndex;
struct SegmentPlan;

struct FlushOptions {
    qint64 maxBytes = 1048576; // [segments] max_bytes, compared with the uncompressed records
    qint64 maxAgeMs = 30000; // [segments] max_age: oldest unflushed message of an app
    int accumulate = 4; // [segments] accumulate: an app is due by size at this many max_bytes
    qint64 tickMs = 1000; // how often pending conversations may be looked at
    // A tick that finds no app due plans the next look for when one could first be due, at most
    // this long after (flushplan.h, nextScanMs()); 0: every tick.
    qint64 maxScanGapMs = 0;
    qint64 hotWindow = 1000; // messages kept in the tail below the flushed watermark
    qint64 retryWindowMs = 100000; // failed flushes retry this long, then become dead letters
    qint64 retryBaseMs = 1000; // backoff: base * 2^(attempt-1), capped by the window
    qint64 deadLetterRetryMs = 30000; // then retried this often until storage is back
    qint64 recoveryIntervalMs = 300000;
    // How often every slot's pending set is looked at, to repair a lost dirty-slot mark (a
    // node that died between an accept and its SADD on a cluster): bounds that flush's delay.
    qint64 sweepIntervalMs = 60000;
    qint64 offThreadBytes = 262144; // segments at least this large are encoded on a pool thread
    qint64 lockTtlMs = 30000; // per-app flush lease between nodes, renewed after each segment
    int maxRecordsPerConvo = 20000; // per conversation and flush; the rest waits for the next
    // Records read from an app's tails per round of a flush, all its conversations together (at
    // least one record each): with the segment being filled (at most max_bytes), what a flush
    // holds in memory, however much is waiting.
    qint64 readBytes = 16 * 1024 * 1024;
    // One tail read asks Redis for at most readCallBytes, and a round's reads go out at most
    // readAheadBytes' worth at a time (flushplan.h, planTailReads()): a send waits behind that
    // much tail reading at most, about half a millisecond of Redis (docs/storage.md, "Reading
    // the tails").
    qint64 readCallBytes = 64 * 1024;
    qint64 readAheadBytes = 256 * 1024;
    segment::RecordEncoding encoding = segment::RecordEncoding::Json; // [segments] encoding

    [[nodiscard]] static FlushOptions fromConfig(const Config::Segments &segments);
    [[nodiscard]] FlushPolicy policy() const { return { maxBytes, maxAgeMs, accumulate }; }
};

// What the admin WebSocket's stats frame shows of the pipeline (PROTOCOL.md section 6).
struct StreamState {
    QString appId;
    QString convoId;
    qint64 depth = 0; // messages in the tail not yet in segments
    qint64 oldestUnflushedTs = 0; // accept time of the oldest of them
};

struct PipelineSnapshot {
    qint64 streamDepth = 0; // all pending conversations together
    QList<StreamState> streams; // deepest first, at most kTopStreams
    double lastFlushMs = 0; // latencies: oldest message of a segment to its index commit
    double p50Ms = 0;
    double p95Ms = 0;
    double p99Ms = 0;
    qint64 segmentsWritten = 0; // by this node since it started
    qint64 bytesWritten = 0;
    static constexpr int kTopStreams = 50;
};

using FlushDeps = StorageDeps;

// Moves the Redis tail into segment objects (docs/storage.md). Per app, the pending
// conversations share segments (one block each per segment), flushed when the app's oldest
// unflushed message is max_age old or its records reach max_bytes. Segments are cut at
// max_bytes, so a conversation with more waiting spans several objects. Each object: encode,
// PUT, index rows and watermarks in one transaction; then the tail is trimmed below
// watermark - hotWindow. Failures are counted per conversation: one that cannot be written is
// retried and dead-lettered alone while the others of its app go on. One worker per node;
// nodes coordinate through a Redis lease per app, and a block written twice is harmless.
//
// Every dependency must outlive the worker, and the worker every task it returned; stop the
// event loop (or the worker's timers with stop()) before destroying them.
class FlushWorker : public QObject
{
    Q_OBJECT
public:
    FlushWorker(FlushDeps deps, FlushOptions options, QObject *parent = nullptr);
    ~FlushWorker() override;

    // Starts the timers (flush tick, dead-letter retry, recovery sweep) and runs recover()
    // again whenever Redis reconnects. Call recover() first, before accepting sends.
    void start();
    void stop();

    // Every pending conversation written and indexed (POST /admin/flush, flush.now); answers
    // the number of segment objects written. Unavailable if a write failed (that failure
    // counts towards the conversation's dead letter as any other).
    QCoro::Task<Expected<int>> flushNow();

    // Raises each conversation's counter to its flushed watermark where Redis has less (so a
    // seq_no in a segment is never handed out again) and marks every conversation whose
    // counter is ahead of its watermark as pending (what a crash left unflushed).
    QCoro::Task<Status> recover();
    // Runs recover() in the background unless one is running already.
    void requestRecovery();

    // Flushes the dead letter's conversation now, all of it (in as many segments as it takes).
    // NotFound for an unknown or resolved id; the flush's error if it fails again. On success
    // the dead letter is resolved.
    QCoro::Task<Status> retryDeadLetter(QString id);
    // Hides a dead letter (NotFound unless open). Its messages stay pending and the worker
    // keeps trying to write them; a later failure opens a new dead letter.
    QCoro::Task<Status> discardDeadLetter(QString id);

    // As of the last tick; flush percentiles over the last five minutes (at most 4096 flushes).
    [[nodiscard]] PipelineSnapshot snapshot() const;

    [[nodiscard]] DeadLetterRepository *deadLetters() const;
    [[nodiscard]] SegmentIndex *index() const;
    [[nodiscard]] const FlushOptions &options() const;

Q_SIGNALS:
    void segmentWritten(const QString &appId, const QString &key, qint64 bytes);
    void flushFailed(const QString &appId, const QString &error);
    // Conversations of an app whose flush ran out of retries.
    void deadLettered(const QString &appId, int conversations);
    void cycleFinished(); // a flush pass (tick, flushNow or retry) is over

private:
    struct AppResult;
    struct SegmentOutcome;
    QCoro::Task<> tick();
    QCoro::Task<> recoverInBackground();
    QCoro::Task<> sweepInBackground();
    QCoro::Task<> retryDeadLettersInBackground();
    QCoro::Task<> waitIdle();
    // appflush.cpp
    QCoro::Task<AppResult> flushApp(QString appId, QStringList convoIds);
    QCoro::Task<AppResult> flushAppLocked(QString appId, QStringList convoIds, QByteArray token);
    QCoro::Task<SegmentOutcome> writeSegment(QString appId, SegmentPlan plan, QByteArray token);
    QCoro::Task<> finishFlush(
        QString appId, QStringList convoIds, QHash<QString, qint64> watermarks);
    // flushfailures.cpp: failures counted, dead letters recorded or resolved
    QCoro::Task<> settle(QString appId, QStringList convoIds, AppResult result, bool resolve);
    QCoro::Task<> noteFailures(QString appId, QHash<QString, Error> failed);
    QCoro::Task<> updateDeadLetterGauge();

    class Private;
    std::unique_ptr<Private> d;
};

} // namespace confab::segments

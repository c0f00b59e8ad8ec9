#pragma once

// FlushWorker's state, shared by the files that implement it (internal to confab_segments):
//   flushworker.cpp   timers, the tick, flushNow, the pipeline snapshot
//   appflush.cpp      one app's flush: read the tails in bounded rounds, cut, write, index, trim
//   flushfailures.cpp failures per conversation, backoff, dead letters and their retries
//   recovery.cpp      counters and pending marks rebuilt from the segment index
//   pendingslots.cpp  the per-slot pending sets, the dirty-slot set and its sweep

#include "segments/deadletters.h"
#include "segments/flushworker.h"
#include "segments/segmentindex.h"

#include "confab/expected.h"
#include "redis/script.h"
#include "redis/value.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <deque>
#include <optional>
#include <utility>

namespace confab::segments
{

// What one flush of an app did. Failures are per conversation: one whose block the codec
// refused failed alone; a failure of storage, the index or Redis stops the flush and fails every
// conversation with records still unwritten (storageError says which).
struct FlushWorker::AppResult {
    int segments = 0;
    bool lockedElsewhere = false;
    QHash<QString, qint64> watermarks; // every conversation of the batch, as the flush left them
    QHash<QString, Error> failed;
    std::optional<Error> storageError;

    void failAll(const QStringList &convoIds, const Error &error)
    {
        storageError = error;
        for (const QString &c : convoIds) {
            if (!failed.contains(c))
                failed.insert(c, error);
        }
    }
};

class FlushWorker::Private
{
public:
    Private(FlushDeps deps, FlushOptions options);

    // A conversation whose flush fails: retried with backoff until retryWindowMs after the
    // first failure, then dead-lettered and retried every deadLetterRetryMs.
    struct Failure {
        qint64 firstMs = 0;
        qint64 nextMs = 0;
        int attempts = 0;
        bool dead = false;
    };

    [[nodiscard]] const Failure *failure(const QString &appId, const QString &convoId) const;
    void noteFlush(qint64 now, double ms, qint64 bytes);

    FlushDeps deps;
    FlushOptions options;
    SegmentIndex index;
    DeadLetterRepository deadLetters;
    redis::Script recover;
    redis::Script clearPending;
    redis::Script readTail;
    redis::Script releaseLock;
    redis::Script renewLock;
    QTimer tickTimer;
    QTimer deadLetterTimer;
    QTimer recoveryTimer;
    QTimer sweepTimer;
    QMetaObject::Connection redisConnection;
    bool running = false;
    bool recovering = false; // recoverInBackground() in progress
    bool sweeping = false; // a sweep of the pending sets in progress
    QHash<QString, QHash<QString, Failure>> failures; // app -> conversation -> its failure
    QHash<QString, QHash<QString, qint64>> flushed; // app -> convo -> watermark, as last seen
    QHash<QString, qint64> avgRecordBytes; // by app, from its last flush
    QHash<QString, qint64> lastWaiting; // by app: messages waiting at the last look
    qint64 lastScanMs = 0; // when a tick last read the pending sets
    qint64 nextScanMs = 0; // ticks before this leave them unread (nextScanMs() in flushplan.h)
    // By app: when a retry of one of its dead letters last failed for a storage reason, and
    // why. Retries that were waiting meanwhile answer that instead of trying again (an operator
    // retrying many rows while storage is down waits for one attempt, not one per row).
    QHash<QString, std::pair<qint64, Error>> retryFailures;

    // For snapshot(): the pending conversations as of the last tick and recent flush latencies.
    qint64 depth = 0;
    QList<StreamState> streams;
    std::deque<std::pair<qint64, double>> latencies; // (when, ms), oldest first
    qint64 segmentsWritten = 0;
    qint64 bytesWritten = 0;

    static constexpr size_t kLatencyWindowCount = 4096;
    static constexpr qint64 kLatencyWindowMs = 5 * 60 * 1000;
};

namespace flush
{

[[nodiscard]] qint64 nowMs();

} // namespace flush

} // namespace confab::segments

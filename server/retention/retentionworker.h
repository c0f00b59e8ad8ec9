#pragma once

#include "confab/config.h"
#include "confab/expected.h"
#include "segments/storagedeps.h"

#include <QObject>
#include <QString>
#include <qcoro/qcorotask.h>

#include <memory>

namespace confab::retention
{

struct RetentionOptions {
    qint64 maxAgeMs = Config::kMaxRetentionMs; // [retention] max_age: older records are expired
    qint64 intervalMs = 3600000; // [retention] interval: how often a pass runs
    // [retention] multipart_max_age: unfinished attachment uploads (att/...) older than this
    // are aborted by every pass.
    qint64 multipartMaxAgeMs = 86400000;
    int segmentBatch = 500; // expired segments read from the index per query
    int conversationBatch = 500; // conversations whose tails are trimmed per round trip
    int concurrentDeletes = 8; // object deletes in flight at once
    int tailScanPerCall = 1000; // tail entries one script call looks at (Redis stays responsive)
    qint64 lockTtlMs = 60000; // retention:lock, refreshed after every batch
    qint64 lockWaitMs = 120000; // how long runNow() waits for another node's pass

    [[nodiscard]] static RetentionOptions fromConfig(const Config &config);
};

using RetentionDeps = segments::StorageDeps;

// Strict retention (docs/retention.md). A pass, with cutoff = now - maxAge: deletes every
// segment object whose newest record is older than the cutoff and then its index rows; trims
// the tail entries older than the cutoff from every conversation's Redis stream; deletes the
// delivery receipts of conversations that have nothing left to read; aborts the multipart
// attachment uploads started more than multipartMaxAgeMs ago. Sequence counters, read
// watermarks and flush watermarks are kept. Nodes take turns through the Redis lock
// retention:lock; everything a pass does is idempotent, so a pass cut short is simply
// continued by the next.
//
// Every dependency must outlive the worker, and the worker every task it returned; stop() it
// (or stop the event loop) before destroying them.
class RetentionWorker : public QObject
{
    Q_OBJECT
public:
    RetentionWorker(RetentionDeps deps, RetentionOptions options, QObject *parent = nullptr);
    ~RetentionWorker() override;

    // A pass now and then every intervalMs, in the background. A node skips its pass when any
    // node ran one less than intervalMs ago, or holds the lock.
    void start();
    void stop();

    // Runs a pass that starts after this call (waiting for one in progress here, or for
    // another node's, first) and answers the number of segment objects it deleted
    // (POST /admin/retention/run, retention.run). Unavailable if part of the pass failed: what
    // failed is retried by the next pass.
    QCoro::Task<Expected<qint64>> runNow();

    [[nodiscard]] bool isRunning() const;
    [[nodiscard]] const RetentionOptions &options() const;

Q_SIGNALS:
    // A pass ran (under the lock), even if one of its steps failed.
    void passFinished(qint64 segmentsDeleted, qint64 tailEntriesTrimmed);
    // A pass could not take the lock, or one of its steps failed.
    void passFailed(const QString &error);
    // No pass is running here any more (after passFinished or passFailed, or a skipped pass).
    void idle();

private:
    struct Pass;
    QCoro::Task<> tick();
    QCoro::Task<> waitIdle();
    QCoro::Task<Expected<qint64>> runPass(bool waitForLock);
    QCoro::Task<Expected<QByteArray>> takeLock(bool wait);
    QCoro::Task<> releaseLock(QByteArray token);
    QCoro::Task<> extendLock(QByteArray token);
    QCoro::Task<Pass> runSteps(qint64 cutoff, QByteArray token);
    QCoro::Task<Pass> expireSegments(qint64 cutoff, QByteArray token);
    QCoro::Task<Pass> expireTails(qint64 cutoff, QByteArray token);
    QCoro::Task<Pass> abortStaleUploads();
    void record(const Pass &pass, qint64 cutoff, qint64 elapsedMs);

    class Private;
    std::unique_ptr<Private> d;
};

} // namespace confab::retention

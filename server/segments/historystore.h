#pragma once

#include "confab/expected.h"
#include "segment/segment.h"
#include "segments/page.h"
#include "segments/segmentindex.h"
#include "segments/storagedeps.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <qcoro/qcorotask.h>

#include <memory>

namespace confab::segments
{

struct HistoryOptions {
    qint64 cacheBytes = 16 * 1024 * 1024; // decoded blocks kept in memory
    qint64 retentionMs = 0; // older messages are never returned; 0: no limit
    int blocksPerQuery = 8;
};

// A conversation's history as one ascending sequence: the Redis tail and the segment blocks
// (fetched with a Range GET of just that block, through a small cache). A conversation may be
// split over several blocks and objects; they are read as one sequence, each seq_no once.
//
// Why the boundary cannot tear: the tail is read first. Everything missing below the tail's
// first entry was trimmed, and trimming happens only after the index commit, so the index read
// that follows sees it.
class HistoryStore : public QObject
{
    Q_OBJECT
public:
    HistoryStore(redis::Client *redis, store::Database *db, objectstore::ObjectStore *store,
        metrics::Metrics *metrics, HistoryOptions options, QObject *parent = nullptr);
    ~HistoryStore() override;

    static constexpr int kMaxLimit = 200;

    // seq_no > afterSeq, ascending; hasMore if newer ones exist.
    QCoro::Task<Expected<Page>> after(
        QString appId, QByteArray convoId, qint64 afterSeq, int limit);
    // The `limit` messages just before beforeSeq, ascending; hasMore if older ones exist.
    QCoro::Task<Expected<Page>> before(
        QString appId, QByteArray convoId, qint64 beforeSeq, int limit);
    // The newest `limit` messages.
    QCoro::Task<Expected<Page>> latest(QString appId, QByteArray convoId, int limit);

    // For tests and stats: blocks fetched from object storage and found in the cache.
    [[nodiscard]] qint64 blockFetches() const;
    [[nodiscard]] qint64 cacheHits() const;

private:
    QCoro::Task<Expected<Page>> readBackward(
        QString appId, QByteArray convoId, qint64 beforeSeq, int limit);
    QCoro::Task<Expected<std::shared_ptr<const QList<segment::Record>>>> loadBlock(
        QString appId, QString convoId, BlockRef block);

    class Private;
    std::unique_ptr<Private> d;
};

} // namespace confab::segments

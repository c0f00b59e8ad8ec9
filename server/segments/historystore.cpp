#include "segments/historystore.h"

#include "segments/blockcache.h"
#include "segments/logging.h"
#include "segments/tail.h"

#include "metrics/metrics.h"
#include "objectstore/objectstore.h"
#include "redis/client.h"
#include "schema/keys.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <qcoro/qcorofuture.h>

#include <algorithm>
#include <limits>

namespace confab::segments
{

namespace keys = confab::schema::keys;
using segment::Record;

namespace
{

constexpr qint64 kNoBound = std::numeric_limits<qint64>::max();

// `records` ascending; the first `limit` make the page.
Page toPage(QList<Record> records, int limit, bool hasMore)
{
    Page page;
    if (records.size() > limit) {
        records.resize(limit);
        hasMore = true;
    }
    page.hasMore = hasMore;
    page.messages.reserve(records.size());
    for (Record &r : records)
        page.messages.append(std::move(r.payload));
    if (!records.isEmpty()) {
        page.firstSeq = records.first().seq;
        page.lastSeq = records.last().seq;
    }
    return page;
}

QList<Record> dropExpired(QList<Record> records, qint64 minTs)
{
    if (minTs > 0)
        records.removeIf([minTs](const Record &r) { return r.ts < minTs; });
    return records;
}

QByteArray sourceOf(bool fromTail, bool fromSegments)
{
    if (fromTail && fromSegments)
        return QByteArrayLiteral("mixed");
    return fromSegments ? QByteArrayLiteral("segments") : QByteArrayLiteral("tail");
}

QList<QByteArray> afterCommand(
    const QString &appId, const QByteArray &convoId, qint64 afterSeq, int count)
{
    return keys::cmd("XRANGE", keys::log(appId, convoId), QByteArray::number(afterSeq + 1) + "-0",
        "+", "COUNT", QByteArray::number(count));
}

QList<QByteArray> beforeCommand(
    const QString &appId, const QByteArray &convoId, qint64 beforeSeq, int count)
{
    const QByteArray from
        = beforeSeq == kNoBound ? QByteArray("+") : QByteArray::number(beforeSeq - 1) + "-0";
    return keys::cmd(
        "XREVRANGE", keys::log(appId, convoId), from, "-", "COUNT", QByteArray::number(count));
}

} // namespace

class HistoryStore::Private
{
public:
    Private(redis::Client *redis, store::Database *db, objectstore::ObjectStore *store,
        metrics::Metrics *metrics, HistoryOptions options)
        : redis(redis)
        , index(db)
        , store(store)
        , metrics(metrics)
        , options(options)
        , cache(options.cacheBytes)
    {
    }

    [[nodiscard]] qint64 minTs() const
    {
        return options.retentionMs > 0 ? QDateTime::currentMSecsSinceEpoch() - options.retentionMs
                                       : 0;
    }

    void observe(bool fromTail, bool fromSegments, const QElapsedTimer &t) const
    {
        if (metrics)
            metrics->observeHistoryRead(sourceOf(fromTail, fromSegments), t.nsecsElapsed() / 1e9);
    }

    redis::Client *redis;
    SegmentIndex index;
    objectstore::ObjectStore *store;
    metrics::Metrics *metrics;
    HistoryOptions options;
    BlockCache cache;
    qint64 fetches = 0;
    qint64 hits = 0;
};

HistoryStore::HistoryStore(redis::Client *redis, store::Database *db,
    objectstore::ObjectStore *store, metrics::Metrics *metrics, HistoryOptions options,
    QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(redis, db, store, metrics, options))
{
}

HistoryStore::~HistoryStore() = default;

qint64 HistoryStore::blockFetches() const
{
    return d->fetches;
}

qint64 HistoryStore::cacheHits() const
{
    return d->hits;
}

QCoro::Task<Expected<std::shared_ptr<const QList<Record>>>> HistoryStore::loadBlock(
    QString appId, QString convoId, BlockRef block)
{
    if (BlockCache::Records cached = d->cache.find(block.segmentKey, block.offset)) {
        ++d->hits;
        co_return cached;
    }
    ++d->fetches;
    auto getting
        = d->store->get(block.segmentKey, objectstore::ByteRange { block.offset, block.length });
    const Expected<QByteArray> bytes = co_await getting;
    // Listed just before it expired, deleted by a retention pass since: nothing in it is
    // readable any more, so it reads as empty rather than as a broken index.
    if (!bytes && bytes.error().code == ErrorCode::NotFound && block.lastTs < d->minTs())
        co_return std::make_shared<const QList<Record>>();
    if (!bytes)
        co_return Error { bytes.error().code == ErrorCode::NotFound ? ErrorCode::Internal
                                                                    : bytes.error().code,
            QStringLiteral("reading block %1@%2 of %3/%4: %5")
                .arg(block.segmentKey)
                .arg(block.offset)
                .arg(appId, convoId, bytes.error().message) };
    Expected<segment::Block> decoded = segment::decodeBlock(*bytes, appId, convoId);
    if (!decoded)
        co_return Error::internal(QStringLiteral("decoding block %1@%2 of %3/%4: %5")
                                      .arg(block.segmentKey)
                                      .arg(block.offset)
                                      .arg(appId, convoId, decoded.error().message));
    auto records = std::make_shared<const QList<Record>>(std::move(decoded->records));
    d->cache.insert(block.segmentKey, block.offset, records);
    co_return records;
}

QCoro::Task<Expected<Page>> HistoryStore::after(
    QString appId, QByteArray convoId, qint64 afterSeq, int limit)
{
    QElapsedTimer timer;
    timer.start();
    limit = std::clamp(limit, 1, kMaxLimit);
    afterSeq = qMax<qint64>(0, afterSeq);
    const qint64 minTs = d->minTs();

    auto reading = d->redis->exec(afterCommand(appId, convoId, afterSeq, limit + 1));
    const redis::Reply reply = co_await reading;
    if (!reply)
        co_return Error::unavailable(
            QStringLiteral("reading history: %1").arg(reply.error().message));
    const QList<Record> tailRecords = tail::toRecords(*reply);
    if (!tailRecords.isEmpty() && tailRecords.first().seq == afterSeq + 1) {
        d->observe(true, false, timer);
        co_return toPage(dropExpired(tailRecords, minTs), limit, false);
    }

    // The start was trimmed from the tail (or Redis lost it): it is in the segments, up to
    // the first entry the tail still has.
    const QString convo = QString::fromUtf8(convoId);
    const qint64 upper = tailRecords.isEmpty() ? kNoBound : tailRecords.first().seq;
    QList<Record> out;
    qint64 lastEmitted = afterSeq;
    qint64 queryFrom = afterSeq;
    bool reachedTail = false;
    while (out.size() <= limit && !reachedTail) {
        auto querying
            = d->index.blocksAfter(appId, convo, queryFrom, minTs, d->options.blocksPerQuery);
        const Expected<QList<BlockRef>> blocks = co_await querying;
        if (!blocks)
            co_return Error { blocks.error().code,
                QStringLiteral("reading history: %1").arg(blocks.error().message) };
        for (const BlockRef &b : *blocks) {
            if (b.firstSeq >= upper) {
                reachedTail = true;
                break;
            }
            auto loading = loadBlock(appId, convo, b);
            const Expected<std::shared_ptr<const QList<Record>>> records = co_await loading;
            if (!records)
                co_return records.error();
            for (const Record &r : **records) {
                if (r.seq > lastEmitted && r.seq < upper) {
                    out.append(r);
                    lastEmitted = r.seq;
                }
            }
            queryFrom = qMax(queryFrom, b.lastSeq);
            if (b.lastSeq >= upper - 1)
                reachedTail = true;
            if (out.size() > limit || reachedTail)
                break;
        }
        if (blocks->size() < d->options.blocksPerQuery)
            break;
    }
    const bool fromSegments = !out.isEmpty();
    bool fromTail = false;
    for (const Record &r : tailRecords) {
        if (out.size() > limit)
            break;
        if (r.seq > lastEmitted) {
            out.append(r);
            lastEmitted = r.seq;
            fromTail = true;
        }
    }
    d->observe(fromTail, fromSegments, timer);
    co_return toPage(dropExpired(std::move(out), minTs), limit, false);
}

QCoro::Task<Expected<Page>> HistoryStore::before(
    QString appId, QByteArray convoId, qint64 beforeSeq, int limit)
{
    if (beforeSeq <= 1)
        co_return Page {};
    auto reading = readBackward(std::move(appId), std::move(convoId), beforeSeq, limit);
    co_return co_await reading;
}

QCoro::Task<Expected<Page>> HistoryStore::latest(QString appId, QByteArray convoId, int limit)
{
    auto reading = readBackward(std::move(appId), std::move(convoId), kNoBound, limit);
    co_return co_await reading;
}

QCoro::Task<Expected<Page>> HistoryStore::readBackward(
    QString appId, QByteArray convoId, qint64 beforeSeq, int limit)
{
    QElapsedTimer timer;
    timer.start();
    limit = std::clamp(limit, 1, kMaxLimit);
    const qint64 minTs = d->minTs();

    auto reading = d->redis->exec(beforeCommand(appId, convoId, beforeSeq, limit + 1));
    const redis::Reply reply = co_await reading;
    if (!reply)
        co_return Error::unavailable(
            QStringLiteral("reading history: %1").arg(reply.error().message));
    QList<Record> out = tail::toRecords(*reply); // descending
    const bool fromTail = !out.isEmpty();
    bool fromSegments = false;
    if (out.size() <= limit && (out.isEmpty() || out.last().seq > 1)) {
        const QString convo = QString::fromUtf8(convoId);
        qint64 lowest = out.isEmpty() ? beforeSeq : out.last().seq;
        qint64 queryBelow = lowest;
        while (out.size() <= limit) {
            auto querying
                = d->index.blocksBefore(appId, convo, queryBelow, minTs, d->options.blocksPerQuery);
            const Expected<QList<BlockRef>> blocks = co_await querying;
            if (!blocks)
                co_return Error { blocks.error().code,
                    QStringLiteral("reading history: %1").arg(blocks.error().message) };
            for (const BlockRef &b : *blocks) {
                auto loading = loadBlock(appId, convo, b);
                const Expected<std::shared_ptr<const QList<Record>>> records = co_await loading;
                if (!records)
                    co_return records.error();
                const QList<Record> &rs = **records;
                for (auto it = rs.crbegin(); it != rs.crend() && out.size() <= limit; ++it) {
                    if (it->seq < lowest) {
                        out.append(*it);
                        lowest = it->seq;
                        fromSegments = true;
                    }
                }
                queryBelow = qMin(queryBelow, b.firstSeq);
                if (out.size() > limit)
                    break;
            }
            if (blocks->size() < d->options.blocksPerQuery)
                break;
        }
    }
    // Retention: descending, so everything from the first expired record on is gone.
    if (minTs > 0) {
        const auto expired = std::find_if(
            out.cbegin(), out.cend(), [minTs](const Record &r) { return r.ts < minTs; });
        out.erase(expired, out.cend());
    }
    const bool hasMore = out.size() > limit;
    if (hasMore)
        out.resize(limit);
    std::reverse(out.begin(), out.end());
    d->observe(fromTail, fromSegments, timer);
    co_return toPage(std::move(out), limit, hasMore);
}

} // namespace confab::segments

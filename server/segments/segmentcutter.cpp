#include "segments/segmentcutter.h"

#include <QPromise>
#include <QThreadPool>

#include <algorithm>
#include <limits>
#include <memory>

namespace confab::segments
{

namespace
{

// The record header of the block format (docs/segment-format.md, "Record stream").
constexpr qint64 kRecordHeaderBytes = 20;

} // namespace

qint64 SegmentPlan::oldestTs() const
{
    qint64 oldest = std::numeric_limits<qint64>::max();
    for (const Piece &p : blocks)
        oldest = qMin(oldest, p.records.constFirst().ts);
    return blocks.isEmpty() ? 0 : oldest;
}

qint64 recordBytes(const segment::Record &record)
{
    return kRecordHeaderBytes + record.payload.size();
}

qint64 blockLimit(segment::RecordEncoding encoding)
{
    return encoding == segment::RecordEncoding::Json ? segment::MaxBlockRawBytes
                                                     : segment::MaxBlockRawBytes / 4;
}

SegmentCutter::SegmentCutter(qint64 maxBytes, segment::RecordEncoding encoding)
    : m_limit(qBound<qint64>(1, maxBytes, blockLimit(encoding)))
{
}

void SegmentCutter::add(const QString &convoId, QList<segment::Record> records)
{
    if (records.isEmpty())
        return;
    qint64 bytes = 0;
    for (const segment::Record &r : records)
        bytes += recordBytes(r);
    m_buffered += bytes;
    for (Run &run : m_runs) {
        if (run.convoId == convoId) {
            run.records.append(std::move(records));
            run.bytes += bytes;
            return;
        }
    }
    m_runs.append(Run { convoId, std::move(records), bytes });
}

bool SegmentCutter::holds(const QString &convoId) const
{
    return std::any_of(m_runs.cbegin(), m_runs.cend(),
        [&convoId](const Run &run) { return run.convoId == convoId; });
}

void SegmentCutter::drop(const QString &convoId)
{
    for (qsizetype i = 0; i < m_runs.size(); ++i) {
        if (m_runs[i].convoId == convoId) {
            m_buffered -= m_runs[i].bytes;
            m_runs.removeAt(i);
            return;
        }
    }
}

QList<SegmentPlan> SegmentCutter::take(bool all)
{
    QList<SegmentPlan> out;
    SegmentPlan current;
    for (const Run &run : std::as_const(m_runs)) {
        const qsizetype n = run.records.size();
        qsizetype i = 0;
        while (i < n) {
            // As many of the run's records as fit; an empty segment takes at least one.
            qint64 bytes = 0;
            qsizetype j = i;
            while (j < n) {
                const qint64 b = recordBytes(run.records[j]);
                if (current.bytes + bytes + b > m_limit && !(current.blocks.isEmpty() && j == i))
                    break;
                bytes += b;
                ++j;
            }
            if (j == i) { // not one more record fits: the segment is full
                out.append(std::move(current));
                current = SegmentPlan {};
                continue;
            }
            current.blocks.append(Piece { run.convoId, run.records.mid(i, j - i) });
            current.bytes += bytes;
            i = j;
            if (i < n) {
                out.append(std::move(current));
                current = SegmentPlan {};
            }
        }
    }
    m_runs.clear();
    m_buffered = 0;
    if (current.blocks.isEmpty())
        return out;
    if (all) {
        out.append(std::move(current));
        return out;
    }
    for (Piece &p : current.blocks)
        add(p.convoId, std::move(p.records));
    return out;
}

EncodedSegment encodeSegment(
    const QString &appId, const SegmentPlan &plan, segment::RecordEncoding encoding)
{
    EncodedSegment out;
    segment::SegmentWriter writer(appId, encoding);
    for (const Piece &p : plan.blocks) {
        // addBlock leaves the writer as it was when it refuses, so the others still go in.
        if (Status s = writer.addBlock(p.convoId, p.records); !s)
            out.refused.append({ p.convoId,
                Error { s.error().code,
                    QStringLiteral("encoding block %1/%2 (seq %3..%4): %5")
                        .arg(appId, p.convoId)
                        .arg(p.records.constFirst().seq)
                        .arg(p.records.constLast().seq)
                        .arg(s.error().message) } });
    }
    if (writer.blockCount() == 0)
        return out;
    Expected<segment::SealedSegment> sealed = writer.finish();
    if (!sealed)
        out.error = sealed.error();
    else
        out.sealed = std::move(sealed).value();
    return out;
}

QFuture<EncodedSegment> encodeSegmentAsync(
    QString appId, SegmentPlan plan, segment::RecordEncoding encoding, bool offThread)
{
    auto promise = std::make_shared<QPromise<EncodedSegment>>();
    promise->start();
    QFuture<EncodedSegment> future = promise->future();
    auto job = [promise, appId = std::move(appId), plan = std::move(plan), encoding] {
        promise->addResult(encodeSegment(appId, plan, encoding));
        promise->finish();
    };
    if (offThread)
        QThreadPool::globalInstance()->start(std::move(job));
    else
        job();
    return future;
}

} // namespace confab::segments

#pragma once

// Cutting an app's unflushed records into segment objects by size (docs/storage.md, "Flush");
// internal to confab_segments. Pure logic, no I/O: tests/segments/tst_segmentcutter.cpp.

#include "confab/expected.h"
#include "segment/segment.h"

#include <QFuture>
#include <QList>
#include <QString>

#include <optional>

namespace confab::segments
{

// Consecutive records of one conversation: one block of a segment.
struct Piece {
    QString convoId;
    QList<segment::Record> records;
};

// One object to write: at most one block per conversation.
struct SegmentPlan {
    QList<Piece> blocks;
    qint64 bytes = 0; // record-stream bytes, as the codec counts them

    [[nodiscard]] qint64 oldestTs() const;
};

// What a record takes in a block's record stream: its 20-byte header and the payload.
[[nodiscard]] qint64 recordBytes(const segment::Record &record);

// The most record-stream bytes one block may hold with this encoding: the codec's limit for
// JSON, whose payloads are stored as they are; a quarter of it for CBOR, which may store a
// payload in more bytes than its JSON (a number such as 0.1 takes 9), so that no block the
// cutter makes is ever refused for its size.
[[nodiscard]] qint64 blockLimit(segment::RecordEncoding encoding);

// Buffers the records a flush has read and cuts them into segments of at most limit() bytes
// (max_bytes, never more than blockLimit()). A conversation larger than that spans several
// segments, one block in each; a single record larger than limit() gets a segment of its own.
class SegmentCutter
{
public:
    SegmentCutter(qint64 maxBytes, segment::RecordEncoding encoding);

    [[nodiscard]] qint64 limit() const { return m_limit; }
    [[nodiscard]] qint64 bufferedBytes() const { return m_buffered; }
    [[nodiscard]] bool isEmpty() const { return m_runs.isEmpty(); }
    // Whether records of this conversation are buffered.
    [[nodiscard]] bool holds(const QString &convoId) const;

    // Appends records of a conversation, consecutive and following what is buffered of it.
    void add(const QString &convoId, QList<segment::Record> records);
    // Forgets everything buffered of a conversation.
    void drop(const QString &convoId);

    // The full segments, in order; with `all` also the last, partly filled one, otherwise that
    // one stays buffered to be filled by what is read next.
    [[nodiscard]] QList<SegmentPlan> take(bool all);

private:
    struct Run {
        QString convoId;
        QList<segment::Record> records;
        qint64 bytes = 0;
    };
    QList<Run> m_runs; // in the order conversations first arrived
    qint64 m_limit = 0;
    qint64 m_buffered = 0;
};

// A plan encoded: the object (unless every block was refused) and the conversations whose
// block the codec refused (a reason tied to that conversation, such as a record it cannot
// store), which the object then leaves out.
struct EncodedSegment {
    std::optional<segment::SealedSegment> sealed;
    QList<std::pair<QString, Error>> refused;
    std::optional<Error> error; // the segment as a whole could not be sealed
};

[[nodiscard]] EncodedSegment encodeSegment(
    const QString &appId, const SegmentPlan &plan, segment::RecordEncoding encoding);
// The same, on a pool thread when offThread (zstd on megabytes would stall the loop).
[[nodiscard]] QFuture<EncodedSegment> encodeSegmentAsync(
    QString appId, SegmentPlan plan, segment::RecordEncoding encoding, bool offThread);

} // namespace confab::segments

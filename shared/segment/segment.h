#pragma once

#include "confab/expected.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <memory>

// The history segment format: docs/segment-format.md describes every byte.
namespace confab::segment {

// The newest layout this code writes; it reads every version up to this one.
inline constexpr quint16 FormatVersion = 1;
// Upper bound on one block's records once decompressed, so a hostile or corrupt length
// can never make a reader allocate more than this.
inline constexpr qint64 MaxBlockRawBytes = 64 * 1024 * 1024;
// App and conversation ids are stored as UTF-8 behind a 16-bit length.
inline constexpr int MaxIdBytes = 0xFFFF;

enum class RecordEncoding : quint8 { Json = 1, Cbor = 2 };

// One message as stored: payload is the JSON envelope bytes (as in the Redis tail).
// With Cbor encoding the codec stores the same JSON value as CBOR and hands back compact
// JSON, so the value round trips but not necessarily its bytes (object keys come back sorted).
struct Record {
    qint64 seq = 0;
    qint64 ts = 0;
    QByteArray payload;

    friend bool operator==(const Record &, const Record &) = default;
};

// What the segment index keeps per block: enough to Range GET it and to recognise it
// again (a block written twice carries the same app, conversation and seq range).
struct BlockInfo {
    QString appId;
    QString convoId;
    RecordEncoding encoding = RecordEncoding::Json;
    qint64 firstSeq = 0;
    qint64 lastSeq = 0;
    qint64 firstTs = 0; // ts of the record with firstSeq
    qint64 lastTs = 0;  // ts of the record with lastSeq
    qint64 offset = 0;  // within the segment object; 0 for a block decoded on its own
    qint64 length = 0;  // bytes of the block, for a Range GET of [offset, offset+length)
    int count = 0;

    friend bool operator==(const BlockInfo &, const BlockInfo &) = default;
};

struct Block {
    BlockInfo info;
    QList<Record> records;
};

struct SealedSegment {
    QByteArray bytes;         // the whole object
    QList<BlockInfo> blocks;  // in object order, offsets within bytes
    qint64 rawPayloadBytes = 0; // sum of the stored payload sizes, before compression
};

// Builds one segment object in memory. Blocks are compressed as they are added, so the
// writer only ever holds compressed bytes. Not a QObject: it may be handed to a worker
// thread for large segments, but is not safe to share between threads.
class SegmentWriter
{
public:
    explicit SegmentWriter(QString appId, RecordEncoding encoding = RecordEncoding::Json,
                           int zstdLevel = 3);
    ~SegmentWriter();
    SegmentWriter(SegmentWriter &&) noexcept;
    SegmentWriter &operator=(SegmentWriter &&) noexcept;
    SegmentWriter(const SegmentWriter &) = delete;
    SegmentWriter &operator=(const SegmentWriter &) = delete;

    // records: one conversation's, seq consecutive and ascending, at least one. A segment
    // holds one block per conversation; a second block for the same conversation is a
    // Conflict. Bad input is BadRequest, a block over MaxBlockRawBytes PayloadTooLarge.
    [[nodiscard]] Status addBlock(const QString &convoId, const QList<Record> &records);

    [[nodiscard]] QString appId() const;
    [[nodiscard]] RecordEncoding encoding() const;
    [[nodiscard]] int blockCount() const;
    // Exact size the object would have if sealed now (for max_bytes).
    [[nodiscard]] qint64 size() const;

    // Seals the segment and leaves the writer empty, ready for the next one.
    [[nodiscard]] Expected<SealedSegment> finish();

private:
    class Private;
    std::unique_ptr<Private> d;
};

// Decodes one block from exactly its bytes, as fetched with a Range GET. Non-empty
// expectedAppId / expectedConvoId must match what the block says it holds. Corrupt,
// truncated or mismatched input is an Internal error with a message; never a crash.
[[nodiscard]] Expected<Block> decodeBlock(QByteArrayView blockBytes,
                                          const QString &expectedAppId = {},
                                          const QString &expectedConvoId = {});

// Validates a whole segment object (header, every block's header and checksum, the
// directory) without decompressing anything and returns its directory.
[[nodiscard]] Expected<QList<BlockInfo>> readDirectory(QByteArrayView wholeSegment);

// CRC-32C (Castagnoli), the checksum every part of the format carries.
[[nodiscard]] quint32 crc32c(QByteArrayView data, quint32 crc = 0);

} // namespace confab::segment

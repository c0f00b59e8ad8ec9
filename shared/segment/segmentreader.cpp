#include "segment/format_p.h"
#include "segment/segment.h"

#include <QCborMap>
#include <QCborArray>
#include <QCborStreamReader>
#include <QCborValue>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QStringDecoder>

#include <zstd.h>

namespace confab::segment {

namespace detail {

std::optional<QString> strictUtf8(QByteArrayView bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8,
                           QStringDecoder::Flag::Stateless | QStringDecoder::Flag::ConvertInitialBom);
    QString s = decoder.decode(bytes);
    if (decoder.hasError() || s.toUtf8() != bytes)
        return std::nullopt;
    return s;
}

bool validEncoding(quint8 value)
{
    return value == quint8(RecordEncoding::Json) || value == quint8(RecordEncoding::Cbor);
}

QString encodingName(RecordEncoding encoding)
{
    return encoding == RecordEncoding::Cbor ? QStringLiteral("cbor") : QStringLiteral("json");
}

Expected<QByteArray> jsonToCbor(const QByteArray &json)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (err.error != QJsonParseError::NoError)
        return Error::badRequest(QStringLiteral("payload is not JSON: %1").arg(err.errorString()));
    const QCborValue value = doc.isArray() ? QCborValue(QCborArray::fromJsonArray(doc.array()))
                                           : QCborValue(QCborMap::fromJsonObject(doc.object()));
    return value.toCbor();
}

Expected<QByteArray> cborToJson(QByteArrayView cbor)
{
    QCborStreamReader reader(cbor.data(), cbor.size());
    const QCborValue value = QCborValue::fromCbor(reader);
    if (reader.lastError() != QCborError::NoError)
        return Error::internal(QStringLiteral("CBOR payload: %1").arg(reader.lastError().toString()));
    if (reader.currentOffset() != cbor.size())
        return Error::internal(QStringLiteral("CBOR payload: trailing bytes"));
    if (value.isMap())
        return QJsonDocument(value.toMap().toJsonObject()).toJson(QJsonDocument::Compact);
    if (value.isArray())
        return QJsonDocument(value.toArray().toJsonArray()).toJson(QJsonDocument::Compact);
    return Error::internal(QStringLiteral("CBOR payload: neither a map nor an array"));
}

Expected<BlockHeader> parseBlockHeader(QByteArrayView block)
{
    const auto fail = [](const QString &why) {
        return Error::internal(QStringLiteral("decoding a segment block: %1").arg(why));
    };
    ByteReader r(block);
    const QByteArrayView magic = r.bytes(4);
    const quint16 version = r.read<quint16>();
    const quint8 encoding = r.read<quint8>();
    const quint8 flags = r.read<quint8>();
    const quint32 count = r.read<quint32>();
    BlockHeader h;
    h.info.firstSeq = r.read<qint64>();
    h.info.lastSeq = r.read<qint64>();
    h.info.firstTs = r.read<qint64>();
    h.info.lastTs = r.read<qint64>();
    h.rawLength = r.read<quint32>();
    const quint32 frameLength = r.read<quint32>();
    const quint16 appLength = r.read<quint16>();
    const quint16 convoLength = r.read<quint16>();
    if (!r.ok())
        return fail(QStringLiteral("truncated header (%1 bytes)").arg(block.size()));
    if (magic != BlockMagic)
        return fail(QStringLiteral("bad magic"));
    if (version < 1 || version > FormatVersion)
        return fail(QStringLiteral("unsupported version %1").arg(version));
    if (!validEncoding(encoding))
        return fail(QStringLiteral("unknown record encoding %1").arg(encoding));
    if (flags != 0)
        return fail(QStringLiteral("unknown flags %1").arg(flags));
    // Every length is checked against what is actually there before anything is read or
    // allocated: the total must match to the byte.
    const qint64 expected = BlockHeaderFixed + qint64(appLength) + convoLength + frameLength
            + ChecksumSize;
    if (expected != block.size())
        return fail(QStringLiteral("length %1 does not match its header (%2)")
                            .arg(block.size())
                            .arg(expected));
    const QByteArrayView appBytes = r.bytes(appLength);
    const QByteArrayView convoBytes = r.bytes(convoLength);
    h.frame = r.bytes(frameLength);
    const QByteArrayView covered = block.first(r.pos());
    const quint32 stored = r.read<quint32>();
    if (!r.ok())
        return fail(QStringLiteral("truncated"));
    if (checksumMismatch(stored, crc32c(covered)))
        return fail(QStringLiteral("checksum mismatch"));

    auto appId = strictUtf8(appBytes);
    auto convoId = strictUtf8(convoBytes);
    if (!appId || appId->isEmpty() || !convoId || convoId->isEmpty())
        return fail(QStringLiteral("empty or invalid UTF-8 app or conversation id"));
    if (count < 1 || count > quint32(std::numeric_limits<int>::max()))
        return fail(QStringLiteral("bad record count %1").arg(count));
    if (h.info.firstSeq < 1 || h.info.firstSeq > std::numeric_limits<qint64>::max() - count
        || h.info.lastSeq != h.info.firstSeq + qint64(count) - 1)
        return fail(QStringLiteral("seq range %1..%2 does not hold %3 records")
                            .arg(h.info.firstSeq)
                            .arg(h.info.lastSeq)
                            .arg(count));
    if (h.rawLength > MaxBlockRawBytes || qint64(h.rawLength) < qint64(count) * RecordHeader)
        return fail(QStringLiteral("records length %1 impossible for %2 records")
                            .arg(h.rawLength)
                            .arg(count));
    h.info.appId = std::move(*appId);
    h.info.convoId = std::move(*convoId);
    h.info.encoding = RecordEncoding(encoding);
    h.info.count = int(count);
    h.info.length = block.size();
    return h;
}

} // namespace detail

using namespace detail;

namespace {

struct DCtxDeleter {
    void operator()(ZSTD_DCtx *c) const { ZSTD_freeDCtx(c); }
};

Expected<QByteArray> decompress(const BlockHeader &h)
{
    const auto fail = [&h](const QString &why) {
        return Error::internal(QStringLiteral("decoding block %1 of app %2: %3")
                                       .arg(h.info.convoId, h.info.appId, why));
    };
    // Exactly one frame, declaring exactly the size the header promised: the output buffer
    // is sized from a bounded, cross-checked number, never from the frame alone.
    const size_t frameSize = ZSTD_findFrameCompressedSize(h.frame.data(), size_t(h.frame.size()));
    if (ZSTD_isError(frameSize) || frameSize != size_t(h.frame.size()))
        return fail(QStringLiteral("not exactly one zstd frame"));
    const unsigned long long content = ZSTD_getFrameContentSize(h.frame.data(), size_t(h.frame.size()));
    if (content != h.rawLength)
        return fail(QStringLiteral("zstd frame size does not match the header"));
    std::unique_ptr<ZSTD_DCtx, DCtxDeleter> dctx(ZSTD_createDCtx());
    if (!dctx)
        return fail(QStringLiteral("out of memory for zstd"));
    QByteArray out(qsizetype(h.rawLength), Qt::Uninitialized);
    const size_t n = ZSTD_decompressDCtx(dctx.get(), out.data(), size_t(out.size()), h.frame.data(),
                                         size_t(h.frame.size()));
    if (ZSTD_isError(n))
        return fail(QStringLiteral("zstd: %1").arg(QString::fromLatin1(ZSTD_getErrorName(n))));
    if (n != size_t(out.size()))
        return fail(QStringLiteral("zstd frame shorter than declared"));
    return out;
}

Expected<QList<Record>> parseRecords(const BlockHeader &h, QByteArrayView raw)
{
    const auto fail = [&h](const QString &why) {
        return Error::internal(QStringLiteral("decoding block %1 of app %2: %3")
                                       .arg(h.info.convoId, h.info.appId, why));
    };
    QList<Record> records;
    records.reserve(h.info.count);
    ByteReader r(raw);
    for (int i = 0; i < h.info.count; ++i) {
        Record rec;
        const quint32 length = r.read<quint32>();
        rec.seq = r.read<qint64>();
        rec.ts = r.read<qint64>();
        const QByteArrayView payload = r.bytes(length);
        if (!r.ok())
            return fail(QStringLiteral("record %1 truncated").arg(i));
        if (rec.seq != h.info.firstSeq + i)
            return fail(QStringLiteral("record %1 has seq %2, expected %3")
                                .arg(i)
                                .arg(rec.seq)
                                .arg(h.info.firstSeq + i));
        if ((i == 0 && rec.ts != h.info.firstTs) || (i == h.info.count - 1 && rec.ts != h.info.lastTs))
            return fail(QStringLiteral("record %1 has ts %2 unlike the header").arg(i).arg(rec.ts));
        if (h.info.encoding == RecordEncoding::Cbor) {
            auto json = cborToJson(payload);
            if (!json)
                return fail(QStringLiteral("seq %1: %2").arg(rec.seq).arg(json.error().message));
            rec.payload = std::move(json).value();
        } else {
            rec.payload = payload.toByteArray();
        }
        records.append(std::move(rec));
    }
    if (r.remaining() != 0)
        return fail(QStringLiteral("%1 bytes after the last record").arg(r.remaining()));
    return records;
}

} // namespace

Expected<Block> decodeBlock(QByteArrayView blockBytes, const QString &expectedAppId,
                            const QString &expectedConvoId)
{
    auto header = parseBlockHeader(blockBytes);
    if (!header)
        return header.error();
    const BlockInfo &info = header->info;
    if ((!expectedAppId.isEmpty() && info.appId != expectedAppId)
        || (!expectedConvoId.isEmpty() && info.convoId != expectedConvoId))
        return Error::internal(
                QStringLiteral("decoding a segment block: it holds %1 of app %2, not %3 of app %4")
                        .arg(info.convoId, info.appId, expectedConvoId, expectedAppId));
    auto raw = decompress(*header);
    if (!raw)
        return raw.error();
    auto records = parseRecords(*header, *raw);
    if (!records)
        return records.error();
    return Block{info, std::move(records).value()};
}

Expected<QList<BlockInfo>> readDirectory(QByteArrayView segment)
{
    const auto fail = [](const QString &why) {
        return Error::internal(QStringLiteral("reading a segment directory: %1").arg(why));
    };

    ByteReader header(segment);
    const QByteArrayView magic = header.bytes(4);
    const quint16 version = header.read<quint16>();
    const quint8 encoding = header.read<quint8>();
    const quint8 flags = header.read<quint8>();
    const quint16 appLength = header.read<quint16>();
    const QByteArrayView appBytes = header.bytes(appLength);
    const qsizetype headerCovered = header.pos();
    const quint32 headerCrc = header.read<quint32>();
    if (!header.ok())
        return fail(QStringLiteral("truncated header (%1 bytes)").arg(segment.size()));
    if (magic != SegmentMagic)
        return fail(QStringLiteral("bad magic"));
    if (version < 1 || version > FormatVersion)
        return fail(QStringLiteral("unsupported version %1").arg(version));
    if (!validEncoding(encoding) || flags != 0)
        return fail(QStringLiteral("unknown encoding %1 or flags %2").arg(encoding).arg(flags));
    if (checksumMismatch(headerCrc, crc32c(segment.first(headerCovered))))
        return fail(QStringLiteral("header checksum mismatch"));
    const auto appId = strictUtf8(appBytes);
    if (!appId || appId->isEmpty())
        return fail(QStringLiteral("empty or invalid UTF-8 app id"));
    const qint64 blocksStart = header.pos();

    if (segment.size() - blocksStart < TrailerSize + DirectoryFixed + ChecksumSize)
        return fail(QStringLiteral("too short for a directory and trailer"));
    ByteReader trailer(segment.last(TrailerSize));
    const quint64 dirOffset = trailer.read<quint64>();
    const quint32 dirLength = trailer.read<quint32>();
    const quint16 trailerVersion = trailer.read<quint16>();
    const quint16 reserved = trailer.read<quint16>();
    const QByteArrayView trailerMagic = trailer.bytes(4);
    const qint64 dirEnd = segment.size() - TrailerSize;
    if (trailerMagic != TrailerMagic || trailerVersion != version || reserved != 0)
        return fail(QStringLiteral("bad trailer"));
    if (dirOffset < quint64(blocksStart) || dirOffset > quint64(dirEnd)
        || qint64(dirOffset) + dirLength != dirEnd)
        return fail(QStringLiteral("directory at %1+%2 outside the object").arg(dirOffset).arg(dirLength));

    const QByteArrayView dirBytes = segment.sliced(qsizetype(dirOffset), dirLength);
    if (dirBytes.size() < DirectoryFixed + ChecksumSize)
        return fail(QStringLiteral("directory too short"));
    ByteReader dir(dirBytes.first(dirBytes.size() - ChecksumSize));
    const quint32 dirCrc = qFromLittleEndian<quint32>(dirBytes.data() + dirBytes.size() - ChecksumSize);
    if (checksumMismatch(dirCrc, crc32c(dirBytes.first(dirBytes.size() - ChecksumSize))))
        return fail(QStringLiteral("directory checksum mismatch"));
    const QByteArrayView dirMagic = dir.bytes(4);
    const quint32 entries = dir.read<quint32>();
    if (!dir.ok() || dirMagic != DirectoryMagic)
        return fail(QStringLiteral("bad directory magic"));
    if (entries > quint64(dir.remaining()) / DirectoryEntryFixed)
        return fail(QStringLiteral("%1 entries cannot fit the directory").arg(entries));

    QList<BlockInfo> blocks;
    blocks.reserve(entries);
    QSet<QString> convos;
    qint64 next = blocksStart;
    for (quint32 i = 0; i < entries; ++i) {
        BlockInfo e;
        const quint64 offset = dir.read<quint64>();
        const quint32 length = dir.read<quint32>();
        const quint32 count = dir.read<quint32>();
        e.firstSeq = dir.read<qint64>();
        e.lastSeq = dir.read<qint64>();
        e.firstTs = dir.read<qint64>();
        e.lastTs = dir.read<qint64>();
        const quint16 convoLength = dir.read<quint16>();
        const auto convoId = strictUtf8(dir.bytes(convoLength));
        if (!dir.ok())
            return fail(QStringLiteral("entry %1 truncated").arg(i));
        // Blocks lie back to back, in directory order, between the header and the directory.
        if (offset != quint64(next) || qint64(length) > qint64(dirOffset) - next)
            return fail(QStringLiteral("entry %1 at %2+%3 is not where the previous block ends (%4)")
                                .arg(i)
                                .arg(offset)
                                .arg(length)
                                .arg(next));
        if (!convoId || convos.contains(*convoId))
            return fail(QStringLiteral("entry %1 has an invalid or repeated conversation id").arg(i));
        auto block = parseBlockHeader(segment.sliced(qsizetype(offset), length));
        if (!block)
            return fail(QStringLiteral("entry %1: %2").arg(i).arg(block.error().message));
        e.appId = *appId;
        e.convoId = *convoId;
        e.encoding = RecordEncoding(encoding);
        e.offset = qint64(offset);
        e.length = length;
        e.count = int(qMin<quint32>(count, quint32(std::numeric_limits<int>::max())));
        BlockInfo fromBlock = block->info;
        fromBlock.offset = e.offset;
        if (!(fromBlock == e) || quint32(fromBlock.count) != count)
            return fail(QStringLiteral("entry %1 (%2) disagrees with its block").arg(i).arg(e.convoId));
        convos.insert(e.convoId);
        next += length;
        blocks.append(std::move(e));
    }
    if (dir.remaining() != 0)
        return fail(QStringLiteral("%1 bytes after the last entry").arg(dir.remaining()));
    if (next != qint64(dirOffset))
        return fail(QStringLiteral("%1 bytes between the last block and the directory")
                            .arg(qint64(dirOffset) - next));
    return blocks;
}

} // namespace confab::segment

#include "segment/format_p.h"
#include "segment/logging.h"
#include "segment/segment.h"

#include <QSet>

#include <zstd.h>

#include <algorithm>

namespace confab::segment {

using namespace detail;

namespace {

struct CCtxDeleter {
    void operator()(ZSTD_CCtx *c) const { ZSTD_freeCCtx(c); }
};

Status checkId(const QByteArray &utf8, const QString &what)
{
    if (utf8.isEmpty())
        return Error::badRequest(QStringLiteral("writing a segment block: empty %1").arg(what));
    if (utf8.size() > MaxIdBytes)
        return Error::badRequest(
                QStringLiteral("writing a segment block: %1 longer than %2 bytes").arg(what).arg(MaxIdBytes));
    return Ok{};
}

} // namespace

class SegmentWriter::Private
{
public:
    QString appId;
    QByteArray appIdUtf8;
    RecordEncoding encoding = RecordEncoding::Json;
    int level = 3;
    std::unique_ptr<ZSTD_CCtx, CCtxDeleter> cctx;
    QByteArray blocks;       // every block so far, back to back
    QList<BlockInfo> infos;  // offsets relative to the start of blocks
    QSet<QString> convos;
    qint64 rawPayloadBytes = 0;
    qint64 directoryBytes = DirectoryFixed + ChecksumSize;

    [[nodiscard]] qint64 headerBytes() const
    {
        return SegmentHeaderFixed + appIdUtf8.size() + ChecksumSize;
    }
    Expected<QByteArray> recordStream(const QString &convoId, const QList<Record> &records);
    Expected<QByteArray> compress(const QByteArray &raw);
};

SegmentWriter::SegmentWriter(QString appId, RecordEncoding encoding, int zstdLevel)
    : d(std::make_unique<Private>())
{
    d->appIdUtf8 = appId.toUtf8();
    d->appId = std::move(appId);
    d->encoding = encoding;
    d->level = std::clamp(zstdLevel, ZSTD_minCLevel(), ZSTD_maxCLevel());
}

SegmentWriter::~SegmentWriter() = default;
SegmentWriter::SegmentWriter(SegmentWriter &&) noexcept = default;
SegmentWriter &SegmentWriter::operator=(SegmentWriter &&) noexcept = default;

QString SegmentWriter::appId() const
{
    return d->appId;
}

RecordEncoding SegmentWriter::encoding() const
{
    return d->encoding;
}

int SegmentWriter::blockCount() const
{
    return int(d->infos.size());
}

qint64 SegmentWriter::size() const
{
    return d->headerBytes() + d->blocks.size() + d->directoryBytes + TrailerSize;
}

Expected<QByteArray> SegmentWriter::Private::recordStream(const QString &convoId,
                                                          const QList<Record> &records)
{
    QByteArray raw;
    for (qsizetype i = 0; i < records.size(); ++i) {
        const Record &r = records.at(i);
        if (i == 0 && r.seq < 1)
            return Error::badRequest(
                    QStringLiteral("writing block %1 of app %2: seq %3 is not positive")
                            .arg(convoId, appId)
                            .arg(r.seq));
        if (i > 0 && (records.at(i - 1).seq == std::numeric_limits<qint64>::max()
                      || r.seq != records.at(i - 1).seq + 1))
            return Error::badRequest(
                    QStringLiteral("writing block %1 of app %2: seq %3 does not follow %4")
                            .arg(convoId, appId)
                            .arg(r.seq)
                            .arg(records.at(i - 1).seq));
        QByteArray payload = r.payload;
        if (encoding == RecordEncoding::Cbor) {
            auto cbor = jsonToCbor(r.payload);
            if (!cbor)
                return Error::badRequest(QStringLiteral("writing block %1 of app %2, seq %3: %4")
                                                 .arg(convoId, appId)
                                                 .arg(r.seq)
                                                 .arg(cbor.error().message));
            payload = std::move(cbor).value();
        }
        if (raw.size() + RecordHeader + payload.size() > MaxBlockRawBytes)
            return Error::tooLarge(
                    QStringLiteral("writing block %1 of app %2: records exceed %3 bytes at seq %4")
                            .arg(convoId, appId)
                            .arg(MaxBlockRawBytes)
                            .arg(r.seq));
        appendLE<quint32>(raw, quint32(payload.size()));
        appendLE<qint64>(raw, r.seq);
        appendLE<qint64>(raw, r.ts);
        raw.append(payload);
    }
    return raw;
}

Expected<QByteArray> SegmentWriter::Private::compress(const QByteArray &raw)
{
    if (!cctx) {
        cctx.reset(ZSTD_createCCtx());
        if (!cctx)
            return Error::internal(QStringLiteral("writing a segment: out of memory for zstd"));
    }
    ZSTD_CCtx_reset(cctx.get(), ZSTD_reset_session_and_parameters);
    ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, level);
    // The block checksum covers the compressed bytes; a second one inside the frame would
    // only cost 4 bytes per block.
    ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_checksumFlag, 0);
    ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_contentSizeFlag, 1);
    QByteArray out(qsizetype(ZSTD_compressBound(size_t(raw.size()))), Qt::Uninitialized);
    const size_t n = ZSTD_compress2(cctx.get(), out.data(), size_t(out.size()), raw.constData(),
                                    size_t(raw.size()));
    if (ZSTD_isError(n))
        return Error::internal(QStringLiteral("writing a segment of app %1: zstd: %2")
                                       .arg(appId, QString::fromLatin1(ZSTD_getErrorName(n))));
    out.truncate(qsizetype(n));
    return out;
}

Status SegmentWriter::addBlock(const QString &convoId, const QList<Record> &records)
{
    if (auto s = checkId(d->appIdUtf8, QStringLiteral("app id")); !s)
        return s;
    const QByteArray convoUtf8 = convoId.toUtf8();
    if (auto s = checkId(convoUtf8, QStringLiteral("conversation id")); !s)
        return s;
    if (records.isEmpty())
        return Error::badRequest(
                QStringLiteral("writing block %1 of app %2: no records").arg(convoId, d->appId));
    if (d->convos.contains(convoId))
        return Error::conflict(
                QStringLiteral("writing block %1 of app %2: the segment already has a block for it")
                        .arg(convoId, d->appId));

    auto raw = d->recordStream(convoId, records);
    if (!raw)
        return raw.error();
    auto frame = d->compress(*raw);
    if (!frame)
        return frame.error();

    BlockInfo info;
    info.appId = d->appId;
    info.convoId = convoId;
    info.encoding = d->encoding;
    info.firstSeq = records.constFirst().seq;
    info.lastSeq = records.constLast().seq;
    info.firstTs = records.constFirst().ts;
    info.lastTs = records.constLast().ts;
    info.count = int(records.size());
    info.offset = d->blocks.size();

    QByteArray &out = d->blocks;
    const qsizetype start = out.size();
    out.append(BlockMagic.data(), BlockMagic.size());
    appendLE<quint16>(out, FormatVersion);
    appendLE<quint8>(out, quint8(d->encoding));
    appendLE<quint8>(out, 0); // flags
    appendLE<quint32>(out, quint32(records.size()));
    appendLE<qint64>(out, info.firstSeq);
    appendLE<qint64>(out, info.lastSeq);
    appendLE<qint64>(out, info.firstTs);
    appendLE<qint64>(out, info.lastTs);
    appendLE<quint32>(out, quint32(raw->size()));
    appendLE<quint32>(out, quint32(frame->size()));
    appendLE<quint16>(out, quint16(d->appIdUtf8.size()));
    appendLE<quint16>(out, quint16(convoUtf8.size()));
    out.append(d->appIdUtf8);
    out.append(convoUtf8);
    out.append(*frame);
    appendChecksum(out, start);
    info.length = out.size() - start;

    for (const Record &r : records)
        d->rawPayloadBytes += r.payload.size();
    d->directoryBytes += DirectoryEntryFixed + convoUtf8.size();
    d->convos.insert(convoId);
    d->infos.append(std::move(info));
    return Ok{};
}

Expected<SealedSegment> SegmentWriter::finish()
{
    if (auto s = checkId(d->appIdUtf8, QStringLiteral("app id")); !s)
        return s.error();

    SealedSegment sealed;
    QByteArray &out = sealed.bytes;
    out.reserve(size());
    out.append(SegmentMagic.data(), SegmentMagic.size());
    appendLE<quint16>(out, FormatVersion);
    appendLE<quint8>(out, quint8(d->encoding));
    appendLE<quint8>(out, 0); // flags
    appendLE<quint16>(out, quint16(d->appIdUtf8.size()));
    out.append(d->appIdUtf8);
    appendChecksum(out, 0);

    const qint64 blocksStart = out.size();
    out.append(d->blocks);

    const qint64 directoryStart = out.size();
    out.append(DirectoryMagic.data(), DirectoryMagic.size());
    appendLE<quint32>(out, quint32(d->infos.size()));
    for (BlockInfo &info : d->infos) {
        info.offset += blocksStart;
        const QByteArray convoUtf8 = info.convoId.toUtf8();
        appendLE<quint64>(out, quint64(info.offset));
        appendLE<quint32>(out, quint32(info.length));
        appendLE<quint32>(out, quint32(info.count));
        appendLE<qint64>(out, info.firstSeq);
        appendLE<qint64>(out, info.lastSeq);
        appendLE<qint64>(out, info.firstTs);
        appendLE<qint64>(out, info.lastTs);
        appendLE<quint16>(out, quint16(convoUtf8.size()));
        out.append(convoUtf8);
    }
    appendChecksum(out, directoryStart);
    const qint64 directoryLength = out.size() - directoryStart;

    appendLE<quint64>(out, quint64(directoryStart));
    appendLE<quint32>(out, quint32(directoryLength));
    appendLE<quint16>(out, FormatVersion);
    appendLE<quint16>(out, 0); // reserved
    out.append(TrailerMagic.data(), TrailerMagic.size());
    Q_ASSERT(out.size() == size());

    sealed.blocks = std::move(d->infos);
    sealed.rawPayloadBytes = d->rawPayloadBytes;
    qCDebug(lcSegment) << "sealed a segment of app" << d->appId << "with" << sealed.blocks.size()
                       << "blocks," << d->rawPayloadBytes << "payload bytes in" << out.size();

    d->blocks.clear();
    d->infos.clear();
    d->convos.clear();
    d->rawPayloadBytes = 0;
    d->directoryBytes = DirectoryFixed + ChecksumSize;
    return sealed;
}

} // namespace confab::segment

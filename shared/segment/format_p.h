#pragma once

// Layout constants and byte helpers shared by the writer and the reader. Internal: the
// numbers here are the ones docs/segment-format.md documents, and changing any of them
// means a new FormatVersion.

#include "segment/segment.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QtEndian>

#include <limits>
#include <optional>
#include <type_traits>

namespace confab::segment::detail {

inline constexpr QByteArrayView SegmentMagic = "CFSG";
inline constexpr QByteArrayView BlockMagic = "CFBK";
inline constexpr QByteArrayView DirectoryMagic = "CFDR";
inline constexpr QByteArrayView TrailerMagic = "CFSE";

inline constexpr qsizetype ChecksumSize = 4;
// magic, version, encoding, flags, app id length; then the app id and a checksum.
inline constexpr qsizetype SegmentHeaderFixed = 10;
// magic, version, encoding, flags, count, first/last seq, first/last ts, raw length,
// compressed length, app id length, convo id length; then both ids, the frame, a checksum.
inline constexpr qsizetype BlockHeaderFixed = 56;
// payload length, seq, ts; then the payload.
inline constexpr qsizetype RecordHeader = 20;
// magic, entry count; then the entries and a checksum.
inline constexpr qsizetype DirectoryFixed = 8;
// offset, length, count, first/last seq, first/last ts, convo id length; then the id.
inline constexpr qsizetype DirectoryEntryFixed = 50;
// directory offset, directory length, version, reserved, magic.
inline constexpr qsizetype TrailerSize = 20;

template<typename T>
void appendLE(QByteArray &out, T value)
{
    static_assert(std::is_integral_v<T>);
    char buf[sizeof(T)];
    qToLittleEndian(value, buf);
    out.append(buf, sizeof(T));
}

inline void appendChecksum(QByteArray &out, qsizetype from)
{
    appendLE<quint32>(out, crc32c(QByteArrayView(out).sliced(from)));
}

// Bounds-checked little-endian reads: past the end, every read yields 0 and ok() turns false,
// so parsers check once per structure instead of after every field.
class ByteReader
{
public:
    explicit ByteReader(QByteArrayView in) : m_in(in) { }

    template<typename T>
    T read()
    {
        static_assert(std::is_integral_v<T>);
        if (!need(sizeof(T)))
            return 0;
        const T v = qFromLittleEndian<T>(m_in.data() + m_pos);
        m_pos += sizeof(T);
        return v;
    }

    QByteArrayView bytes(qint64 n)
    {
        if (n < 0 || !need(n))
            return {};
        const QByteArrayView v = m_in.sliced(m_pos, n);
        m_pos += n;
        return v;
    }

    [[nodiscard]] bool ok() const { return m_ok; }
    [[nodiscard]] qsizetype pos() const { return m_pos; }
    [[nodiscard]] qsizetype remaining() const { return m_in.size() - m_pos; }

private:
    bool need(qint64 n)
    {
        if (!m_ok || n > m_in.size() - m_pos) {
            m_ok = false;
            return false;
        }
        return true;
    }

    QByteArrayView m_in;
    qsizetype m_pos = 0;
    bool m_ok = true;
};

// Strict UTF-8: ids must come back exactly as written, so anything that does not re-encode
// to the same bytes (invalid sequences, a stripped BOM) is refused.
std::optional<QString> strictUtf8(QByteArrayView bytes);

[[nodiscard]] bool validEncoding(quint8 value);
[[nodiscard]] QString encodingName(RecordEncoding encoding);

// A checksum mismatch. Fuzzing builds compute checksums but ignore mismatches, so the
// fuzzer can reach the decompressor and the record parser behind them.
[[nodiscard]] inline bool checksumMismatch(quint32 stored, quint32 computed)
{
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    Q_UNUSED(stored);
    Q_UNUSED(computed);
    return false;
#else
    return stored != computed;
#endif
}

// The fixed part of a block, validated (magic, version, flags, ids, sizes, checksum) but
// not decompressed. readDirectory uses it to check blocks against their directory entries.
struct BlockHeader {
    BlockInfo info;
    quint32 rawLength = 0;
    QByteArrayView frame;
};

[[nodiscard]] Expected<BlockHeader> parseBlockHeader(QByteArrayView block);

// Converts one stored payload between the record encodings.
[[nodiscard]] Expected<QByteArray> jsonToCbor(const QByteArray &json);
[[nodiscard]] Expected<QByteArray> cborToJson(QByteArrayView cbor);

} // namespace confab::segment::detail

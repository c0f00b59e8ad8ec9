#include "websocket/framereader.h"

#include <simdjson.h>

#include <cstring>

namespace confab::websocket
{

namespace
{

quint64 bigEndian(const unsigned char *p, int bytes)
{
    quint64 v = 0;
    for (int i = 0; i < bytes; ++i)
        v = (v << 8) | p[i];
    return v;
}

bool isKnownOpcode(quint8 op)
{
    return op <= 0x2 || (op >= 0x8 && op <= 0xA);
}

} // namespace

void unmask(char *data, qsizetype size, const unsigned char key[4], quint32 offset)
{
    const unsigned char k[4]
        = { key[offset % 4], key[(offset + 1) % 4], key[(offset + 2) % 4], key[(offset + 3) % 4] };
    qsizetype i = 0;
    if (size >= 8) {
        const unsigned char k8bytes[8] = { k[0], k[1], k[2], k[3], k[0], k[1], k[2], k[3] };
        quint64 k8;
        std::memcpy(&k8, k8bytes, 8);
        for (; i + 8 <= size; i += 8) {
            quint64 v;
            std::memcpy(&v, data + i, 8);
            v ^= k8;
            std::memcpy(data + i, &v, 8);
        }
    }
    for (; i < size; ++i)
        data[i] = char(quint8(data[i]) ^ k[i % 4]);
}

bool isValidUtf8(QByteArrayView bytes)
{
    return simdjson::validate_utf8(bytes.data(), size_t(bytes.size()));
}

qsizetype FrameReader::feed(char *data, qsizetype size, FrameSink &sink)
{
    qsizetype pos = 0;
    while (pos < size && !m_closed) {
        if (m_state == State::Header) {
            const qsizetype take = std::min<qsizetype>(m_headNeeded - m_headSize, size - pos);
            std::memcpy(m_head + m_headSize, data + pos, size_t(take));
            m_headSize = quint8(m_headSize + take);
            pos += take;
            if (m_headSize < m_headNeeded)
                continue;
            if (m_headSize == 2) {
                // Now the length of the whole header is known.
                const quint8 len7 = m_head[1] & 0x7F;
                const bool masked = (m_head[1] & 0x80) != 0;
                m_headNeeded = quint8(2
                    + (len7 == 126        ? 2
                            : len7 == 127 ? 8
                                          : 0)
                    + (masked ? 4 : 0));
                if (m_headNeeded > 2)
                    continue;
            }
            headerComplete(sink);
            continue;
        }

        const qsizetype n = qsizetype(std::min<quint64>(m_remaining, quint64(size - pos)));
        char *p = data + pos;
        pos += n;
        if (m_skip) {
            m_remaining -= quint64(n);
            if (m_remaining == 0)
                m_state = State::Header;
            continue;
        }
        unmask(p, n, m_mask, m_maskOffset);
        m_maskOffset = quint32((m_maskOffset + quint64(n)) % 4);
        const bool whole = quint64(n) == m_payloadSize;
        m_remaining -= quint64(n);
        if (quint8(m_opcode) & 0x8) {
            std::memcpy(m_control + m_controlSize, p, size_t(n));
            m_controlSize = quint8(m_controlSize + n);
            if (m_remaining == 0)
                frameComplete(m_control, m_controlSize, sink);
        } else if (whole && m_fin && !m_inMessage) {
            // The common case: a whole unfragmented message in this read, handed on in place.
            frameComplete(p, n, sink);
        } else {
            if (m_message.isEmpty())
                m_message.reserve(qsizetype(std::min<qint64>(m_messageSize, m_maxMessage)));
            m_message.append(p, n);
            if (m_remaining == 0)
                frameComplete(m_message.data(), m_message.size(), sink);
        }
    }
    return pos;
}

void FrameReader::headerComplete(FrameSink &sink)
{
    const bool fin = (m_head[0] & 0x80) != 0;
    const quint8 rsv = m_head[0] & 0x70;
    const quint8 op = m_head[0] & 0x0F;
    const bool masked = (m_head[1] & 0x80) != 0;
    const quint8 len7 = m_head[1] & 0x7F;
    int at = 2;
    quint64 len = len7;
    if (len7 == 126) {
        len = bigEndian(m_head + 2, 2);
        at = 4;
    } else if (len7 == 127) {
        len = bigEndian(m_head + 2, 8);
        at = 10;
    }
    if (masked)
        std::memcpy(m_mask, m_head + at, 4);
    else
        std::memset(m_mask, 0, 4);
    m_headSize = 0;
    m_headNeeded = 2;
    m_payloadSize = m_remaining = len;
    m_maskOffset = 0;
    m_controlSize = 0;
    m_fin = fin;
    m_opcode = Opcode(op);
    m_state = State::Payload;
    m_skip = false;

    if (m_discarding) {
        // Only the peer's close frame still matters.
        m_skip = !(op == quint8(Opcode::Close) && len <= 125);
    } else if (rsv != 0) {
        fail(close_code::kProtocolError, "reserved bits set without an extension", sink);
    } else if (!isKnownOpcode(op)) {
        fail(close_code::kProtocolError, "reserved opcode", sink);
    } else if (!masked) {
        fail(close_code::kProtocolError, "client frames must be masked", sink);
    } else if (op & 0x8) {
        if (!fin)
            fail(close_code::kProtocolError, "fragmented control frame", sink);
        else if (len > 125)
            fail(close_code::kProtocolError, "control frame over 125 bytes", sink);
    } else if (op == quint8(Opcode::Continuation) && !m_inMessage) {
        fail(close_code::kProtocolError, "continuation frame without a message", sink);
    } else if (op != quint8(Opcode::Continuation) && m_inMessage) {
        fail(close_code::kProtocolError, "new message before the last one ended", sink);
    } else if (len > quint64(m_maxMessage - m_messageSize)) {
        fail(close_code::kTooBig,
            QByteArray("message over " + QByteArray::number(m_maxMessage) + " bytes"), sink);
    } else {
        if (op != quint8(Opcode::Continuation))
            m_messageOpcode = Opcode(op);
        m_messageSize += qint64(len);
    }
    if (m_remaining == 0) {
        m_state = State::Header;
        if (m_skip)
            return;
        if ((op & 0x8) || m_message.isEmpty())
            frameComplete(m_control, 0, sink);
        else
            frameComplete(m_message.data(), m_message.size(), sink); // an empty last fragment
    }
}

void FrameReader::frameComplete(char *payload, qsizetype size, FrameSink &sink)
{
    m_state = State::Header;
    const QByteArrayView view(payload, size);
    switch (m_opcode) {
    case Opcode::Close: {
        int code = close_code::kNoStatus;
        QByteArrayView reason;
        if (size >= 2) {
            code = int(bigEndian(reinterpret_cast<const unsigned char *>(payload), 2));
            reason = view.sliced(2);
        }
        m_closed = true;
        if (!m_discarding) {
            if (size == 1) {
                fail(close_code::kProtocolError, "close frame with a 1-byte payload", sink);
                return;
            }
            if (size >= 2 && !isValidCloseCode(code)) {
                fail(close_code::kProtocolError, "invalid close code", sink);
                return;
            }
            if (!isValidUtf8(reason)) {
                fail(close_code::kInvalidPayload, "close reason is not UTF-8", sink);
                return;
            }
        }
        sink.onCloseFrame(code, reason);
        return;
    }
    case Opcode::Ping:
        if (!m_discarding)
            sink.onPing(view);
        return;
    case Opcode::Pong:
        if (!m_discarding)
            sink.onPong(view);
        return;
    default:
        break;
    }
    if (m_discarding)
        return;
    if (!m_fin) {
        m_inMessage = true;
        return;
    }
    m_inMessage = false;
    m_messageSize = 0;
    if (m_messageOpcode == Opcode::Text && !isValidUtf8(view)) {
        releaseMessage();
        fail(close_code::kInvalidPayload, "text message is not valid UTF-8", sink);
        return;
    }
    m_delivering = true;
    sink.onMessage(m_messageOpcode, view);
    m_delivering = false;
    releaseMessage();
}

void FrameReader::fail(int code, QByteArrayView reason, FrameSink &sink)
{
    discard();
    m_skip = true;
    sink.onProtocolError(code, reason);
}

void FrameReader::discard()
{
    m_discarding = true;
    m_inMessage = false;
    m_messageSize = 0;
    if (!m_delivering)
        releaseMessage();
}

void FrameReader::releaseMessage()
{
    // Freed, not kept: an idle connection holds no buffer.
    m_message = QByteArray();
}

} // namespace confab::websocket

#pragma once

#include "websocket/frame.h"

#include <QByteArray>
#include <QByteArrayView>

namespace confab::websocket
{

// What a FrameReader reports. Views point into the reader's input or its own buffer and are
// valid only during the call.
class FrameSink
{
public:
    // A complete text (valid UTF-8) or binary message, fragments joined.
    virtual void onMessage(Opcode opcode, QByteArrayView payload) = 0;
    virtual void onPing(QByteArrayView payload) = 0;
    virtual void onPong(QByteArrayView payload) = 0;
    // The peer's close frame; code is close_code::kNoStatus when it had none. The reader reads
    // nothing after it.
    virtual void onCloseFrame(int code, QByteArrayView reason) = 0;
    // The peer broke the protocol: the caller should send a close frame with closeCode. The
    // reader now skips every frame but a close.
    virtual void onProtocolError(int closeCode, QByteArrayView reason) = 0;

protected:
    ~FrameSink() = default;
};

// An incremental RFC 6455 reader for the server side, fed any split of the byte stream
// (tested on bytes, no sockets). Client frames must be masked; RSV bits and reserved opcodes
// are errors (no extension is negotiated); control frames are at most 125 bytes and never
// fragmented; a message (all its fragments) over maxMessageBytes is refused with 1009 as soon
// as a frame header announces it, before its payload is read; text must be UTF-8 (1007,
// checked when the message is complete).
//
// Memory: a 14-byte header, a 125-byte control payload, and the message being assembled (at
// most maxMessageBytes). An unfragmented message that arrives in one feed() is unmasked in
// place and reported without a copy; the assembly buffer is released after each message.
class FrameReader
{
public:
    explicit FrameReader(qint64 maxMessageBytes)
        : m_maxMessage(maxMessageBytes)
    {
    }

    // Consumes bytes (unmasking payloads in place) and reports what they complete. Returns how
    // many were consumed: all of them, unless a close frame ended the stream.
    qsizetype feed(char *data, qsizetype size, FrameSink &sink);

    // From now on frames are only parsed to find the peer's close frame; their payload is
    // skipped unread and without limits (after this side sent a close frame).
    void discard();

    [[nodiscard]] bool isDiscarding() const { return m_discarding; }
    [[nodiscard]] bool closeReceived() const { return m_closed; }
    // Bytes held for an incomplete message.
    [[nodiscard]] qsizetype bufferedBytes() const { return m_message.size(); }
    [[nodiscard]] qint64 maxMessageBytes() const { return m_maxMessage; }

private:
    enum class State : quint8 { Header, Payload };

    void headerComplete(FrameSink &sink);
    void frameComplete(char *payload, qsizetype size, FrameSink &sink);
    void fail(int code, QByteArrayView reason, FrameSink &sink);
    void releaseMessage();

    qint64 m_maxMessage;
    QByteArray m_message; // fragments (or a payload split over feeds) being assembled
    qint64 m_messageSize = 0; // bytes of the current message announced so far
    quint64 m_remaining = 0; // payload bytes of the current frame still to come
    quint64 m_payloadSize = 0;
    quint32 m_maskOffset = 0;
    unsigned char m_mask[4] = {};
    unsigned char m_head[14] = {};
    quint8 m_headSize = 0;
    quint8 m_headNeeded = 2;
    quint8 m_controlSize = 0;
    Opcode m_opcode = Opcode::Text; // of the current frame
    Opcode m_messageOpcode = Opcode::Text; // of the message being assembled
    State m_state = State::Header;
    bool m_fin = false;
    bool m_inMessage = false; // a fragmented message has started
    bool m_discarding = false;
    bool m_closed = false;
    bool m_skip = false; // the current frame's payload is passed over unread
    bool m_delivering = false; // inside sink.onMessage(): m_message must stay
    char m_control[125] = {};
};

// In-place XOR with a 4-byte masking key, starting at key offset `offset` (RFC 6455 5.3).
void unmask(char *data, qsizetype size, const unsigned char key[4], quint32 offset);

// Whether bytes are valid UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
[[nodiscard]] bool isValidUtf8(QByteArrayView bytes);

} // namespace confab::websocket

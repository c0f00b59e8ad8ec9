#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace confab::websocket
{

// RFC 6455 section 5.2.
enum class Opcode : quint8 {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

// Close codes of RFC 6455 section 7.4.1 that this layer sends itself.
namespace close_code
{
constexpr int kNormal = 1000;
constexpr int kGoingAway = 1001;
constexpr int kProtocolError = 1002;
constexpr int kNoStatus = 1005; // received a close frame without a code (never sent)
constexpr int kAbnormal = 1006; // the TCP connection ended without a close frame (never sent)
constexpr int kInvalidPayload = 1007;
constexpr int kTooBig = 1009;
constexpr int kInternalError = 1011;
} // namespace close_code

// Builds one finished, unmasked server frame (header + payload). Build it once and write the
// same implicitly shared QByteArray to every connection that should get it.
[[nodiscard]] QByteArray serverFrame(Opcode opcode, QByteArrayView payload);
[[nodiscard]] inline QByteArray textFrame(QByteArrayView utf8)
{
    return serverFrame(Opcode::Text, utf8);
}
// A close frame; the reason is cut to fit the 125-byte control frame limit, at a UTF-8
// character boundary.
[[nodiscard]] QByteArray closeFrame(int code, QByteArrayView reason = {});
// The heartbeat ping (empty payload), shared by every connection.
[[nodiscard]] const QByteArray &pingFrame();

// Codes a peer may send in a close frame (RFC 6455 section 7.4).
[[nodiscard]] bool isValidCloseCode(int code);

// Size of the header serverFrame() puts before a payload of that size.
[[nodiscard]] constexpr qsizetype serverHeaderSize(qsizetype payloadSize)
{
    return payloadSize < 126 ? 2 : payloadSize <= 0xFFFF ? 4 : 10;
}

} // namespace confab::websocket

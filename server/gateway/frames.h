#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace confab::gateway {

enum class FrameType {
    Auth,
    AuthRefresh,
    MessageSend,
    MessageDelivered,
    MessageRead,
    TypingStart,
    TypingStop,
    PresenceSubscribe,
    Sync,
    Ping,
};

// One client frame of PROTOCOL.md section 5, validated. Byte strings are UTF-8.
struct ClientFrame {
    FrameType type = FrameType::Ping;
    QByteArray req;        // empty when the client sent none
    bool hasReq = false;
    QByteArray token;      // auth, auth.refresh
    QByteArray convoId;
    QByteArray clientMsgId;
    QByteArray senderId;   // message.send by an API-key session
    QByteArray content;    // compact JSON
    QByteArray attachments; // compact JSON array, empty when absent
    qint64 seqNo = 0;
    qint64 afterSeq = 0;
    qint64 limit = 0;      // sync; 0 when absent
    QList<QByteArray> userIds;
};

// What to do with a frame that did not parse: close (4000) or answer an error frame.
enum class FrameError {
    None,
    Protocol,        // not JSON, not an object, no string `type`: close 4000
    BadRequest,      // unknown type, missing or wrongly typed field: error bad_request
    TooLarge,        // content over max_message_bytes: error payload_too_large
};

struct ParsedFrame {
    ClientFrame frame;
    FrameError error = FrameError::None;
    QString message;
};

// Parses and validates one text frame. The whole frame is validated as JSON (simdjson DOM),
// `content` is re-serialized compactly so its size is the one the limit speaks of.
[[nodiscard]] ParsedFrame parseClientFrame(QByteArrayView utf8, qsizetype maxContentBytes);

// The body of POST /v1/conversations/{id}/messages: the fields of a message.send.
// Not JSON is BadRequest here (REST has no socket to close).
[[nodiscard]] ParsedFrame parseMessageBody(QByteArrayView utf8, qsizetype maxContentBytes);

} // namespace confab::gateway

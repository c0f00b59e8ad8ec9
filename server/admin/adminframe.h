#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

// The frames an operator sends on the admin WebSocket (PROTOCOL.md section 6), parsed and
// validated apart from the socket so they are tested and fuzzed on bytes.
namespace confab::admin {

struct AdminFrame {
    QString type;
    QString req;
    bool hasReq = false;
    QByteArray token;    // auth
    int intervalMs = -1; // stats.subscribe; -1 when absent
    int limit = -1;      // dead_letters.list; -1 when absent
    QString id;          // dead_letters.retry / .discard; empty when absent
    // Operator actions (docs/protocol.md, "Operator actions"); empty or -1 when absent.
    QString appId;
    QString userId;
    QString convoId;
    int closeCode = -1;    // user.disconnect
    QString reason;        // user.disconnect
    QString code;          // notice.send
    QString message;       // notice.send
    qint64 beforeSeq = -1; // conversation.messages
    QString operatorName;  // conversation.messages: who reads, for the audit log
};

enum class AdminFrameError {
    None,
    Protocol,   // not JSON, not an object, no string `type`: close 4000
    BadRequest, // a duplicate key, a number out of range, a wrongly typed field: error bad_request
};

struct ParsedAdminFrame {
    AdminFrame frame;
    AdminFrameError error = AdminFrameError::None;
    QString message;
};

// Types are not checked against the known ones here (the session answers unknown ones), but
// every field that is present must have its type: `req`, `token` and `id` strings,
// `interval_ms` and `limit` integers (clamped by the session); the operator fields `app_id`,
// `user_id`, `convo_id`, `reason`, `code`, `message`, `operator` strings, `close_code` and
// `before_seq` integers.
[[nodiscard]] ParsedAdminFrame parseAdminFrame(QByteArrayView utf8);

} // namespace confab::admin

#pragma once

#include "confab/expected.h"

#include <QByteArray>
#include <QCoro/QCoroTask>
#include <QString>

namespace confab::access {
class AppDirectory;
}
namespace confab::redis {
class Client;
}
namespace confab::segments {
class HistoryStore;
}
namespace confab::store {
class ConversationRepository;
class Database;
} // namespace confab::store

namespace confab::admin {

struct OperatorDeps {
    redis::Client *redis = nullptr;
    store::Database *db = nullptr;
    store::ConversationRepository *conversations = nullptr;
    segments::HistoryStore *history = nullptr;
    access::AppDirectory *apps = nullptr;
};

// Who asked, for the audit log of admin reads: the name the console sends (free text, not a
// credential) and a fingerprint of the admin token (first 8 bytes of its SHA-256, hex).
struct OperatorIdentity {
    QString name;
    QByteArray tokenFingerprint;
};

// The operator actions of the console (docs/protocol.md, "Operator actions"), shared by the
// admin REST routes (api/adminopsapi.cpp) and the admin WebSocket (admin/operatorframes.cpp).
// Each answers a JSON object; the actions that reach sessions publish on the deployment-wide
// control channel, which every node's gateway handles (gateway/control.cpp).
class Operator
{
public:
    static constexpr int kDefaultCloseCode = 4009;
    static constexpr int kMaxReasonBytes = 120;     // a close frame's reason is at most 123 bytes
    static constexpr int kMaxNoticeChars = 1000;
    static constexpr qint64 kNoticeIntervalMs = 1000; // deployment-wide, one notice per interval
    static constexpr int kMaxMembers = 1000;          // members listed by inspectConversation
    static constexpr int kDefaultMessages = 50;

    Operator(OperatorDeps deps, const QByteArray &adminToken);

    [[nodiscard]] const QByteArray &tokenFingerprint() const { return m_fingerprint; }
    // A name the console sent, made safe for a log line: printable, at most 64 characters,
    // "unnamed" when empty.
    [[nodiscard]] static QString cleanOperatorName(const QString &name);
    // The close codes an operator may pick: 4009 (default, may reconnect), 4001, 4003.
    [[nodiscard]] static bool isOperatorCloseCode(int code);

    // {"app_id","user_id","online","session_count","connected_since_ms","last_seen_ms","nodes",
    //  "sessions":[{"session_id","node_id","connected_ms"}]}, read from the presence keys.
    QCoro::Task<Expected<QByteArray>> lookupUser(QString appId, QString userId);
    // Closes every session of the user on every node; {"ok":true,"sessions":N,"nodes_reached":N}.
    QCoro::Task<Expected<QByteArray>> disconnectUser(QString appId, QString userId, int closeCode, QString reason);
    // {"app_id","convo_id","kind","title","owner_id","created_ms","last_seq","members_total",
    //  "members":[{"user_id","delivered_seq","read_seq"}],
    //  "flush":{"flushed_seq","unflushed","stream_depth","oldest_unflushed_ms"}}
    QCoro::Task<Expected<QByteArray>> inspectConversation(QString appId, QString convoId);
    // The `limit` messages before beforeSeq (0: the newest), tail and segments as one, oldest
    // first: {"app_id","convo_id","messages":[...],"next_before_seq":N|null}. Logged with who.
    QCoro::Task<Expected<QByteArray>> messages(QString appId, QString convoId, qint64 beforeSeq, int limit,
                                               OperatorIdentity who);
    // A system.notice to every session of appId (empty: of every app) on every node;
    // {"ok":true,"nodes_reached":N}. rate_limited within kNoticeIntervalMs of the last one.
    QCoro::Task<Expected<QByteArray>> sendNotice(QString appId, QString code, QString message);

private:
    QCoro::Task<Status> checkApp(const QString &appId);

    OperatorDeps m_deps;
    QByteArray m_fingerprint;
};

} // namespace confab::admin

namespace confab::admin {

struct AdminFrame;

// The admin WebSocket's operator frames (user.lookup, user.disconnect, conversation.inspect,
// conversation.messages, notice.send): whether a type is one, and its whole answer frame
// (`user`, `result`, `conversation`, `messages` or `error`, with the frame's `req`).
[[nodiscard]] bool isOperatorFrame(const QString &type);
QCoro::Task<QByteArray> runOperatorFrame(Operator *op, AdminFrame frame);

} // namespace confab::admin

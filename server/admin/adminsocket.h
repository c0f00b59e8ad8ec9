#pragma once

#include "confab/expected.h"
#include "websocket/connection.h"
#include "websocket/upgrade.h"

#include <QCoro/QCoroTask>
#include <QObject>
#include <QSet>

#include <functional>

namespace confab::admin {

// What the admin WebSocket can ask of the node (PROTOCOL.md section 6). The node supplies these;
// each answers with JSON ready to splice into a frame.
struct AdminHooks {
    std::function<QCoro::Task<QByteArray>()> stats;                          // the whole "stats" frame
    std::function<QCoro::Task<Expected<QByteArray>>(int limit)> deadLetters; // JSON array of dead letters
    std::function<QCoro::Task<Status>(QString id)> retryDeadLetter;
    std::function<QCoro::Task<Status>(QString id)> discardDeadLetter;
    std::function<QCoro::Task<Expected<qint64>>()> flushNow;                 // segments written
    std::function<QCoro::Task<Expected<qint64>>()> runRetention;             // segments deleted
};

class AdminSession;
class Operator;

// /admin/ws on the internal listener: admin-token auth (header, ?access_token= or a first auth
// frame), stats subscriptions and operator actions. Bounded: at most kMaxSessions sockets, and
// a stats frame is skipped for a client whose unsent bytes exceed kMaxUnsentBytes, so a slow
// console cannot grow the server's memory.
class AdminSocketServer : public QObject
{
    Q_OBJECT
public:
    static constexpr int kMaxSessions = 32;
    static constexpr qint64 kMaxUnsentBytes = 1 << 20;
    // For the internal listener's WebSocket options: largest incoming message, and unsent bytes
    // before a console that does not read is closed with 4008.
    static constexpr qint64 kMaxMessageBytes = 64 * 1024;
    static constexpr qint64 kMaxBufferBytes = 16 << 20;

    AdminSocketServer(QByteArray adminToken, AdminHooks hooks, QObject *parent = nullptr);
    ~AdminSocketServer() override;

    void accept(websocket::Connection *connection, const websocket::Upgrade &upgrade);
    void shutdown();
    [[nodiscard]] const AdminHooks &hooks() const { return m_hooks; }
    void setHooks(AdminHooks hooks) { m_hooks = std::move(hooks); }
    // The operator frames (admin/operatorframes.cpp); unknown types while none is set.
    void setOperator(Operator *op) { m_operator = op; }
    [[nodiscard]] Operator *operatorActions() const { return m_operator; }
    [[nodiscard]] bool tokenMatches(QByteArrayView presented) const;
    void sessionClosed(AdminSession *s) { m_sessions.remove(s); }

Q_SIGNALS:
    void authFailed(const QByteArray &reason);

private:
    QByteArray m_token;
    AdminHooks m_hooks;
    Operator *m_operator = nullptr;
    QSet<AdminSession *> m_sessions;
};

} // namespace confab::admin

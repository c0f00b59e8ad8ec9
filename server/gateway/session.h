#pragma once

#include "access/authenticator.h"
#include "confab/config.h"
#include "gateway/frames.h"
#include "messaging/fanout.h"
#include "websocket/connection.h"
#include "websocket/upgrade.h"

#include <QCoro/QCoroTask>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>

namespace confab::gateway {

class Gateway;

// One client WebSocket: authentication, request handling, and pushing what the fan-out
// delivers. Request handlers are coroutines; a session whose socket closed stays alive until
// the last of them finished (m_busy), so no coroutine ever resumes into a freed session.
//
// Every outgoing frame counts against the client buffer limits (docs/protocol.md, "Backpressure"):
// over client_buffer_soft unsent bytes, message.create is skipped and remembered
// (sync.required once drained) and typing and presence changes are dropped; a frame that would
// pass client_buffer_hard closes the socket with 4008.
class Session : public QObject, public messaging::Listener, private websocket::Handler
{
    Q_OBJECT
public:
    Session(websocket::Connection *connection, Gateway *gateway);
    ~Session() override;

    void start(const websocket::Upgrade &upgrade);
    void closeWith(int code, const QString &reason);
    // Shutdown: sends notice (system.notice), refuses new requests, and closes with 1001 once
    // the requests in flight are answered (at once when there are none).
    void drain(const QByteArray &notice);
    bool onEvent(const QByteArray &channel, const messaging::Event &event) override;

    // Called by the gateway's timers.
    void ping(qint64 nowMs);
    void sweep(qint64 nowMs);            // auth deadline, credential expiry
    // The first time sweep() has something to do (0: never, in this state); the gateway calls
    // sweep() only then. Every change of state or expiry tells the gateway (scheduleSweep).
    [[nodiscard]] qint64 sweepDueMs() const;
    bool checkPressure(qint64 nowMs);    // true while still under pressure
    void refreshPresence();

    [[nodiscard]] bool isAuthenticated() const { return m_state == State::Ready; }
    // The API key this session authenticated with (empty for a user token).
    [[nodiscard]] const QString &keyId() const { return m_identity.keyId; }
    // The credential now ends at ms (a rotated key's grace); 0 ends it now (revoked).
    void credentialEndsAt(qint64 ms);
    // Operator actions (gateway/control.cpp): who the session is (its app: empty before it
    // authenticated), and a system.notice to send.
    [[nodiscard]] const QString &appId() const { return m_identity.appId; }
    [[nodiscard]] const QByteArray &userId() const { return m_userId; }
    [[nodiscard]] bool isUserSession() const { return isAuthenticated() && !m_identity.isApp; }
    void notify(const QByteArray &wire);

private:
    enum class State { AwaitingAuth, Authenticating, Ready, Closed };

    // What a frame is, for the buffer limits.
    enum class Push {
        Reply, // receipts, membership, notices: written up to the hard limit
        Answer, // a Reply to this session's own request (acks, errors, connection.ack): also
                // leaves at the end of this loop pass inside a [server] write_coalesce window
        Message, // message.create: skipped over the soft limit, sync.required later
        Ephemeral, // typing, presence changes: dropped over the soft limit
    };

    void onText(QByteArrayView utf8) override;
    void onBinary(QByteArrayView data) override;
    void onClosed(int code, bool byServer) override;
    void onDisconnected();
    // Writes a finished WebSocket frame; false if it was skipped, dropped, or the session closed.
    bool push(const QByteArray &wire, Push kind, const QByteArray &channel = {});
    void underPressure();
    void send(const QByteArray &json);
    void sendError(const QByteArray &req, bool hasReq, const Error &error);
    void finishTask();

    QCoro::Task<> authenticate(QByteArray credential);
    QCoro::Task<> handle(ClientFrame frame);
    QCoro::Task<> handleSend(ClientFrame frame);
    QCoro::Task<> handleWatermark(ClientFrame frame);
    QCoro::Task<> handleTyping(ClientFrame frame);
    QCoro::Task<> handlePresence(ClientFrame frame);
    QCoro::Task<> handleSync(ClientFrame frame);
    QCoro::Task<> handleRefresh(ClientFrame frame);
    static QCoro::Task<> handleNothing() { co_return; }
    QCoro::Task<bool> ensureMember(QByteArray convoId, QByteArray userId);

    void subscribeConvo(const QByteArray &convoId);
    void unsubscribeConvo(const QByteArray &convoId);
    void stopAllTyping();
    void presenceDown();
    QByteArray convoOfChannel(const QByteArray &channel) const;

    websocket::Connection *m_ws; // null once closed: the Hub owns it and may outlive us
    Gateway *m_gateway;
    State m_state = State::AwaitingAuth;
    access::Identity m_identity;
    QByteArray m_userId;          // UTF-8 of m_identity.userId
    QByteArray m_sessionId;
    Limits m_limits;
    QSet<QByteArray> m_convos;
    QSet<QByteArray> m_watched;   // presence subscriptions
    QSet<QByteArray> m_skipped;   // conversations whose pushes were skipped (slow consumer)
    QSet<QByteArray> m_typing;    // conversations this session sent a typing start in
    qint64 m_openedMs = 0;
    qint64 m_overSoftSinceMs = 0; // 0: not over client_buffer_soft
    int m_busy = 0;               // request coroutines running
    bool m_presenceUp = false;
    bool m_keyCounted = false;    // counted against its API key's max_sessions_per_key
    bool m_draining = false;      // the node shuts down: close once m_busy reaches 0
};

} // namespace confab::gateway

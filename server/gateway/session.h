#pragma once

#include "access/authenticator.h"
#include "confab/config.h"
#include "gateway/frames.h"
#include "messaging/fanout.h"

#include <QCoro/QCoroTask>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>

class QWebSocket;

namespace confab::gateway {

class Gateway;

// One client WebSocket: authentication, request handling, and pushing what the fan-out
// delivers. Request handlers are coroutines; a session whose socket closed stays alive until
// the last of them finished (m_busy), so no coroutine ever resumes into a freed session.
class Session : public QObject, public messaging::Listener
{
    Q_OBJECT
public:
    Session(QWebSocket *socket, Gateway *gateway);
    ~Session() override;

    void start();
    void closeWith(int code, const QString &reason);
    void onEvent(const QByteArray &channel, const messaging::Event &event) override;

    // Called by the gateway's timers.
    void ping(qint64 nowMs);
    void sweep(qint64 nowMs);            // auth deadline, typing expiry
    bool checkPressure(qint64 nowMs);    // true while still under pressure
    void refreshPresence();

    [[nodiscard]] bool isAuthenticated() const { return m_state == State::Ready; }

private:
    enum class State { AwaitingAuth, Authenticating, Ready, Closed };

    void onText(const QString &text);
    void onBinary();
    void onDisconnected();
    void send(const QByteArray &frame);
    void sendError(const QByteArray &req, bool hasReq, const Error &error);
    void finishTask();

    QCoro::Task<> authenticate(QByteArray credential);
    QCoro::Task<> handle(ClientFrame frame);
    QCoro::Task<> handleSend(ClientFrame frame);
    QCoro::Task<> handleWatermark(ClientFrame frame);
    QCoro::Task<> handleTyping(ClientFrame frame);
    QCoro::Task<> handlePresence(ClientFrame frame);
    QCoro::Task<> handleSync(ClientFrame frame);
    static QCoro::Task<> handleNothing() { co_return; }
    QCoro::Task<bool> ensureMember(QByteArray convoId, QByteArray userId);

    void subscribeConvo(const QByteArray &convoId);
    void unsubscribeConvo(const QByteArray &convoId);
    void stopAllTyping();
    QByteArray convoOfChannel(const QByteArray &channel) const;

    QWebSocket *m_socket;
    Gateway *m_gateway;
    State m_state = State::AwaitingAuth;
    access::Identity m_identity;
    QByteArray m_userId;          // UTF-8 of m_identity.userId
    QByteArray m_sessionId;
    Limits m_limits;
    QSet<QByteArray> m_convos;
    QSet<QByteArray> m_watched;   // presence subscriptions
    QSet<QByteArray> m_skipped;   // conversations whose pushes were skipped (slow consumer)
    QHash<QByteArray, qint64> m_typing;  // convo -> when a start without stop expires
    qint64 m_openedMs = 0;
    qint64 m_lastHeardMs = 0;
    qint64 m_overSoftSinceMs = 0;
    int m_busy = 0;               // request coroutines running
    bool m_presenceUp = false;
};

} // namespace confab::gateway

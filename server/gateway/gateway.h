#pragma once

#include "confab/config.h"
#include "gateway/deadlines.h"
#include "gateway/typingrelay.h"
#include "messaging/fanout.h"
#include "websocket/connection.h"
#include "websocket/upgrade.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <array>

namespace confab::access {
class AppDirectory;
class Authenticator;
} // namespace confab::access
namespace confab::messaging {
class Fanout;
class MessageService;
} // namespace confab::messaging
namespace confab::segments {
class HistoryStore;
}
namespace confab::store {
class ConversationRepository;
}
namespace confab::metrics {
class Metrics;
}

namespace confab::gateway {

class Session;

struct GatewayDeps {
    access::Authenticator *authenticator = nullptr;
    access::AppDirectory *apps = nullptr;
    messaging::MessageService *messages = nullptr;
    messaging::Fanout *fanout = nullptr;
    segments::HistoryStore *history = nullptr;
    store::ConversationRepository *conversations = nullptr;
    metrics::Metrics *metrics = nullptr;
};

// The client WebSocket endpoint /v1/ws (PROTOCOL.md section 5): owns the sessions of this
// node, their shared timers (heartbeat, auth deadline, typing expiry, backpressure) and the
// per-node caps: open connections, unauthenticated ones, sessions per API key. Sessions have no
// timers of their own: one 250 ms tick serves them all, and touches only the sessions whose
// deadline (auth deadline, credential expiry) has passed, kept earliest first in a DeadlineQueue.
class Gateway : public QObject, private messaging::Listener
{
    Q_OBJECT
public:
    Gateway(const Config &config, GatewayDeps deps, QString nodeId, QObject *parent = nullptr);
    ~Gateway() override;

    // Starts a session on an upgraded connection (or closes it: 1001 while shutting down, 4029
    // over max_conns).
    void accept(websocket::Connection *connection, const websocket::Upgrade &upgrade);
    // Shutdown, first step: no new sessions; every session gets a system.notice
    // (docs/operations.md, "Shutdown") and closes with 1001 once its requests in flight are
    // answered. isDrained() once no session is left.
    void drain(qint64 graceMs);
    // Shutdown, last step (the grace is over): closes every session left with 1001 now.
    void shutdown();
    [[nodiscard]] bool isDrained() const { return m_shuttingDown && m_sessions.isEmpty(); }
    // The system.notice frame drain() sends.
    [[nodiscard]] static QByteArray shutdownNotice(qint64 graceMs);

    [[nodiscard]] int sessionCount() const { return int(m_sessions.size()); }
    // Authenticated sessions of this node per app id (for the stats frame's per-app figures),
    // kept as sessions authenticate and close rather than counted over every session.
    [[nodiscard]] QHash<QString, qint64> connectionsByApp() const { return m_appSessions; }
    [[nodiscard]] const Config &config() const { return m_config; }
    [[nodiscard]] const GatewayDeps &deps() const { return m_deps; }
    [[nodiscard]] const QString &nodeId() const { return m_nodeId; }

    void sessionClosed(Session *session);
    // The session passed authentication: it no longer counts as unauthenticated.
    void sessionAuthenticated(Session *session);
    // Counts one more session of an API key on this node; false at maxSessions (0: no limit).
    [[nodiscard]] bool admitKeySession(const QString &keyId, qint64 maxSessions);
    void releaseKeySession(const QString &keyId);
    [[nodiscard]] TypingRelay &typing() { return m_typing; }

    // Sessions over the soft buffer limit (or with skipped pushes) are checked often until they
    // drain or time out.
    void watchPressure(Session *session) { m_pressured.insert(session); }
    // The session's auth deadline or credential expiry changed (Session::sweepDueMs()).
    void scheduleSweep(Session *session);
    [[nodiscard]] qsizetype scheduledSweeps() const { return m_deadlines.size(); }

Q_SIGNALS:
    void connectionsChanged(int count);
    void delivered(qint64 latencyMs);

private:
    // API key revocations and rotations from any node (schema::keys::keyEventsChannel()).
    bool onEvent(const QByteArray &channel, const messaging::Event &event) override;
    // Operator actions from any node (schema::keys::controlChannel(), gateway/control.cpp).
    void onControl(const messaging::Event &event);
    void heartbeat();
    void sweep();
    void refreshPresence();

    Config m_config;
    GatewayDeps m_deps;
    QString m_nodeId;
    QSet<Session *> m_sessions;
    QSet<Session *> m_pressured;
    DeadlineQueue<Session> m_deadlines; // when each session's Session::sweep() has work
    QSet<Session *> m_unauthenticated; // bounded by [limits] max_unauthenticated
    QHash<QString, qint64> m_keySessions; // API key id -> open sessions on this node
    QHash<QString, qint64> m_appSessions; // app id -> its authenticated sessions on this node
    TypingRelay m_typing;
    QTimer m_heartbeat;
    QTimer m_sweep;
    QTimer m_presence;
    quint64 m_heartbeatTick = 0; // which slice of the sessions the next ping tick serves
    quint64 m_presenceTick = 0;
    bool m_shuttingDown = false;

};

} // namespace confab::gateway

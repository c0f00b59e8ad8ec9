#include "gateway/gateway.h"

#include "gateway/logging.h"
#include "gateway/session.h"
#include "gateway/session_p.h"
#include "metrics/metrics.h"
#include "confab/jsonwriter.h"
#include "messaging/messageservice.h"
#include "schema/keys.h"

#include <QDateTime>

#include <algorithm>

Q_LOGGING_CATEGORY(lcGateway, "confab.gateway", QtInfoMsg)

namespace confab::gateway {

namespace {
constexpr int kSweepMs = 250;
constexpr int kPresenceRefreshMs = 30000;
// PROTOCOL.md section 5: a typing start with no stop ends after 10 s.
constexpr qint64 kTypingExpiryMs = 10000;
// Pings and presence refreshes are spread over their interval in this many slices, so 10,000
// sessions do not all write a ping or run a Redis script in the same loop pass (a burst that
// queued every send behind it).
constexpr int kSlices = 16;

int sliceOf(const Session *s)
{
    return int((quintptr(s) >> 6) % kSlices);
}
} // namespace

Gateway::Gateway(const Config &config, GatewayDeps deps, QString nodeId, QObject *parent)
    : QObject(parent), m_config(config), m_deps(deps), m_nodeId(std::move(nodeId)),
      m_typing(config.limits.typingIntervalMs, kTypingExpiryMs,
               [messages = deps.messages](const QString &app, const QByteArray &convo, const QByteArray &user,
                                          bool start) { messages->publishTyping(app, convo, user, start); })
{
    m_heartbeat.setInterval(int(std::clamp<qint64>(m_config.server.heartbeatMs / kSlices, 1, INT_MAX)));
    connect(&m_heartbeat, &QTimer::timeout, this, &Gateway::heartbeat);
    m_heartbeat.start();
    m_sweep.setInterval(kSweepMs);
    connect(&m_sweep, &QTimer::timeout, this, &Gateway::sweep);
    m_sweep.start();
    m_presence.setInterval(kPresenceRefreshMs / kSlices);
    connect(&m_presence, &QTimer::timeout, this, &Gateway::refreshPresence);
    m_presence.start();
    if (m_deps.fanout) {
        m_deps.fanout->add(schema::keys::keyEventsChannel(), this);
        m_deps.fanout->add(schema::keys::controlChannel(), this);
        // Once per message, not per recipient: one clock read and one histogram lock.
        if (metrics::Metrics *m = m_deps.metrics) {
            m_deps.fanout->setDeliveredHook([m](const messaging::Event &ev, qsizetype recipients) {
                m->messageDelivered(recipients);
                m->observeDeliveryLatency(double(detail::nowMs() - ev.acceptedMs) / 1000.0, recipients);
            });
        }
    }
}

Gateway::~Gateway()
{
    if (m_deps.fanout) {
        m_deps.fanout->remove(schema::keys::keyEventsChannel(), this);
        m_deps.fanout->remove(schema::keys::controlChannel(), this);
        m_deps.fanout->setDeliveredHook({});
    }
}

bool Gateway::onEvent(const QByteArray &channel, const messaging::Event &event)
{
    if (channel == schema::keys::controlChannel()) {
        onControl(event);
        return false;
    }
    // "e <key_id>\n<ms>": the key now ends at ms (a rotation's grace), 0 = revoked.
    // "e app:<app_id>\n0": the app was deleted; every session of it ends (docs/protocol.md).
    const QString keyId = QString::fromUtf8(event.arg);
    const qint64 endsMs = event.frame.toLongLong();
    const bool wholeApp = keyId.startsWith(QLatin1String("app:"));
    const QString appId = wholeApp ? keyId.mid(4) : QString();
    const QSet<Session *> sessions = m_sessions;
    for (Session *s : sessions) {
        if (wholeApp ? (!appId.isEmpty() && s->appId() == appId) : (!keyId.isEmpty() && s->keyId() == keyId))
            s->credentialEndsAt(endsMs);
    }
    return false;
}

void Gateway::accept(websocket::Connection *connection, const websocket::Upgrade &upgrade)
{
    if (m_shuttingDown) {
        connection->close(websocket::close_code::kGoingAway, "server shutting down");
        return;
    }
    const qint64 cap = m_config.limits.maxConns;
    if (cap > 0 && m_sessions.size() >= cap) {
        connection->close(4029, "node connection limit reached");
        return;
    }
    // Sockets that have not authenticated yet have a cap of their own, so they cannot take
    // the places of authenticated ones (each lives at most 10 s, 30 s with a slow IdP).
    const qint64 unauthenticatedCap = m_config.limits.maxUnauthenticated;
    if (unauthenticatedCap > 0 && m_unauthenticated.size() >= unauthenticatedCap) {
        connection->close(4029, "too many unauthenticated connections");
        return;
    }
    auto *session = new Session(connection, this);
    m_sessions.insert(session);
    m_unauthenticated.insert(session);
    Q_EMIT connectionsChanged(int(m_sessions.size()));
    session->start(upgrade);
}

bool Gateway::admitKeySession(const QString &keyId, qint64 maxSessions)
{
    qint64 &open = m_keySessions[keyId];
    if (maxSessions > 0 && open >= maxSessions) {
        if (open == 0)
            m_keySessions.remove(keyId);
        return false;
    }
    ++open;
    return true;
}

void Gateway::releaseKeySession(const QString &keyId)
{
    const auto it = m_keySessions.find(keyId);
    if (it != m_keySessions.end() && --it.value() <= 0)
        m_keySessions.erase(it);
}

void Gateway::scheduleSweep(Session *session)
{
    m_deadlines.set(session, session->sweepDueMs());
}

void Gateway::sessionAuthenticated(Session *session)
{
    if (m_unauthenticated.remove(session))
        ++m_appSessions[session->appId()];
}

void Gateway::sessionClosed(Session *session)
{
    m_deadlines.remove(session);
    m_pressured.remove(session);
    // Every session starts unauthenticated, so one that is no longer was counted for its app.
    const bool counted = !m_unauthenticated.remove(session);
    if (m_sessions.remove(session)) {
        if (counted) {
            const auto it = m_appSessions.find(session->appId());
            if (it != m_appSessions.end() && --it.value() <= 0)
                m_appSessions.erase(it);
        }
        Q_EMIT connectionsChanged(int(m_sessions.size()));
    }
}

QByteArray Gateway::shutdownNotice(qint64 graceMs)
{
    JsonWriter w;
    w.beginObject()
        .field("type", "system.notice")
        .field("code", "shutting_down")
        .field("message", "server shutting down: finish what is in flight and reconnect")
        .field("grace_ms", graceMs)
        .endObject();
    return w.take();
}

void Gateway::drain(qint64 graceMs)
{
    m_shuttingDown = true;
    const QByteArray notice = shutdownNotice(graceMs);
    const QSet<Session *> sessions = m_sessions;
    for (Session *s : sessions)
        s->drain(notice);
}

void Gateway::shutdown()
{
    m_shuttingDown = true;
    const QSet<Session *> sessions = m_sessions;
    for (Session *s : sessions)
        s->closeWith(websocket::close_code::kGoingAway, QStringLiteral("server shutting down"));
}

void Gateway::heartbeat()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const int slice = int(m_heartbeatTick++ % kSlices);
    QList<Session *> due;
    for (Session *s : std::as_const(m_sessions)) {
        if (sliceOf(s) == slice)
            due.append(s);
    }
    // A ping may end its own session (a silent peer), which leaves m_sessions: hence the copy.
    for (Session *s : std::as_const(due))
        s->ping(now);
}

void Gateway::sweep()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    // Only the sessions whose deadline passed; sessions are deleted later (deleteLater), so
    // each pointer stays good through this loop even if an earlier one closed.
    const QList<Session *> due = m_deadlines.takeDue(now);
    for (Session *s : due) {
        s->sweep(now);
        scheduleSweep(s); // none once closed
    }
    m_typing.sweep(now);
    const QSet<Session *> pressured = m_pressured;
    for (Session *s : pressured) {
        if (!m_sessions.contains(s) || !s->checkPressure(now))
            m_pressured.remove(s);
    }
}

void Gateway::refreshPresence()
{
    const int slice = int(m_presenceTick++ % kSlices);
    for (Session *s : std::as_const(m_sessions)) {
        if (sliceOf(s) == slice && s->isAuthenticated())
            s->refreshPresence();
    }
}

} // namespace confab::gateway

// Connection, getting to a serving master: resolving the host off the loop, the non-blocking
// connect, the handshake (AUTH, SELECT, CLIENT SETNAME, ROLE with Sentinel, PING), and following
// the master a Sentinel names. Requests, replies, timeouts and losing the connection:
// connection.cpp.
#include "redis/connection_p.h"

#include "redis/logging.h"
#include "redis/masterlocator_p.h"
#include "redis/sentinel.h"

#include <QFile>
#include <QHostAddress>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <utility>

namespace confab::redis::detail
{

void Connection::start()
{
    if (m_state != State::Idle)
        return;
    if (!m_invalidReason.isEmpty()) {
        m_state = State::Invalid;
        qCCritical(lcRedis).noquote() << m_role << "will not connect:" << m_invalidReason;
        return;
    }
    connectNow();
}

void Connection::connectNow()
{
    if (m_ac)
        return;
    if (m_locator && !std::exchange(m_haveMaster, false)) {
        m_state = State::Discovering;
        m_locator->locate();
        return;
    }
    if (!m_options.socketPath.isEmpty()) {
        connectTo({});
        return;
    }
    const QHostAddress literal(m_options.host);
    if (!literal.isNull()) {
        connectTo(literal.toString());
        return;
    }
    // hiredis would resolve with a blocking getaddrinfo(); resolve off the loop instead.
    m_state = State::Resolving;
    m_lookupId = QHostInfo::lookupHost(m_options.host, this, &Connection::onHostLookedUp);
}

void Connection::onHostLookedUp(const QHostInfo &info)
{
    m_lookupId = -1;
    if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
        connectionGone(QStringLiteral("resolving %1: %2").arg(m_options.host, info.errorString()));
        return;
    }
    connectTo(info.addresses().constFirst().toString());
}

void Connection::connectTo(const QString &ip)
{
    ++m_generation;
    m_lossReason.clear();
    const bool unixSocket = ip.isEmpty();
    redisAsyncContext *ac = unixSocket
        ? redisAsyncConnectUnix(QFile::encodeName(m_options.socketPath).constData())
        : redisAsyncConnect(ip.toLatin1().constData(), m_options.port);
    if (!ac) {
        connectionGone(QStringLiteral("connecting: out of memory"));
        return;
    }
    if (ac->err) {
        const QString reason
            = QStringLiteral("connecting: %1").arg(QString::fromLocal8Bit(ac->errstr));
        redisAsyncFree(ac);
        connectionGone(reason);
        return;
    }
    ac->c.reader->fn = replyFunctions(); // before anything is read: Values, not redisReplys
    ac->data = this;
    attach(ac);
    if (!unixSocket)
        redisEnableKeepAlive(&ac->c);
    m_ac = ac;
    m_state = State::Connecting;
    m_connectDeadline = m_clock.elapsed() + m_options.commandTimeoutMs;
    armTimer(m_options.commandTimeoutMs);
    redisAsyncSetDisconnectCallback(ac, &Connection::onDisconnectCb);
    // Must come after attach(): hiredis asks for the first write event here and learns that
    // the non-blocking connect finished when it fires.
    redisAsyncSetConnectCallback(ac, &Connection::onConnectCb);
}

void Connection::onConnectCb(const redisAsyncContext *ac, int status)
{
    auto *self = static_cast<Connection *>(ac->data);
    if (!self || self->m_ac != ac)
        return;
    if (status != REDIS_OK) {
        // hiredis frees the context when we return.
        const QString reason
            = QStringLiteral("connecting: %1").arg(QString::fromLocal8Bit(ac->errstr));
        self->m_ac = nullptr;
        self->connectionGone(reason);
        return;
    }
    self->startHandshake();
}

void Connection::startHandshake()
{
    m_state = State::Handshake;
    m_handshakeError.clear();
    const auto step = [this](const char *what) {
        return [this, what](const Reply &r) {
            if (m_state == State::Handshake && !r && m_handshakeError.isEmpty())
                m_handshakeError
                    = QStringLiteral("%1: %2").arg(QLatin1String(what), r.error().message);
        };
    };
    // Before anything else: AUTH, then SELECT; PING last proves the server is serving (not
    // LOADING) and ends the handshake.
    if (!m_options.password.isEmpty()) {
        QList<QByteArray> auth { QByteArrayLiteral("AUTH") };
        if (!m_options.user.isEmpty())
            auth.append(m_options.user.toUtf8());
        auth.append(m_options.password.toUtf8());
        sendRaw(auth, step("AUTH"));
    }
    if (m_options.db != 0)
        sendRaw({ QByteArrayLiteral("SELECT"), QByteArray::number(m_options.db) }, step("SELECT"));
    if (!m_options.name.isEmpty()) {
        QByteArray name = m_options.name.toUtf8();
        name.replace(' ', '_'); // CLIENT SETNAME refuses spaces
        sendRaw({ QByteArrayLiteral("CLIENT"), QByteArrayLiteral("SETNAME"), name },
            step("CLIENT SETNAME"));
    }
    if (m_options.usesSentinel()) {
        // A Sentinel may name a master that has just been demoted (or not yet noticed that one
        // was): write only to a server that says it is the master.
        sendRaw({ QByteArrayLiteral("ROLE") }, [this](const Reply &r) {
            if (m_state == State::Handshake && r && !sentinel::isMasterRole(*r)
                && m_handshakeError.isEmpty())
                m_handshakeError = QStringLiteral("ROLE: not the master (a replica now)");
        });
    }
    if (!sendRaw({ QByteArrayLiteral("PING") }, [this](const Reply &r) { finishHandshake(r); }))
        dropLater(
            QStringLiteral("starting the handshake with %1 failed").arg(m_options.endpoint()));
}

void Connection::finishHandshake(const Reply &pong)
{
    if (m_state != State::Handshake)
        return;
    if (!pong && m_handshakeError.isEmpty())
        m_handshakeError = QStringLiteral("PING: %1").arg(pong.error().message);
    if (!m_handshakeError.isEmpty()) {
        m_state = State::Closing;
        dropLater(QStringLiteral("handshake with %1 failed: %2")
                      .arg(m_options.endpoint(), m_handshakeError));
        return;
    }
    m_state = State::Ready;
    m_connReady = true;
    m_failedAttempts = 0;
    m_backoffMs = m_options.reconnectMinMs;
    if (m_readyCount++ > 0)
        ++m_reconnects;
    qCInfo(lcRedis).noquote() << describe() << "connected";
    Q_EMIT ready(); // last: a slot may delete us
}

void Connection::onMasterFound(const HostPort &master)
{
    if (m_state != State::Discovering)
        return;
    m_options.host = master.host;
    m_options.port = master.port;
    m_haveMaster = true;
    connectNow();
}

void Connection::onMasterUnknown(const QString &reason)
{
    if (m_state == State::Discovering)
        connectionGone(reason);
}

void Connection::onMasterSwitched(const HostPort &to)
{
    qCWarning(lcRedis).noquote() << describe() << "Sentinel reports a failover to"
                                 << QStringLiteral("%1:%2").arg(to.host).arg(to.port);
    m_backoffMs = m_options.reconnectMinMs;
    switch (m_state) {
    case State::Waiting:
        m_reconnectTimer.start(0); // no need to wait out the backoff: there is a master again
        break;
    case State::Connecting:
    case State::Handshake:
    case State::Ready:
        if (to.host != m_options.host || to.port != m_options.port)
            drop(QStringLiteral("Sentinel moved the master to %1:%2").arg(to.host).arg(to.port));
        break;
    default:
        break;
    }
}

} // namespace confab::redis::detail

#include "websocket/hub.h"

#include "websocket/connection.h"

#include <QDateTime>
#include <QTcpSocket>

#include <algorithm>

namespace confab::websocket
{

namespace
{
constexpr int kCloseCheckMs = 250;
}

Hub::Hub(Options options, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_batch(options.batchedSends)
    , m_writeRate(options.writeCoalesceAbovePerS)
{
    m_closeTimer.setInterval(kCloseCheckMs);
    connect(&m_closeTimer, &QTimer::timeout, this, &Hub::checkClosing);
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_flushTimer, &QTimer::timeout, this, &Hub::flushHeld);
    m_clock.start();
}

Hub::~Hub()
{
    // Quietly for the sockets (no signal reaches a half-destroyed hub); loudly for handlers,
    // which must forget their Connection.
    const std::unordered_set<Connection *> all = std::move(m_connections);
    m_connections.clear();
    for (Connection *c : all) {
        QObject::disconnect(c->m_socket, nullptr, this, nullptr);
        Handler *handler = c->m_handler;
        c->m_handler = nullptr;
        c->m_state = Connection::State::Gone;
        if (handler)
            handler->onClosed(close_code::kAbnormal, false);
    }
    for (Connection *c : all) {
        delete c->m_socket;
        delete c;
    }
    for (Connection *c : m_dead)
        delete c;
}

Connection *Hub::adopt(QTcpSocket *socket, const QByteArray &answer)
{
    socket->setParent(this);
    auto *c = new Connection(this, socket, m_options.maxMessageBytes, m_options.bufferLimit);
    m_connections.insert(c);
    c->writeFirst(answer);
    connect(socket, &QTcpSocket::readyRead, this, [c] { c->readAvailable(); });
    connect(socket, &QTcpSocket::disconnected, this, [c] { c->socketGone(); });
    return c;
}

void Hub::closing(Connection *c)
{
    c->m_closeStartedMs = QDateTime::currentMSecsSinceEpoch();
    c->m_flushedMs = 0;
    m_closing.push_back(c);
    if (!m_closeTimer.isActive())
        m_closeTimer.start();
}

void Hub::queueFlush(Connection *c)
{
    // A posted call runs when the loop has handled what is ready now: everything written
    // to a connection until then leaves in one sendmsg(). While a coalescing window applies
    // (m_writeRate says so), c's first frame opens a window of its own and c is flushed when it
    // ends. Windows that start together (the members of one message) end together, but
    // the next message's members end a little later: the writes, and the peers' reads, are
    // spread over time instead of coming in one burst per window.
    // Without windows, the mode is looked at once per pass, as the pass's list starts.
    if (m_options.writeCoalesceMs > 0 && (m_writeRate.isOn() || m_flush.empty())) {
        const qint64 now = m_clock.elapsed();
        if (m_writeRate.on(now)) {
            m_held.push_back({ now + m_options.writeCoalesceMs, c });
            c->m_held = true;
            ++m_windowsOpened;
            if (!m_flushTimer.isActive())
                m_flushTimer.start(int(m_options.writeCoalesceMs));
            return;
        }
    }
    if (m_flush.empty())
        QMetaObject::invokeMethod(this, &Hub::flushQueued, Qt::QueuedConnection);
    m_flush.push_back(c);
}

void Hub::flushHeld()
{
    // Windows that end within the next millisecond go now too: the timer's resolution.
    const qint64 now = m_clock.elapsed();
    while (!m_held.empty() && m_held.front().dueMs <= now + 1) {
        Connection *c = m_held.front().c;
        m_held.pop_front();
        if (!c)
            continue;
        c->m_flushQueued = false;
        c->m_held = false;
        flush(c);
    }
    sendBatched();
    if (!m_held.empty())
        m_flushTimer.start(int(std::max<qint64>(m_held.front().dueMs - now, 0)));
}

void Hub::flushListed(std::vector<Connection *> &list, bool Connection::*listed)
{
    std::vector<Connection *> due;
    due.swap(list);
    for (Connection *c : due) {
        c->*listed = false;
        flush(c);
    }
    sendBatched();
    // Keep the capacity: the next iteration needs about as much.
    due.clear();
    if (list.empty())
        list.swap(due);
}

void Hub::flush(Connection *c)
{
    if (c->m_batched)
        return; // sentBatched() writes what it queued since, after the batch's send
    const int fd = m_batch.active() ? c->directFd() : -1;
    if (fd < 0) {
        c->flushOut();
        return;
    }
    qint64 offered = 0;
    const int count = c->gatherOut(m_batch.nextIovecs(), SendBatch::kIovecs, &offered);
    m_batch.add(fd, count);
    c->m_batched = true;
    m_batched.push_back({ c, offered });
    if (m_batch.full())
        sendBatched();
}

void Hub::sendBatched()
{
    if (m_batched.empty())
        return;
    const std::span<const ssize_t> results = m_batch.run();
    for (size_t i = 0; i < m_batched.size(); ++i) {
        Connection *c = m_batched[i].c;
        c->m_batched = false;
        c->sentBatched(results[i], m_batched[i].offered);
    }
    m_batched.clear();
}

void Hub::unlist(std::vector<Connection *> &list, bool Connection::*listed, Connection *c)
{
    if (!(c->*listed))
        return;
    c->*listed = false;
    list.erase(std::remove(list.begin(), list.end(), c), list.end());
}

void Hub::flushQueued()
{
    flushListed(m_flush, &Connection::m_flushQueued);
}

void Hub::queueFlushThisPass(Connection *c)
{
    if (m_flushPass.empty())
        QMetaObject::invokeMethod(this, &Hub::flushPass, Qt::QueuedConnection);
    m_flushPass.push_back(c);
}

void Hub::flushPass()
{
    flushListed(m_flushPass, &Connection::m_passQueued);
}

void Hub::gone(Connection *c)
{
    if (c->m_held) {
        c->m_held = false;
        c->m_flushQueued = false;
        for (Held &h : m_held) {
            if (h.c == c)
                h.c = nullptr;
        }
    }
    unlist(m_flush, &Connection::m_flushQueued, c);
    unlist(m_flushPass, &Connection::m_passQueued, c);
    QObject::disconnect(c->m_socket, nullptr, this, nullptr);
    c->m_socket->deleteLater();
    m_connections.erase(c);
    m_closing.erase(std::remove(m_closing.begin(), m_closing.end(), c), m_closing.end());
    if (m_dead.empty())
        QMetaObject::invokeMethod(this, &Hub::reap, Qt::QueuedConnection);
    m_dead.push_back(c);
}

void Hub::reap()
{
    for (Connection *c : m_dead)
        delete c;
    m_dead.clear();
}

void Hub::checkClosing()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    std::vector<Connection *> expired;
    for (Connection *c : m_closing) {
        if (c->unsentBytes() > 0) {
            // The peer is not reading: wait for the close frame to leave, within limits.
            if (now - c->m_closeStartedMs >= m_options.flushTimeoutMs)
                expired.push_back(c);
            continue;
        }
        if (c->m_flushedMs == 0)
            c->m_flushedMs = now;
        if (now - c->m_flushedMs >= m_options.closeTimeoutMs)
            expired.push_back(c);
    }
    // abort() closes the descriptor: what the kernel holds is still delivered, then FIN.
    for (Connection *c : expired)
        c->abort();
    if (m_closing.empty())
        m_closeTimer.stop();
}

} // namespace confab::websocket

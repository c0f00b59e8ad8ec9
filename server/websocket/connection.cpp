#include "websocket/connection.h"

#include "websocket/hub.h"
#include "websocket/logging.h"
#include "websocket/sendbatch.h"

#include <QDateTime>
#include <QSslSocket>
#include <QTcpSocket>

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <memory>

namespace confab::websocket
{

namespace
{

constexpr qint64 kReadChunk = 64 * 1024;

// One read buffer per thread, shared by every connection: only a message split over reads is
// kept per connection (in its FrameReader).
struct Scratch {
    std::unique_ptr<char[]> bytes = std::make_unique<char[]>(kReadChunk);
    bool busy = false;
};

} // namespace

Connection::Connection(Hub *hub, QTcpSocket *socket, qint64 maxMessageBytes, qint64 bufferLimit)
    : m_hub(hub)
    , m_socket(socket)
    , m_tls(qobject_cast<QSslSocket *>(socket))
    , m_reader(maxMessageBytes)
    , m_bufferLimit(bufferLimit)
    , m_lastInputMs(QDateTime::currentMSecsSinceEpoch())
{
}

void Connection::start(Handler *handler)
{
    if (m_state != State::Open)
        return;
    m_handler = handler;
    readAvailable();
}

qint64 Connection::unsentBytes() const
{
    if (m_state == State::Gone)
        return 0;
    // On TLS, what is encrypted but not yet taken by the kernel is held by Qt too.
    if (m_tls)
        return m_socket->bytesToWrite() + m_tls->encryptedBytesToWrite();
    if (!m_socketBuffered)
        return m_outBytes;
    const qint64 buffered = m_socket->bytesToWrite();
    m_socketBuffered = buffered > 0;
    return m_outBytes + buffered;
}

bool Connection::unsentOver(qint64 limit)
{
    if (unsentBytes() <= limit)
        return false;
    // on a write error Qt aborts: socketGone() may run from here. QSslSocket::flush() hides
    // QAbstractSocket's (which would not encrypt), hence the cast.
    if (m_tls) {
        m_tls->flush();
    } else {
        flushOut();
        m_socket->flush();
    }
    return unsentBytes() > limit;
}

int Connection::directFd()
{
    if (m_out.empty() || m_state == State::Gone
        || (m_socketBuffered && m_socket->bytesToWrite() > 0))
        return -1;
    m_socketBuffered = false;
    return int(m_socket->socketDescriptor());
}

int Connection::gatherOut(iovec *iov, int max, qint64 *bytes) const
{
    int count = 0;
    qint64 total = 0;
    for (size_t i = 0; i < m_out.size() && count < max; ++i, ++count) {
        const QByteArray &f = m_out[i];
        const qsizetype skip = i == 0 ? m_outSkip : 0;
        iov[count].iov_base = const_cast<char *>(f.constData() + skip);
        iov[count].iov_len = size_t(f.size() - skip);
        total += f.size() - skip;
    }
    *bytes = total;
    return count;
}

void Connection::consumeOut(qint64 n)
{
    m_outBytes -= n;
    size_t done = 0;
    while (n > 0) {
        const qsizetype rest = m_out[done].size() - m_outSkip;
        if (n >= rest) {
            n -= rest;
            ++done;
            m_outSkip = 0;
        } else {
            m_outSkip += qsizetype(n);
            n = 0;
        }
    }
    m_out.erase(m_out.begin(), m_out.begin() + qsizetype(done));
}

void Connection::spillOut()
{
    if (m_state != State::Gone) {
        for (size_t i = 0; i < m_out.size(); ++i) {
            const QByteArray &f = m_out[i];
            const qsizetype skip = i == 0 ? m_outSkip : 0;
            m_socket->write(f.constData() + skip, f.size() - skip);
            m_socketBuffered = true;
        }
    }
    m_out.clear();
    m_outBytes = 0;
    m_outSkip = 0;
}

void Connection::flushOut()
{
    if (m_out.empty())
        return;
    // While nothing of ours waits in Qt's buffer, the kernel may take these first.
    const int fd = directFd();
    while (fd >= 0 && !m_out.empty()) {
        iovec iov[SendBatch::kIovecs];
        qint64 offered = 0;
        msghdr msg {};
        msg.msg_iov = iov;
        msg.msg_iovlen = size_t(gatherOut(iov, SendBatch::kIovecs, &offered));
        const ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; // full (EAGAIN) or broken: Qt's buffer and its error handling take the rest
        consumeOut(n);
        if (n < offered)
            break; // the kernel's buffer is full
    }
    spillOut();
}

void Connection::sentBatched(qint64 result, qint64 offered)
{
    if (result > 0)
        consumeOut(result);
    if (result == offered)
        flushOut(); // more frames than one batched send carries, if any
    else
        spillOut(); // as flushOut() does with what the kernel did not take
}

void Connection::writeAfterQueued(const QByteArray &bytes)
{
    flushOut();
    m_socket->write(bytes);
    m_socketBuffered = true;
}

void Connection::writeFirst(const QByteArray &bytes)
{
    if (bytes.isEmpty())
        return;
    if (m_tls) {
        m_socket->write(bytes);
        return;
    }
    m_out.push_back(bytes);
    m_outBytes += bytes.size();
    flushOut();
}

bool Connection::send(const QByteArray &frame, Flush flush)
{
    if (m_state != State::Open)
        return false;
    // A single frame larger than the limit still goes out when nothing is waiting: the limit
    // is about a peer that does not read, and every frame's size is bounded elsewhere.
    if (unsentOver(std::max<qint64>(m_bufferLimit - frame.size(), 0))) {
        closeWith(4008, "client too slow: send buffer full", true);
        return false;
    }
    if (m_state != State::Open)
        return false; // the flush in unsentOver() found the connection broken
    if (m_tls) {
        m_socket->write(frame); // encrypted per connection anyway
        return true;
    }
    m_out.push_back(frame);
    m_outBytes += frame.size();
    m_hub->m_writeRate.count();
    if (!m_flushQueued) {
        m_flushQueued = true;
        m_hub->queueFlush(this);
    }
    if (flush == Flush::Pass && !m_passQueued && m_held) {
        m_passQueued = true;
        m_hub->queueFlushThisPass(this);
    }
    return true;
}

bool Connection::sendText(QByteArrayView utf8, Flush flush)
{
    return send(textFrame(utf8), flush);
}

void Connection::ping()
{
    send(pingFrame());
}

void Connection::close(int code, QByteArrayView reason)
{
    closeWith(code, reason, false);
}

void Connection::closeWith(int code, QByteArrayView reason, bool notify)
{
    if (m_state != State::Open)
        return;
    Handler *handler = m_handler;
    m_handler = nullptr;
    m_state = State::Closing;
    m_reader.discard();
    // Not counted against the limit: it is the last frame, and closing frees the rest.
    writeAfterQueued(closeFrame(code, reason));
    m_hub->closing(this);
    if (notify && handler)
        handler->onClosed(code, true);
}

void Connection::abort()
{
    m_handler = nullptr;
    if (m_state == State::Gone)
        return;
    m_socket->abort(); // emits disconnected() -> socketGone()
    socketGone(); // in case the socket was no longer connected
}

void Connection::socketGone()
{
    if (m_state == State::Gone)
        return;
    m_state = State::Gone;
    m_out.clear();
    m_outBytes = 0;
    m_outSkip = 0;
    Handler *handler = m_handler;
    m_handler = nullptr;
    m_hub->gone(this);
    if (handler)
        handler->onClosed(close_code::kAbnormal, false);
}

void Connection::readAvailable()
{
    if (m_state == State::Open && !m_handler)
        return; // not started: the bytes wait in the socket (its read buffer is bounded)
    thread_local Scratch scratch;
    std::unique_ptr<char[]> own;
    char *buffer = scratch.bytes.get();
    if (scratch.busy) {
        // Re-entered from a handler (not expected); never share the buffer being parsed.
        own = std::make_unique<char[]>(kReadChunk);
        buffer = own.get();
    }
    const bool wasBusy = scratch.busy;
    scratch.busy = true;
    while (m_state == State::Open || m_state == State::Closing) {
        const qint64 n = m_socket->read(buffer, kReadChunk);
        if (n <= 0)
            break;
        m_lastInputMs = QDateTime::currentMSecsSinceEpoch();
        m_reader.feed(buffer, qsizetype(n), *this);
        if (m_reader.closeReceived() && m_state == State::Closing) {
            // The peer answered our close (or closed with a frame we refused): done.
            m_state = State::PeerClosed;
            m_socket->disconnectFromHost(); // after the unsent bytes; may emit disconnected now
        }
    }
    scratch.busy = wasBusy;
}

void Connection::onMessage(Opcode opcode, QByteArrayView payload)
{
    if (m_state != State::Open || !m_handler)
        return;
    if (opcode == Opcode::Text)
        m_handler->onText(payload);
    else
        m_handler->onBinary(payload);
}

void Connection::onPing(QByteArrayView payload)
{
    if (m_state == State::Open)
        send(serverFrame(Opcode::Pong, payload), Flush::Pass);
}

void Connection::onPong(QByteArrayView)
{
    // lastInputMs is already updated: any input proves the peer alive.
}

void Connection::onCloseFrame(int code, QByteArrayView)
{
    if (m_state != State::Open)
        return; // an answer to our close: readAvailable() finishes
    // Echo the code (RFC 6455 section 5.5.1), then close TCP once it is out.
    writeAfterQueued(
        code == close_code::kNoStatus ? serverFrame(Opcode::Close, {}) : closeFrame(code));
    Handler *handler = m_handler;
    m_handler = nullptr;
    m_state = State::PeerClosed;
    m_hub->closing(this);
    if (handler)
        handler->onClosed(code, false);
    if (m_state == State::PeerClosed)
        m_socket->disconnectFromHost(); // may emit disconnected now
}

void Connection::onProtocolError(int closeCode, QByteArrayView reason)
{
    qCDebug(lcWebSocket) << "closing with" << closeCode << reason;
    closeWith(closeCode, reason, true);
}

} // namespace confab::websocket

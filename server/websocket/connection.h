#pragma once

#include "websocket/framereader.h"

#include <QByteArray>
#include <QByteArrayView>

#include <vector>

class QSslSocket;
class QTcpSocket;
struct iovec;

namespace confab::websocket
{

class Hub;

// The owner of a connection's messages (a client session, an admin session). Plain interface:
// no QObject, no signal connection per message.
class Handler
{
public:
    // A complete text message, valid UTF-8. The view is valid only during the call.
    virtual void onText(QByteArrayView utf8) = 0;
    virtual void onBinary(QByteArrayView data) = 0;
    // The connection is over for this handler: the peer closed it (its code, close_code::
    // kNoStatus, or kAbnormal when TCP ended without a close frame), or the server closed it
    // (byServer: a protocol error answered with 1002/1007/1009, or 4008 when an outgoing frame
    // would pass the buffer limit). Not called after the handler's own close() or abort(). The
    // Connection must not be used once this was called.
    virtual void onClosed(int code, bool byServer) = 0;

protected:
    ~Handler() = default;
};

// One server-side WebSocket on a QTcpSocket, owned by its Hub (never by the handler), so that a
// closing socket can outlive its session: after a close frame is sent, input is read and
// discarded until the peer's close frame or TCP close, for at most the Hub's close timeout.
// Not a QObject: per connection there is the QTcpSocket and this small object only.
class Connection final : private FrameSink
{
public:
    // Attaches the handler and processes whatever arrived with the handshake.
    void start(Handler *handler);

    // Writes one finished frame (frame.h), typically the same shared QByteArray for many
    // connections. Every frame counts against the buffer limit: one that would take the unsent
    // bytes past it while some are already waiting closes the connection with 4008 instead
    // (onClosed tells the handler). Returns whether the frame was queued. On plain TCP the
    // frame is not copied: a reference waits in this connection until the hub's flush, once per
    // event loop iteration, hands every waiting frame to the kernel in one sendmsg() from the
    // shared bytes; only what the kernel does not take goes to the socket's own buffer.
    // With a coalescing window (Hub::Options::writeCoalesceMs), a frame waits for the window's
    // end, unless it is Flush::Pass: an answer its peer waits for, which (with whatever this
    // connection queued before it) leaves at the end of this loop pass anyway.
    enum class Flush { Window, Pass };
    bool send(const QByteArray &frame, Flush flush = Flush::Window);
    bool sendText(QByteArrayView utf8, Flush flush = Flush::Window);
    void ping();
    // Sends a close frame; the handler is detached (no onClosed follows).
    void close(int code, QByteArrayView reason = {});
    // Drops the TCP connection without a close frame; the handler is detached.
    void abort();

    [[nodiscard]] bool isOpen() const { return m_state == State::Open; }
    [[nodiscard]] bool hasHandler() const { return m_handler != nullptr; }
    // Bytes written but not yet handed to the kernel. Writes are handed over once per event
    // loop iteration (so a burst costs one send()), so this also counts what the kernel
    // would still take: compare with a limit through unsentOver().
    [[nodiscard]] qint64 unsentBytes() const;
    // Frames written since the last flush whose bytes are still shared, not copied.
    [[nodiscard]] qsizetype queuedFrames() const { return qsizetype(m_out.size()); }
    // Whether more than `limit` bytes are unsent even after handing the kernel what it takes
    // now (one non-blocking send, only when the count is over the limit). That send may find
    // the connection broken: then the handler's onClosed() runs before this returns.
    [[nodiscard]] bool unsentOver(qint64 limit);
    // When bytes last arrived (ms since the epoch): any frame, pongs included.
    [[nodiscard]] qint64 lastInputMs() const { return m_lastInputMs; }
    [[nodiscard]] qint64 bufferLimit() const { return m_bufferLimit; }
    void setBufferLimit(qint64 bytes) { m_bufferLimit = bytes; }

private:
    friend class Hub;
    enum class State : quint8 {
        Open,
        Closing, // our close frame is out; waiting for the peer's
        PeerClosed, // the peer's close frame arrived and was answered; TCP closing
        Gone, // the TCP connection ended
    };

    Connection(Hub *hub, QTcpSocket *socket, qint64 maxMessageBytes, qint64 bufferLimit);

    void readAvailable();
    // Hands the queued frames (m_out) to the kernel, what it does not take to the socket's
    // buffer (in order, after what that buffer holds). Never closes or calls the handler.
    void flushOut();
    // The pieces of flushOut(), for the Hub's batched sends (SendBatch):
    // the descriptor the queued frames may be written to directly, or -1 (nothing queued,
    // gone, or Qt's buffer holds bytes that must go first);
    int directFd();
    // up to max iovecs of the queued bytes, in order, and their total in *bytes;
    int gatherOut(iovec *iov, int max, qint64 *bytes) const;
    // drops the first n queued bytes (the kernel took them);
    void consumeOut(qint64 n);
    // the queued bytes to Qt's buffer, which writes them when the socket has room;
    void spillOut();
    // what a batched send of `offered` bytes gave (bytes, or -errno): the rest follows as
    // flushOut() would send it.
    void sentBatched(qint64 result, qint64 offered);
    // A write that must follow every queued frame (close frames).
    void writeAfterQueued(const QByteArray &bytes);
    // A write before any frame (the handshake's answer), handed to the kernel now.
    void writeFirst(const QByteArray &bytes);
    void closeWith(int code, QByteArrayView reason, bool notify);
    void socketGone();

    void onMessage(Opcode opcode, QByteArrayView payload) override;
    void onPing(QByteArrayView payload) override;
    void onPong(QByteArrayView payload) override;
    void onCloseFrame(int code, QByteArrayView reason) override;
    void onProtocolError(int closeCode, QByteArrayView reason) override;

    Hub *m_hub;
    QTcpSocket *m_socket;
    QSslSocket *m_tls; // m_socket when it is a QSslSocket (a TLS listener), else null
    Handler *m_handler = nullptr;
    FrameReader m_reader;
    qint64 m_bufferLimit;
    qint64 m_lastInputMs = 0;
    qint64 m_closeStartedMs = 0; // for the Hub's close deadlines
    qint64 m_flushedMs = 0;
    std::vector<QByteArray> m_out; // frames for the hub's next flush (plain TCP only)
    qint64 m_outBytes = 0;
    qsizetype m_outSkip = 0; // bytes of m_out's first frame already written
    State m_state = State::Open;
    bool m_flushQueued = false; // in one of the hub's flush lists
    bool m_held = false; // of those, waiting for its coalescing window (Hub::m_held)
    bool m_passQueued = false; // in the hub's list for the end of this pass (Flush::Pass)
    bool m_batched = false; // its queued bytes are in the hub's SendBatch, not yet submitted
    // Plain TCP: whether Qt's write buffer may hold bytes (something went through m_socket->
    // write since it was last seen empty); while not, its size is not asked for each frame.
    // True at first: what was written before adoption may still wait there.
    mutable bool m_socketBuffered = true;
};

} // namespace confab::websocket

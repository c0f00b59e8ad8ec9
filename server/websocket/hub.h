#pragma once

#include "confab/ratelatch.h"
#include "websocket/sendbatch.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <deque>
#include <unordered_set>
#include <vector>

class QTcpSocket;

namespace confab::websocket
{

class Connection;

// Owns the WebSocket connections of one listener: their sockets' signals, and one shared
// timer for the close deadlines (no timer per connection).
class Hub : public QObject
{
    Q_OBJECT
public:
    struct Options {
        qint64 maxMessageBytes = 1 << 20; // a larger message is closed with 1009
        qint64 bufferLimit = 8 << 20; // unsent bytes before 4008, until a handler sets its own
        // After our close frame has left the process, how long the peer has to answer it (or
        // to close TCP) before the socket is closed anyway.
        qint64 closeTimeoutMs = 2000;
        // How long a closing socket may keep unsent bytes (a peer that does not read) before
        // it is dropped; bounds the memory of closing sockets.
        qint64 flushTimeoutMs = 10000;
        // 0: a connection's queued frames leave when the loop has handled what is ready now
        // (one sendmsg() per connection and pass). N > 0: a connection's first queued frame
        // opens a window of its own, and what it queues in the next N ms leaves with it in
        // one sendmsg(), at the price of that much latency ([server] write_coalesce,
        // docs/architecture.md).
        qint64 writeCoalesceMs = 0;
        // The window applies only while this hub queues at least this many frames a second
        // (confab::RateLatch: measured over 100 ms or more; it stops below three quarters of it),
        // so a node that is not busy writing adds no latency. 0: it always applies.
        // ([server] write_coalesce_above.)
        qint64 writeCoalesceAbovePerS = 0;
        // A flush of many connections writes them with one system call (SendBatch, io_uring)
        // when the kernel allows it; false, or a kernel without it: one sendmsg() each.
        // ([server] batched_sends.)
        bool batchedSends = true;
    };

    explicit Hub(Options options, QObject *parent = nullptr);
    // Connections still open are dropped; their handlers get onClosed(kAbnormal).
    ~Hub() override;

    // Takes over a socket whose handshake was read (bytes after it may already wait in it) and
    // writes its 101 answer, straight to the kernel when it takes it all: Qt's write buffer, a
    // 32 KiB block its socket keeps once it has one, is then never made for an idle connection.
    // The Connection reads nothing until start().
    Connection *adopt(QTcpSocket *socket, const QByteArray &answer);

    // Connections whose TCP connection is still open, closing ones included.
    [[nodiscard]] int connectionCount() const { return int(m_connections.size()); }
    [[nodiscard]] const Options &options() const { return m_options; }
    // Whether frames queued now wait for a coalescing window (see Options), and how many
    // windows (one per connection each time it starts waiting) have been opened so far.
    [[nodiscard]] bool coalescing() const
    {
        return m_options.writeCoalesceMs > 0 && m_writeRate.isOn();
    }
    [[nodiscard]] quint64 windowsOpened() const { return m_windowsOpened; }
    // Whether flushes go out as batches (Options::batchedSends and the kernel allows it), and
    // how many system calls have carried such batches.
    [[nodiscard]] bool sendsBatched() const { return m_batch.active(); }
    [[nodiscard]] quint64 batchSubmits() const { return m_batch.submits(); }

private:
    friend class Connection;
    void closing(Connection *c);
    void gone(Connection *c);
    // c has frames for the kernel: flushed once this event loop iteration's work is done, or
    // at the end of c's window while one applies.
    void queueFlush(Connection *c);
    void flushQueued();
    // Flushes the connections whose window has ended, and waits for the next one's end.
    void flushHeld();
    // Inside a coalescing window: c has an answer its peer waits for, flushed at the end of
    // this pass. c stays in the window's list (its later frames still wait for the window).
    void queueFlushThisPass(Connection *c);
    void flushPass();
    // The two flush lists: each listed connection is flushed once and its `listed` flag cleared;
    // unlist() takes one out (it is going away).
    void flushListed(std::vector<Connection *> &list, bool Connection::*listed);
    // Writes c's queued frames: into the batch while one is active (sent by sendBatched()),
    // else at once. Writes to sockets only: no handler runs, no connection goes away.
    void flush(Connection *c);
    void sendBatched();
    static void unlist(std::vector<Connection *> &list, bool Connection::*listed, Connection *c);
    void checkClosing();
    void reap();

    Options m_options;
    std::unordered_set<Connection *> m_connections;
    std::vector<Connection *> m_closing;
    std::vector<Connection *> m_dead; // deleted from the event loop, never under a caller
    // Connections with queued frames (Connection::m_out, m_flushQueued set) are in one of two
    // lists: m_flush, flushed at the end of the pass, or m_held, waiting for their windows.
    // Every window has the same length, so m_held is in the order the windows end. A
    // connection that goes away while held leaves a null behind.
    struct Held {
        qint64 dueMs; // on m_clock
        Connection *c;
    };
    std::vector<Connection *> m_flush;
    std::deque<Held> m_held;
    std::vector<Connection *> m_flushPass; // of those, the ones with an answer (Flush::Pass)
    QTimer m_closeTimer;
    QTimer m_flushTimer; // coalescing: fires flushHeld() when the first held window ends
    quint64 m_windowsOpened = 0;
    SendBatch m_batch;
    struct Batched {
        Connection *c;
        qint64 offered; // bytes its send was given
    };
    std::vector<Batched> m_batched; // the connections of m_batch's sends, in order
    // Frames queued by Connection::send(); with write_coalesce on, whether a connection that
    // starts waiting now (m_clock) waits for a window.
    RateLatch m_writeRate;
    QElapsedTimer m_clock;
};

} // namespace confab::websocket

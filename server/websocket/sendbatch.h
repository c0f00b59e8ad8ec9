#pragma once

#include <QtGlobal>

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <span>
#include <vector>

struct io_uring;

namespace confab::websocket
{

// Writes to many sockets with one system call: each send is io_uring's sendmsg with
// MSG_DONTWAIT, which completes or fails (EAGAIN) within the submitting call, exactly as a
// non-blocking sendmsg() would, only without a system call per socket. The Hub's flushes use it
// ([server] batched_sends, docs/architecture.md, "Batched writes").
//
// Where the kernel has no io_uring (too old, or disabled by sysctl or a seccomp filter) or does
// not finish such sends within the call, active() is false and callers
// write one sendmsg() at a time.
class SendBatch
{
public:
    // iovecs per send, batched or a sendmsg() of its own (Connection::flushOut()): a
    // connection with more frames waiting sends the rest in further sends.
    static constexpr int kIovecs = 64;
    // Sends per system call; the ring holds this many.
    static constexpr int kCapacity = 256;

    // wanted = false: never active.
    explicit SendBatch(bool wanted);
    ~SendBatch();
    SendBatch(const SendBatch &) = delete;
    SendBatch &operator=(const SendBatch &) = delete;

    // Whether this process's kernel does what this class needs (probed once, on a socket pair).
    [[nodiscard]] static bool supported();

    [[nodiscard]] bool active() const { return m_ring != nullptr; }
    [[nodiscard]] bool full() const { return m_count == kCapacity; }
    // System calls that submitted sends so far.
    [[nodiscard]] quint64 submits() const { return m_submits; }

    // The kIovecs iovecs of the next send, to fill before add(). Only while !full().
    [[nodiscard]] iovec *nextIovecs() { return &m_iovecs[size_t(m_count) * kIovecs]; }
    // Queues a send to fd of the first `count` iovecs that nextIovecs() gave. The bytes they
    // point to must stay valid until run() returns.
    void add(int fd, int count);
    // Submits every queued send in one call and waits for their results (each is done within
    // the call). Result i is the bytes send i wrote, or -errno (EAGAIN when the socket's
    // buffer was full, as sendmsg() would say). The span is valid until the next add().
    // If the ring fails, the batch stops being active and the sends it did not submit report
    // -EAGAIN (so callers keep their bytes for a later write).
    std::span<const ssize_t> run();

private:
    io_uring *m_ring = nullptr;
    int m_count = 0;
    quint64 m_submits = 0;
    std::vector<msghdr> m_messages;
    std::vector<iovec> m_iovecs;
    std::vector<ssize_t> m_results;
};

} // namespace confab::websocket

#include "websocket/sendbatch.h"

#include "websocket/logging.h"

#include <liburing.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

namespace confab::websocket
{

namespace
{

constexpr int kFlags = MSG_NOSIGNAL | MSG_DONTWAIT;

// Sends to a socket pair until its buffer is full: every send must be done when the submitting
// call returns, the last with -EAGAIN. A kernel whose io_uring instead waits for room (it has
// not always honoured MSG_DONTWAIT on sends) fails.
bool probe()
{
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0)
        return false;
    io_uring ring {};
    if (io_uring_queue_init(4, &ring, 0) < 0) {
        ::close(pair[0]);
        ::close(pair[1]);
        return false;
    }
    const auto chunk = std::make_unique<char[]>(64 * 1024);
    bool ok = true;
    bool full = false;
    for (int i = 0; i < 256 && ok && !full; ++i) {
        io_uring_sqe *sqe = io_uring_get_sqe(&ring);
        iovec iov { chunk.get(), 64 * 1024 };
        msghdr message {};
        message.msg_iov = &iov;
        message.msg_iovlen = 1;
        io_uring_prep_sendmsg(sqe, pair[0], &message, kFlags);
        io_uring_cqe *cqe = nullptr;
        if (io_uring_submit(&ring) != 1 || io_uring_peek_cqe(&ring, &cqe) != 0) {
            ok = false; // refused, or not done within the call
            break;
        }
        if (cqe->res == -EAGAIN)
            full = true;
        else if (cqe->res <= 0)
            ok = false;
        io_uring_cqe_seen(&ring, cqe);
    }
    io_uring_queue_exit(&ring); // cancels a send still waiting, if any
    ::close(pair[0]);
    ::close(pair[1]);
    return ok && full;
}

} // namespace

bool SendBatch::supported()
{
    static const bool yes = [] {
        const bool ok = probe();
        if (!ok)
            qCInfo(lcWebSocket) << "io_uring is not usable here: one sendmsg() per connection";
        return ok;
    }();
    return yes;
}

SendBatch::SendBatch(bool wanted)
{
    if (!wanted || !supported())
        return;
    auto ring = std::make_unique<io_uring>();
    if (io_uring_queue_init(kCapacity, ring.get(), 0) < 0)
        return;
    m_ring = ring.release();
    m_messages.resize(kCapacity);
    m_iovecs.resize(size_t(kCapacity) * kIovecs);
    m_results.reserve(kCapacity);
}

SendBatch::~SendBatch()
{
    if (m_ring) {
        io_uring_queue_exit(m_ring);
        delete m_ring;
    }
}

void SendBatch::add(int fd, int count)
{
    msghdr &message = m_messages[size_t(m_count)];
    message = {};
    message.msg_iov = nextIovecs();
    message.msg_iovlen = size_t(count);
    io_uring_sqe *sqe = io_uring_get_sqe(m_ring); // never null: at most kCapacity queued
    io_uring_prep_sendmsg(sqe, fd, &message, kFlags);
    io_uring_sqe_set_data64(sqe, quint64(m_count));
    ++m_count;
}

std::span<const ssize_t> SendBatch::run()
{
    const int n = m_count;
    m_count = 0;
    m_results.assign(size_t(n), -EAGAIN);
    if (n == 0 || !m_ring)
        return m_results;
    const int ret = io_uring_submit_and_wait(m_ring, unsigned(n));
    ++m_submits;
    // What the kernel did not take stays in the ring's queue: never sent.
    const int submitted = n - int(io_uring_sq_ready(m_ring));
    int done = 0;
    while (done < submitted) {
        io_uring_cqe *cqe = nullptr;
        int e = io_uring_peek_cqe(m_ring, &cqe);
        if (e == -EAGAIN)
            e = io_uring_wait_cqe(m_ring, &cqe); // not expected: probe() saw sends done inline
        if (e == -EINTR)
            continue;
        if (e < 0)
            break;
        const quint64 i = io_uring_cqe_get_data64(cqe);
        if (i < quint64(n))
            m_results[size_t(i)] = cqe->res;
        io_uring_cqe_seen(m_ring, cqe);
        ++done;
    }
    if (submitted < n || done < submitted) {
        qCWarning(lcWebSocket).nospace()
            << "io_uring stopped (" << ret << ", " << submitted << " of " << n
            << " sends submitted); writing with sendmsg() from now on";
        io_uring_queue_exit(m_ring);
        delete m_ring;
        m_ring = nullptr;
    }
    return m_results;
}

} // namespace confab::websocket

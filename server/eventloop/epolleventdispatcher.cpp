#include "eventloop/epolleventdispatcher.h"
#include "eventloop/logging.h"
#include "eventloop/timerqueue.h"

#include <confab/ratelatch.h>

#include <QCoreApplication>
#include <QSocketNotifier>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>
#include <thread>
#include <time.h>
#include <vector>

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace confab::eventloop
{

namespace
{

// How many ready fds one epoll_wait returns: the buffer starts small and doubles whenever epoll
// fills it, so that, as with Qt's poll, every ready socket is handled before the pass's timers (a
// Redis reply already in its socket must be read before its command's timeout fires).
constexpr std::size_t kInitialEvents = 256;
constexpr std::size_t kMaxEvents = 16384;
constexpr std::size_t kNestedEvents = 64;
// epoll_event.data of the wakeup eventfd; a socket's data is its fd plus a non-zero serial.
constexpr std::uint64_t kWakeUpTag = ~std::uint64_t(0);
constexpr qint64 kNsPerMs = 1'000'000;
constexpr qint64 kNsPerSecond = 1'000'000'000;

constexpr std::array<std::uint32_t, 3> kInterest = {
    EPOLLIN, // QSocketNotifier::Read
    EPOLLOUT, // QSocketNotifier::Write
    EPOLLPRI, // QSocketNotifier::Exception
};
// As QEventDispatcherUNIX: a hang-up or error activates every notifier of the fd, so the one
// that is enabled finds out.
constexpr std::array<std::uint32_t, 3> kActivatedBy = {
    EPOLLIN | EPOLLHUP | EPOLLERR,
    EPOLLOUT | EPOLLHUP | EPOLLERR,
    EPOLLPRI | EPOLLHUP | EPOLLERR,
};

const char *typeName(int type)
{
    static const char *const names[] = { "Read", "Write", "Exception" };
    return type >= 0 && type < 3 ? names[type] : "unknown";
}

std::uint64_t tag(int fd, std::uint32_t serial)
{
    return (std::uint64_t(serial) << 32) | std::uint32_t(fd);
}

} // namespace

class EpollEventDispatcher::Private
{
public:
    // The notifiers of one fd. `serial` changes whenever the fd starts being watched afresh, so
    // an event reported for a closed fd is never delivered to a new socket that reuses its
    // number within the same pass.
    struct FdEntry {
        std::array<QSocketNotifier *, 3> notifiers {};
        std::uint32_t kernelMask = 0; // what the epoll set holds; 0: not in it
        std::uint32_t serial = 0;
        bool dirty = false; // its wanted mask may differ from kernelMask
        bool pollable = true; // epoll refused it (a regular file): always ready, as poll() says

        [[nodiscard]] bool empty() const { return !notifiers[0] && !notifiers[1] && !notifiers[2]; }
        [[nodiscard]] std::uint32_t wantedMask() const
        {
            std::uint32_t m = 0;
            for (int i = 0; i < 3; ++i) {
                if (notifiers[std::size_t(i)])
                    m |= kInterest[std::size_t(i)];
            }
            return m;
        }
    };

    FdEntry *entry(int fd)
    {
        return fd >= 0 && std::size_t(fd) < fds.size() ? &fds[std::size_t(fd)] : nullptr;
    }
    void markDirty(int fd, FdEntry &e);
    void applyChanges();
    int activate(const epoll_event *events, int count);
    int activateUnpollable();
    int consumeWakeUp();
    int wait(epoll_event *events, int size, int timeoutMs, bool includeTimers);

    int epollFd = -1;
    int wakeFd = -1;
    QString error;
    std::atomic<bool> wakeUpPending { false };
    std::atomic<bool> interrupted { false };
    // The thread that runs processEvents (set by its first call). A wakeUp() from that thread
    // cannot find the loop blocked: it writes no eventfd, and only makes the next wait not block
    // (postedHere), so a post within the loop costs no write, no epoll report and no read.
    std::atomic<std::thread::id> loopThread {};
    bool postedHere = false;
    // Indexed by fd: descriptors are small and dense, and a lookup per ready fd must be cheap.
    std::vector<FdEntry> fds;
    // Interest changes are applied just before the next epoll_wait: QAbstractSocket enables its
    // write notifier for every write and disables it once flushed, often within one pass.
    std::vector<int> dirty;
    std::vector<int> unpollable;
    std::uint32_t nextSerial = 1;
    TimerQueue timers;
    // The outermost processEvents' epoll buffer; a nested one (a handler running an event loop)
    // uses a small one of its own, as the outer is still being walked.
    std::vector<epoll_event> events;
    int depth = 0;
    // The wake hold (setWakeHold): while readyRate is on, a wait that would block starts no
    // sooner than holdNs after the last one returned (lastWakeNs); holds counts those that slept.
    qint64 holdNs = 0;
    RateLatch readyRate { 0 };
    qint64 lastWakeNs = 0;
    quint64 holds = 0;
    std::function<bool()> holdAllowed;
};

void EpollEventDispatcher::Private::markDirty(int fd, FdEntry &e)
{
    if (!e.dirty) {
        e.dirty = true;
        dirty.push_back(fd);
    }
}

void EpollEventDispatcher::Private::applyChanges()
{
    for (const int fd : dirty) {
        FdEntry *e = entry(fd);
        if (!e || !e->dirty)
            continue;
        e->dirty = false;
        const std::uint32_t want = e->wantedMask();
        if (!e->pollable || want == e->kernelMask || want == 0)
            continue; // an empty entry was removed from the set when it became empty
        epoll_event ev {};
        ev.events = want;
        ev.data.u64 = tag(fd, e->serial);
        int op = e->kernelMask ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
        int rc = ::epoll_ctl(epollFd, op, fd, &ev);
        if (rc != 0
            && ((op == EPOLL_CTL_MOD && errno == ENOENT)
                || (op == EPOLL_CTL_ADD && errno == EEXIST))) {
            // The fd was closed and reused behind our back (the kernel dropped the old file from
            // the set), or is still in it from a registration we lost track of: swap the op.
            op = op == EPOLL_CTL_MOD ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
            rc = ::epoll_ctl(epollFd, op, fd, &ev);
        }
        if (rc == 0) {
            e->kernelMask = want;
        } else if (errno == EPERM) {
            qCInfo(lcEventLoop,
                "fd %d cannot be watched by epoll (not a socket or pipe); it is "
                "treated as always ready, as poll() does",
                fd);
            e->pollable = false;
            e->kernelMask = 0;
            unpollable.push_back(fd);
        } else {
            qCWarning(lcEventLoop, "cannot watch fd %d (events 0x%x): %s", fd, want,
                std::strerror(errno));
            e->kernelMask = 0;
        }
    }
    dirty.clear();
}

int EpollEventDispatcher::Private::consumeWakeUp()
{
    eventfd_t value = 0;
    [[maybe_unused]] const int rc = ::eventfd_read(wakeFd, &value);
    // Cleared after the read: a wakeUp() in between finds the flag still set and writes
    // nothing, but whatever it announced (a posted event) is picked up by the next
    // processEvents, which sends posted events before it waits.
    return wakeUpPending.exchange(false) ? 1 : 0;
}

int EpollEventDispatcher::Private::activate(const epoll_event *events, int count)
{
    int activated = 0;
    for (int i = 0; i < count; ++i) {
        const std::uint64_t data = events[i].data.u64;
        if (data == kWakeUpTag)
            continue;
        const int fd = int(std::uint32_t(data));
        const auto serial = std::uint32_t(data >> 32);
        for (std::size_t type = 0; type < 3; ++type) {
            if (interrupted.load(std::memory_order_relaxed))
                return activated;
            // Looked up before each event: a handler may have unregistered this notifier (it is
            // not activated afterwards), closed the fd, or grown `fds`.
            FdEntry *e = entry(fd);
            if (!e || e->serial != serial)
                break;
            QSocketNotifier *notifier = e->notifiers[type];
            if (!notifier || !(events[i].events & kActivatedBy[type]))
                continue;
            QEvent event(QEvent::SockAct);
            QCoreApplication::sendEvent(notifier, &event);
            ++activated;
        }
    }
    return activated;
}

int EpollEventDispatcher::Private::activateUnpollable()
{
    if (unpollable.empty())
        return 0;
    std::vector<epoll_event> ready;
    ready.reserve(unpollable.size());
    for (const int fd : unpollable) {
        epoll_event ev {};
        ev.events = EPOLLIN | EPOLLOUT;
        ev.data.u64 = tag(fd, fds[std::size_t(fd)].serial);
        ready.push_back(ev);
    }
    return activate(ready.data(), int(ready.size()));
}

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
    , d(std::make_unique<Private>())
{
    d->epollFd = ::epoll_create1(EPOLL_CLOEXEC);
    if (d->epollFd < 0) {
        d->error
            = QStringLiteral("epoll_create1: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
        return;
    }
    d->wakeFd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (d->wakeFd < 0) {
        d->error = QStringLiteral("eventfd: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
        return;
    }
    epoll_event ev {};
    ev.events = EPOLLIN;
    ev.data.u64 = kWakeUpTag;
    if (::epoll_ctl(d->epollFd, EPOLL_CTL_ADD, d->wakeFd, &ev) != 0)
        d->error
            = QStringLiteral("epoll_ctl: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    if (d->wakeFd >= 0)
        ::close(d->wakeFd);
    if (d->epollFd >= 0)
        ::close(d->epollFd);
}

// One epoll_wait of the outermost pass, after the wake hold: when the last wait that could block
// returned less than holdNs ago, the thread first sleeps out the rest of holdNs (never past the
// next timer), so that what becomes ready meanwhile is handled in one pass instead of one wakeup
// each. A socket whose handler left bytes unread waits for that too: the Redis connections read
// theirs to the end (redis::detail::Connection::onReadable), QAbstractSocket reads all there is.
int EpollEventDispatcher::Private::wait(
    epoll_event *events, int size, int timeoutMs, bool includeTimers)
{
    const bool outermost = depth == 1;
    if (outermost && holdNs > 0 && timeoutMs != 0) {
        const qint64 now = TimerQueue::monotonicNs();
        qint64 until = lastWakeNs + holdNs;
        if (until > now && readyRate.on(now / kNsPerMs) && (!holdAllowed || holdAllowed())) {
            if (includeTimers) {
                const qint64 ns = timers.nsUntilNext(now);
                if (ns >= 0)
                    until = std::min(until, now + ns);
            }
            const qint64 deadline = timeoutMs < 0 ? -1 : now + qint64(timeoutMs) * kNsPerMs;
            const timespec at { time_t(until / kNsPerSecond), long(until % kNsPerSecond) };
            while (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, nullptr) == EINTR) { }
            ++holds;
            if (deadline >= 0) {
                const qint64 left = deadline - TimerQueue::monotonicNs();
                timeoutMs = left <= 0 ? 0 : int((left + kNsPerMs - 1) / kNsPerMs);
            }
        }
    }
    const int n = ::epoll_wait(epollFd, events, size, timeoutMs);
    if (outermost) {
        if (n > 0)
            readyRate.count(n);
        if (timeoutMs != 0)
            lastWakeNs = TimerQueue::monotonicNs();
    }
    return n;
}

void EpollEventDispatcher::setWakeHold(
    qint64 holdMs, qint64 aboveReadyPerS, std::function<bool()> allowed)
{
    d->holdNs = std::max<qint64>(0, holdMs) * kNsPerMs;
    d->readyRate = RateLatch(aboveReadyPerS);
    d->holdAllowed = std::move(allowed);
}

quint64 EpollEventDispatcher::heldWaits() const
{
    return d->holds;
}

bool EpollEventDispatcher::isValid() const
{
    return d->error.isEmpty();
}

QString EpollEventDispatcher::errorString() const
{
    return d->error;
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    d->interrupted.store(false, std::memory_order_relaxed);
    if (d->loopThread.load(std::memory_order_relaxed) != std::this_thread::get_id())
        d->loopThread.store(std::this_thread::get_id(), std::memory_order_relaxed);
    Q_EMIT awake();
    // Everything posted from this thread until now is sent here; a post from here on (by a
    // handler below, or by sendPostedEvents itself, which leaves what is posted while it runs
    // for the next call) sets postedHere again.
    d->postedHere = false;
    QCoreApplication::sendPostedEvents();

    const bool includeTimers = !(flags & QEventLoop::X11ExcludeTimers);
    const bool includeNotifiers = !(flags & QEventLoop::ExcludeSocketNotifiers);
    bool canWait = (flags & QEventLoop::WaitForMoreEvents) && !d->interrupted.load();
    if (canWait)
        Q_EMIT aboutToBlock();
    if (d->interrupted.load())
        return false;
    if (d->postedHere)
        canWait = false; // an event posted from this thread waits in the queue: do not block

    // Block until the next timer, a ready fd or a wakeUp(): events posted from now on call
    // wakeUp(), whose eventfd is in the set.
    int timeoutMs = 0;
    if (canWait && (!includeNotifiers || d->unpollable.empty())) {
        timeoutMs = -1;
        const qint64 ns = includeTimers ? d->timers.nsUntilNext(TimerQueue::monotonicNs()) : -1;
        if (ns >= 0)
            timeoutMs = int(std::min<qint64>((ns + kNsPerMs - 1) / kNsPerMs, INT_MAX));
    }

    int processed = 0;
    if (includeNotifiers) {
        d->applyChanges();
        std::vector<epoll_event> nested;
        std::vector<epoll_event> &events = d->depth == 0 ? d->events : nested;
        if (events.empty())
            events.resize(d->depth == 0 ? kInitialEvents : kNestedEvents);
        ++d->depth;
        int n = d->wait(events.data(), int(events.size()), timeoutMs, includeTimers);
        if (n < 0) {
            if (errno != EINTR)
                qCWarning(lcEventLoop, "epoll_wait: %s", std::strerror(errno));
            n = 0;
        }
        for (int i = 0; i < n; ++i) {
            if (events[std::size_t(i)].data.u64 == kWakeUpTag)
                processed += d->consumeWakeUp();
        }
        processed += d->activate(events.data(), n);
        processed += d->activateUnpollable();
        --d->depth;
        if (std::size_t(n) == events.size() && events.size() < kMaxEvents)
            events.resize(events.size() * 2);
    } else {
        pollfd wake { d->wakeFd, POLLIN, 0 };
        if (::poll(&wake, 1, timeoutMs) > 0)
            processed += d->consumeWakeUp();
    }
    if (includeTimers)
        processed += d->timers.activateDue(TimerQueue::monotonicNs(), d->interrupted);
    return processed > 0;
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    Q_ASSERT(notifier);
    const int fd = int(notifier->socket());
    const int type = notifier->type();
    if (fd < 0 || type < 0 || type > 2) {
        qCWarning(lcEventLoop, "QSocketNotifier: invalid socket %d or type %d", fd, type);
        return;
    }
    if (std::size_t(fd) >= d->fds.size())
        d->fds.resize(std::size_t(fd) + 1);
    Private::FdEntry &e = d->fds[std::size_t(fd)];
    if (e.empty()) {
        e = Private::FdEntry {};
        e.serial = d->nextSerial++;
        if (e.serial == 0)
            e.serial = d->nextSerial++;
    }
    QSocketNotifier *&slot = e.notifiers[std::size_t(type)];
    if (slot && slot != notifier)
        qCWarning(lcEventLoop,
            "QSocketNotifier: multiple socket notifiers for socket %d and type %s", fd,
            typeName(type));
    slot = notifier;
    if (!e.pollable)
        return;
    d->markDirty(fd, e);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    Q_ASSERT(notifier);
    const int fd = int(notifier->socket());
    const int type = notifier->type();
    Private::FdEntry *e = d->entry(fd);
    if (!e || type < 0 || type > 2)
        return;
    QSocketNotifier *&slot = e->notifiers[std::size_t(type)];
    if (slot != notifier) {
        if (slot)
            qCWarning(lcEventLoop,
                "QSocketNotifier: multiple socket notifiers for socket %d and type %s", fd,
                typeName(type));
        return;
    }
    slot = nullptr;
    if (!e->empty()) {
        d->markDirty(fd, *e);
        return;
    }
    // Removed at once, not deferred: the fd is usually closed right after, and a registration
    // left behind by a closed fd whose file lives on (a dup, a forked child) could never be
    // removed again.
    if (e->kernelMask && ::epoll_ctl(d->epollFd, EPOLL_CTL_DEL, fd, nullptr) != 0 && errno != EBADF
        && errno != ENOENT)
        qCWarning(lcEventLoop, "epoll_ctl(DEL) of fd %d: %s", fd, std::strerror(errno));
    if (!e->pollable)
        d->unpollable.erase(
            std::remove(d->unpollable.begin(), d->unpollable.end(), fd), d->unpollable.end());
    *e = Private::FdEntry {};
}

void EpollEventDispatcher::registerTimer(
    int timerId, qint64 interval, Qt::TimerType timerType, QObject *object)
{
    if (timerId < 1 || interval < 0 || !object) {
        qCWarning(lcEventLoop, "registerTimer: invalid arguments");
        return;
    }
    d->timers.add(timerId, interval, timerType, object, TimerQueue::monotonicNs());
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    return timerId >= 1 && d->timers.remove(timerId);
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    return object && d->timers.removeAll(object);
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(
    QObject *object) const
{
    return object ? d->timers.timersOf(object) : QList<TimerInfo> {};
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    return d->timers.remainingMs(timerId, TimerQueue::monotonicNs());
}

void EpollEventDispatcher::wakeUp()
{
    if (d->loopThread.load(std::memory_order_relaxed) == std::this_thread::get_id()) {
        d->postedHere = true;
        return;
    }
    // One write per wakeup however many threads post: the flag is cleared when it is consumed.
    if (!d->wakeUpPending.exchange(true)) {
        [[maybe_unused]] const int rc = ::eventfd_write(d->wakeFd, 1);
    }
}

void EpollEventDispatcher::interrupt()
{
    d->interrupted.store(true);
    wakeUp();
}

QString installMainThreadDispatcher(const QByteArray &choice)
{
    if (choice == "qt")
        return {};
    if (!choice.isEmpty() && choice != "epoll") {
        return QStringLiteral("CONFAB_EVENT_DISPATCHER is \"%1\"; use epoll (the default) or qt")
            .arg(QString::fromUtf8(choice));
    }
    auto dispatcher = std::make_unique<EpollEventDispatcher>();
    if (!dispatcher->isValid())
        return QStringLiteral("cannot create the event dispatcher: %1")
            .arg(dispatcher->errorString());
    QCoreApplication::setEventDispatcher(dispatcher.release());
    return {};
}

} // namespace confab::eventloop

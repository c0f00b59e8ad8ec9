#pragma once
// An event dispatcher whose wakeups cost O(ready sockets). Qt 6.4's QEventDispatcherUNIX builds
// a pollfd array of every registered socket notifier and ppoll()s all of them on every wakeup,
// then scans them all for results: at 10,000 busy connections that was ~45 % of confabd's CPU
// (kernel sock_poll/tcp_poll plus the scan). Here each fd is registered with a level-triggered
// epoll set once, changed only when its notifiers are enabled or disabled, and a wakeup visits
// only the fds the kernel reports ready. Timers and cross-thread wakeUp() behave as Qt's do.
#include <QAbstractEventDispatcher>
#include <QByteArray>

#include <functional>
#include <memory>

namespace confab::eventloop
{

class EpollEventDispatcher final : public QAbstractEventDispatcher
{
    Q_OBJECT

public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    // False if the epoll set or the wakeup eventfd could not be created (out of descriptors).
    [[nodiscard]] bool isValid() const;
    [[nodiscard]] QString errorString() const;

    // [server] loop_hold: while at least aboveReadyPerS sockets a second are reported ready (0:
    // always), a wait that would block starts no sooner than holdMs after the previous one
    // returned. What arrives meanwhile is handled in one pass: fewer wakeups, system calls and
    // context switches under load, for up to holdMs of latency. 0 ms: off (the default).
    // `allowed`, when given, is asked before each hold: false skips it (confabd: while the
    // client frames wait for their own write_coalesce windows, which already batch the work).
    void setWakeHold(qint64 holdMs, qint64 aboveReadyPerS, std::function<bool()> allowed = {});
    // How many waits the hold has delayed so far.
    [[nodiscard]] quint64 heldWaits() const;

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    using QAbstractEventDispatcher::registerTimer;
    void registerTimer(
        int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    [[nodiscard]] QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override; // thread-safe
    void interrupt() override; // thread-safe

private:
    class Private;
    std::unique_ptr<Private> d;
};

// Installs the main thread's dispatcher before QCoreApplication exists. `choice` is
// CONFAB_EVENT_DISPATCHER: empty or "epoll" for EpollEventDispatcher, "qt" to keep Qt's own (for
// A/B measurements). Returns an error message (unknown choice, or no descriptors left), else "".
[[nodiscard]] QString installMainThreadDispatcher(const QByteArray &choice);

} // namespace confab::eventloop

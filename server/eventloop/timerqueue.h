#pragma once
// The timers of one EpollEventDispatcher: QTimerInfoList is private to Qt, so this is our own
// bookkeeping with the same observable behaviour (Qt 6.4 qtimerinfo_unix.cpp): Precise timers
// to the millisecond, Coarse ones moved by up to 5 % of their interval onto round boundaries so
// that wakeups coalesce, VeryCoarse ones in whole seconds; due timers fire in deadline order
// (registration order on ties), each at most once per pass, never re-entered while their own
// event is being handled.
#include <QAbstractEventDispatcher>
#include <QList>

#include <atomic>
#include <cstdint>
#include <set>
#include <tuple>
#include <unordered_map>

namespace confab::eventloop
{

class TimerQueue
{
public:
    using TimerInfo = QAbstractEventDispatcher::TimerInfo;

    // Times are CLOCK_MONOTONIC nanoseconds, passed in so tests can drive the clock.
    [[nodiscard]] static qint64 monotonicNs();

    void add(int id, qint64 intervalMs, Qt::TimerType type, QObject *object, qint64 nowNs);
    bool remove(int id);
    bool removeAll(QObject *object);
    [[nodiscard]] QList<TimerInfo> timersOf(QObject *object) const;
    // Milliseconds until the timer is due (rounded up, 0 if overdue), -1 for an unknown id.
    [[nodiscard]] int remainingMs(int id, qint64 nowNs) const;
    // Nanoseconds until the first timer that can fire now is due (0 if overdue), -1 if none.
    // Timers whose event is being handled further up the stack do not count.
    [[nodiscard]] qint64 nsUntilNext(qint64 nowNs) const;
    // The absolute deadline of a timer, -1 for an unknown id.
    [[nodiscard]] qint64 deadlineNs(int id) const;
    [[nodiscard]] bool isEmpty() const { return m_timers.empty(); }
    [[nodiscard]] std::size_t size() const { return m_timers.size(); }

    // Sends a QTimerEvent to each timer due at nowNs, in deadline order, and reschedules it.
    // Timers added, killed or restarted by a handler are honoured; stops early once
    // `interrupted` is set. Returns how many timers with a non-zero interval fired (Qt's count).
    int activateDue(qint64 nowNs, const std::atomic<bool> &interrupted);

private:
    struct Timer {
        QObject *object = nullptr;
        qint64 intervalMs = 0; // for VeryCoarse: whole seconds, in milliseconds
        qint64 idealNs = 0; // deadline before coarse adjustment, so adjustments never drift
        qint64 deadlineNs = 0;
        std::uint64_t serial = 0; // unique per registration: timer ids are reused
        std::uint64_t order = 0; // tie-break among equal deadlines: first scheduled fires first
        Qt::TimerType type = Qt::CoarseTimer;
        bool active = false; // its QTimerEvent is being handled
    };
    using Key = std::tuple<qint64, std::uint64_t, int>; // deadline, order, id

    void enqueue(int id, Timer &t);
    void scheduleNext(Timer &t, qint64 nowNs) const;

    std::unordered_map<int, Timer> m_timers;
    std::set<Key> m_queue;
    std::uint64_t m_nextSerial = 1;
    std::uint64_t m_nextOrder = 1;
};

} // namespace confab::eventloop

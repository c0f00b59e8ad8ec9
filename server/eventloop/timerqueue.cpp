#include "eventloop/timerqueue.h"

#include <QCoreApplication>
#include <QTimerEvent>
#include <QVarLengthArray>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <time.h>

namespace confab::eventloop
{

namespace
{

constexpr qint64 kNsPerMs = 1'000'000;
constexpr qint64 kNsPerSecond = 1'000'000'000;

// Qt's boundaries (qtimerinfo_unix.cpp): 5 % of 20 ms is under a millisecond, so shorter Coarse
// timers are Precise; 5 % of 20 s is a second, so longer ones are VeryCoarse.
constexpr qint64 kCoarsePreciseBelowMs = 20;
constexpr qint64 kCoarseVeryCoarseFromMs = 20'000;

qint64 roundToNearestSecond(qint64 ns)
{
    return (ns + kNsPerSecond / 2) / kNsPerSecond * kNsPerSecond;
}

// Moves a Coarse deadline by at most 5 % of the interval onto the roundest boundary of the
// monotonic clock within reach (a whole second first, then 500, 250, 200, 100, 50, 25 ms), so
// that timers of a process, and of processes, wake up together.
qint64 coarsen(qint64 idealNs, qint64 intervalMs)
{
    const qint64 slackNs = intervalMs * kNsPerMs / 20;
    for (const qint64 boundaryMs : { 1000, 500, 250, 200, 100, 50, 25 }) {
        const qint64 g = boundaryMs * kNsPerMs;
        const qint64 nearest = (idealNs + g / 2) / g * g;
        if (std::abs(nearest - idealNs) <= slackNs)
            return nearest;
    }
    return idealNs;
}

} // namespace

qint64 TimerQueue::monotonicNs()
{
    timespec ts {};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * kNsPerSecond + ts.tv_nsec;
}

void TimerQueue::enqueue(int id, Timer &t)
{
    t.order = m_nextOrder++;
    m_queue.emplace(t.deadlineNs, t.order, id);
}

void TimerQueue::add(int id, qint64 intervalMs, Qt::TimerType type, QObject *object, qint64 nowNs)
{
    if (const auto old = m_timers.find(id); old != m_timers.end()) {
        // Qt never hands out a live id twice; if it happens, the newer registration wins.
        m_queue.erase(Key { old->second.deadlineNs, old->second.order, id });
        m_timers.erase(old);
    }
    Timer t;
    t.object = object;
    t.serial = m_nextSerial++;
    t.intervalMs = std::max<qint64>(intervalMs, 0);
    t.type = type;
    if (type == Qt::CoarseTimer && t.intervalMs >= kCoarseVeryCoarseFromMs)
        t.type = Qt::VeryCoarseTimer;
    else if (type == Qt::CoarseTimer && t.intervalMs <= kCoarsePreciseBelowMs)
        t.type = Qt::PreciseTimer;

    switch (t.type) {
    case Qt::PreciseTimer:
        t.idealNs = nowNs + t.intervalMs * kNsPerMs;
        t.deadlineNs = t.idealNs;
        break;
    case Qt::CoarseTimer:
        t.idealNs = nowNs + t.intervalMs * kNsPerMs;
        t.deadlineNs = coarsen(t.idealNs, t.intervalMs);
        break;
    case Qt::VeryCoarseTimer:
        // Whole seconds: the interval rounded to the nearest second, the deadline on a second.
        t.intervalMs = (t.intervalMs + 500) / 1000 * 1000;
        t.idealNs = roundToNearestSecond(nowNs) + t.intervalMs * kNsPerMs;
        t.deadlineNs = t.idealNs;
        break;
    }
    auto &stored = m_timers.emplace(id, t).first->second;
    enqueue(id, stored);
}

void TimerQueue::scheduleNext(Timer &t, qint64 nowNs) const
{
    const qint64 intervalNs = t.intervalMs * kNsPerMs;
    t.idealNs += intervalNs;
    // A timer that fell behind (a busy or suspended loop) fires once, not once per missed interval.
    if (t.idealNs < nowNs) {
        t.idealNs = t.type == Qt::VeryCoarseTimer ? nowNs / kNsPerSecond * kNsPerSecond + intervalNs
                                                  : nowNs + intervalNs;
    }
    t.deadlineNs = t.type == Qt::CoarseTimer ? coarsen(t.idealNs, t.intervalMs) : t.idealNs;
}

bool TimerQueue::remove(int id)
{
    const auto it = m_timers.find(id);
    if (it == m_timers.end())
        return false;
    m_queue.erase(Key { it->second.deadlineNs, it->second.order, id });
    m_timers.erase(it);
    return true;
}

bool TimerQueue::removeAll(QObject *object)
{
    bool any = false;
    for (auto it = m_timers.begin(); it != m_timers.end();) {
        if (it->second.object == object) {
            m_queue.erase(Key { it->second.deadlineNs, it->second.order, it->first });
            it = m_timers.erase(it);
            any = true;
        } else {
            ++it;
        }
    }
    return any;
}

QList<TimerQueue::TimerInfo> TimerQueue::timersOf(QObject *object) const
{
    QList<TimerInfo> out;
    // In registration order, which is what QObject::moveToThread re-registers them in.
    std::vector<std::pair<std::uint64_t, TimerInfo>> found;
    for (const auto &[id, t] : m_timers) {
        if (t.object == object)
            found.emplace_back(t.serial, TimerInfo(id, int(t.intervalMs), t.type));
    }
    std::sort(
        found.begin(), found.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    out.reserve(qsizetype(found.size()));
    for (const auto &f : found)
        out.append(f.second);
    return out;
}

int TimerQueue::remainingMs(int id, qint64 nowNs) const
{
    const auto it = m_timers.find(id);
    if (it == m_timers.end())
        return -1;
    const qint64 left = it->second.deadlineNs - nowNs;
    if (left <= 0)
        return 0;
    return int(std::min<qint64>((left + kNsPerMs - 1) / kNsPerMs, INT_MAX));
}

qint64 TimerQueue::nsUntilNext(qint64 nowNs) const
{
    for (const auto &[deadline, order, id] : m_queue) {
        if (m_timers.at(id).active)
            continue;
        return std::max<qint64>(deadline - nowNs, 0);
    }
    return -1;
}

qint64 TimerQueue::deadlineNs(int id) const
{
    const auto it = m_timers.find(id);
    return it == m_timers.end() ? -1 : it->second.deadlineNs;
}

int TimerQueue::activateDue(qint64 nowNs, const std::atomic<bool> &interrupted)
{
    // The due set is fixed before the first event is sent: a timer started by a handler, or a
    // zero-interval timer rescheduled for "now", waits for the next pass.
    QVarLengthArray<std::pair<int, std::uint64_t>, 32> due;
    for (const auto &[deadline, order, id] : m_queue) {
        if (deadline > nowNs)
            break;
        const Timer &t = m_timers.at(id);
        if (!t.active)
            due.append({ id, t.serial });
    }

    int fired = 0;
    for (const auto &[id, serial] : due) {
        if (interrupted.load(std::memory_order_relaxed))
            break;
        // Look the timer up again: an earlier handler may have killed it (and its id may now
        // belong to a new timer), or a nested pass may already have fired and rescheduled it.
        auto it = m_timers.find(id);
        if (it == m_timers.end() || it->second.serial != serial || it->second.active
            || it->second.deadlineNs > nowNs)
            continue;
        Timer &t = it->second;
        m_queue.erase(Key { t.deadlineNs, t.order, id });
        scheduleNext(t, nowNs);
        enqueue(id, t);
        if (t.intervalMs > 0)
            ++fired;

        t.active = true;
        QTimerEvent event(id);
        QCoreApplication::sendEvent(t.object, &event);
        // `t` may be gone: the handler may have killed the timer or deleted its object.
        it = m_timers.find(id);
        if (it != m_timers.end() && it->second.serial == serial)
            it->second.active = false;
    }
    return fired;
}

} // namespace confab::eventloop

#pragma once

#include <QHash>
#include <QList>

#include <set>
#include <utility>

namespace confab::gateway {

// Deadlines of many objects, earliest first, at most one per object. A timer tick takes the
// objects that are due in O(k log n) for k due of n, instead of scanning all n (the gateway's
// sweep of auth deadlines and credential expiries, docs/architecture.md "Timers").
template <typename T>
class DeadlineQueue
{
public:
    // Sets or moves t's deadline to dueMs; dueMs <= 0 means none (removes it).
    void set(T *t, qint64 dueMs)
    {
        const auto it = m_due.find(t);
        if (it != m_due.end()) {
            if (it.value() == dueMs)
                return;
            m_order.erase({it.value(), t});
            if (dueMs <= 0) {
                m_due.erase(it);
                return;
            }
            it.value() = dueMs;
        } else {
            if (dueMs <= 0)
                return;
            m_due.insert(t, dueMs);
        }
        m_order.emplace(dueMs, t);
    }

    void remove(T *t) { set(t, 0); }

    // Removes and returns every object whose deadline is at or before nowMs, earliest first.
    [[nodiscard]] QList<T *> takeDue(qint64 nowMs)
    {
        QList<T *> due;
        auto it = m_order.begin();
        while (it != m_order.end() && it->first <= nowMs) {
            due.append(it->second);
            m_due.remove(it->second);
            it = m_order.erase(it);
        }
        return due;
    }

    // t's deadline, 0 if it has none.
    [[nodiscard]] qint64 dueOf(T *t) const { return m_due.value(t, 0); }
    [[nodiscard]] qsizetype size() const { return m_due.size(); }

private:
    std::set<std::pair<qint64, T *>> m_order;
    QHash<T *, qint64> m_due;
};

} // namespace confab::gateway

#include "core/alertwatcher.h"

#include <QCoreApplication>

namespace confab::console
{

AlertWatcher::AlertWatcher(QObject *parent)
    : QObject(parent)
{
}

void AlertWatcher::onStats(const Stats &stats)
{
    QSet<QString> nodes;
    for (const NodeStats &n : stats.nodes)
        nodes.insert(n.nodeId);
    if (m_haveFrame) {
        for (const QString &gone : std::as_const(m_nodes))
            if (!nodes.contains(gone))
                raise(QStringLiteral("node:") + gone, tr("Node %1 stopped answering").arg(gone));
    }
    for (const QString &n : std::as_const(nodes))
        clearKey(QStringLiteral("node:") + n);
    for (const NodeStats &n : stats.nodes) {
        if (!n.ready)
            raise(QStringLiteral("unready:") + n.nodeId,
                  tr("Node %1 is not ready: PostgreSQL, Redis or object storage does not answer it").arg(n.nodeId));
        else
            clearKey(QStringLiteral("unready:") + n.nodeId);
    }
    if (m_haveFrame) {
        for (const QString &gone : std::as_const(m_nodes))
            if (!nodes.contains(gone))
                clearKey(QStringLiteral("unready:") + gone); // its "stopped answering" says more
    }
    m_nodes = nodes;
    m_haveFrame = true;

    if (m_deadLetters >= 0 && stats.deadLetterCount > m_deadLetters)
        raise(QStringLiteral("dead_letters"),
            tr("%n new dead letter(s): a batch could not be written to object storage", nullptr,
                int(stats.deadLetterCount - m_deadLetters)));
    else if (stats.deadLetterCount == 0)
        clearKey(QStringLiteral("dead_letters"));
    m_deadLetters = stats.deadLetterCount;
}

void AlertWatcher::onConnectionLost(const QString &where, const QString &reason)
{
    raise(QStringLiteral("connection"), tr("Lost the connection to %1: %2").arg(where, reason));
}

void AlertWatcher::onConnected()
{
    clearKey(QStringLiteral("connection"));
}

void AlertWatcher::reset()
{
    m_nodes.clear();
    m_deadLetters = -1;
    m_haveFrame = false;
    const bool had = !m_active.isEmpty();
    m_active.clear();
    if (had)
        Q_EMIT resolved();
}

int AlertWatcher::activeCount() const
{
    return int(m_active.size());
}

QStringList AlertWatcher::active() const
{
    QStringList texts = m_active.values();
    texts.sort();
    return texts;
}

void AlertWatcher::raise(const QString &key, const QString &text)
{
    const bool isNew = !m_active.contains(key) || m_active.value(key) != text;
    m_active.insert(key, text);
    if (isNew)
        Q_EMIT alert(text);
}

void AlertWatcher::clearKey(const QString &key)
{
    if (m_active.remove(key) && m_active.isEmpty())
        Q_EMIT resolved();
}

} // namespace confab::console

#pragma once

#include "core/stats.h"

#include <QObject>
#include <QSet>

namespace confab::console
{

// Turns the stream of stats frames and connection states into alerts an operator must see:
// a node of the deployment stopped answering (it left the frame's node list), the node the
// console talks to was lost, a dead letter appeared. Each condition alerts once when it
// begins; resolved() says when nothing is wrong any more.
class AlertWatcher : public QObject
{
    Q_OBJECT

public:
    explicit AlertWatcher(QObject *parent = nullptr);

    void onStats(const Stats &stats);
    // The console's own connection: lost (with why) or back.
    void onConnectionLost(const QString &where, const QString &reason);
    void onConnected();
    // Forget everything (a new connection to another deployment).
    void reset();

    [[nodiscard]] int activeCount() const;
    [[nodiscard]] QStringList active() const;

Q_SIGNALS:
    void alert(const QString &text);
    // No condition is active any more.
    void resolved();

private:
    void raise(const QString &key, const QString &text);
    void clearKey(const QString &key);

    QSet<QString> m_nodes;       // nodes of the last frame
    qint64 m_deadLetters = -1;   // count of the last frame; -1: none seen yet
    QHash<QString, QString> m_active; // condition key -> its text
    bool m_haveFrame = false;
};

} // namespace confab::console

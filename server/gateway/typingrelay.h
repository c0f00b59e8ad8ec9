#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

#include <functional>

namespace confab::gateway {

// Relays typing indicators of this node's users with a bound per (user, conversation): at most
// one `typing` start per interval, and a stop only after a relayed start, so a client sending
// 20,000 frames makes its peers receive a handful (docs/security.md). A start with no stop
// ends after the expiry, relayed as a stop. Pure state: the publish callback does the I/O.
class TypingRelay
{
public:
    using Publish = std::function<void(const QString &appId, const QByteArray &convoId,
                                       const QByteArray &userId, bool start)>;

    TypingRelay(qint64 intervalMs, qint64 expiryMs, Publish publish);

    void start(const QString &appId, const QByteArray &userId, const QByteArray &convoId, qint64 nowMs);
    void stop(const QString &appId, const QByteArray &userId, const QByteArray &convoId, qint64 nowMs);
    // Ends expired starts (relaying a stop) and forgets entries quiet for an interval.
    void sweep(qint64 nowMs);
    // (user, conversation) pairs remembered: typing now or within the last interval.
    [[nodiscard]] qsizetype size() const { return m_entries.size(); }

private:
    struct Entry {
        QString appId;
        QByteArray userId;
        QByteArray convoId;
        qint64 lastStartMs = 0; // when a start was last relayed
        qint64 expiresMs = 0;
        bool typing = false;
    };
    static QByteArray keyOf(const QString &appId, const QByteArray &userId, const QByteArray &convoId);

    qint64 m_intervalMs;
    qint64 m_expiryMs;
    Publish m_publish;
    QHash<QByteArray, Entry> m_entries;
};

} // namespace confab::gateway

#pragma once

#include <QHash>
#include <QObject>

namespace confab::redis {
class Client;
}

namespace confab::access {

// Records when each API key was last used, for the console's keys list, without a write per
// request: at most one Redis HSET per key per kIntervalMs on this node, sent asynchronously
// (the event loop never waits). The throttle table holds keys used recently; it is pruned
// when it passes kMaxTracked, so it stays bounded whatever the traffic.
class KeyUsageRecorder : public QObject
{
    Q_OBJECT
public:
    static constexpr qint64 kIntervalMs = 60'000;
    static constexpr qsizetype kMaxTracked = 10'000;

    explicit KeyUsageRecorder(redis::Client *redis, QObject *parent = nullptr);

    void noteUse(const QString &keyId);
    [[nodiscard]] qsizetype tracked() const { return m_lastWritten.size(); }

private:
    redis::Client *m_redis;
    QHash<QString, qint64> m_lastWritten; // key id -> ms of its last HSET from this node
};

} // namespace confab::access

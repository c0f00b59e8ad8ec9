#pragma once

// Internal to confab_redis: finds the master of a Sentinel-monitored Redis and follows its
// failovers (docs/redis.md, "Sentinel"). The Connection to that master owns one and reconnects
// where it says. Not installed, not for use outside server/redis.

#include "redis/options.h"
#include "redis/value.h"

#include <QObject>
#include <QString>
#include <QTimer>

namespace confab::redis::detail
{

class Connection;

class MasterLocator : public QObject
{
    Q_OBJECT
public:
    // options: the master's (sentinels, masterName, timeouts); it is not connected to here.
    MasterLocator(const Options &options, QObject *parent);
    ~MasterLocator() override;

    // One round over the Sentinels, each in turn until one names the master: found(), or
    // failed() once every Sentinel was asked. Forgets the previous Sentinel connection first.
    void locate();
    // Forgets the Sentinel connection and any round in progress (shutdown).
    void stop();

Q_SIGNALS:
    void found(const confab::HostPort &master);
    void failed(const QString &reason);
    // +switch-master for our master name, heard on the Sentinel that named it.
    void switched(const confab::HostPort &to);

private:
    void ask();
    // The Sentinel connection, no longer ours (nothing of it reaches us), or nullptr.
    [[nodiscard]] Connection *release();
    void forget(); // release() and delete it from the event loop
    void onSentinelReady();
    void onSentinelPush(const Value &v);
    void onTimeout();
    [[nodiscard]] const HostPort &current() const;

    Options m_options;
    // The Sentinel connection (the question, then the +switch-master watch), the next Sentinel
    // to ask, and how many were asked in this round.
    Connection *m_sentinel = nullptr;
    qsizetype m_index = 0;
    qsizetype m_asked = 0;
    bool m_locating = false;
    QTimer m_timer;
};

} // namespace confab::redis::detail

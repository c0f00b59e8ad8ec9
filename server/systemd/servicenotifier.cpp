#include "systemd/servicenotifier.h"

#include <systemd/sd-daemon.h>

#include <algorithm>

namespace confab::systemd
{

ServiceNotifier::ServiceNotifier(QObject *parent)
    : QObject(parent)
{
    uint64_t usec = 0;
    // unset_environment = 0: the variables stay for the later calls.
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
        m_watchdog.setInterval(std::chrono::milliseconds(std::max<uint64_t>(1, usec / 2000)));
        connect(&m_watchdog, &QTimer::timeout, this, [this] { notify("WATCHDOG=1"); });
        m_watchdog.start();
    }
}

void ServiceNotifier::status(const QString &text)
{
    notify("STATUS=" + text.simplified().toUtf8());
}

void ServiceNotifier::ready(const QString &status)
{
    notify("READY=1\nSTATUS=" + status.simplified().toUtf8());
}

void ServiceNotifier::stopping(const QString &status)
{
    notify("STOPPING=1\nSTATUS=" + status.simplified().toUtf8());
}

std::chrono::milliseconds ServiceNotifier::watchdogInterval() const
{
    return m_watchdog.isActive() ? m_watchdog.intervalAsDuration() : std::chrono::milliseconds(0);
}

void ServiceNotifier::notify(const QByteArray &state)
{
    // A datagram to a local socket: it never blocks, and a failure only means no manager listens.
    sd_notify(0, state.constData());
}

} // namespace confab::systemd

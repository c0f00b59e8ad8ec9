#pragma once

#include <QObject>
#include <QTimer>

#include <chrono>

namespace confab::systemd
{

// Tells the service manager how the node is doing (systemd's Type=notify, sd_notify(3)):
// READY=1 once the node serves, STOPPING=1 when it drains, STATUS= lines for
// `systemctl status`, and WATCHDOG=1 from a timer on the event loop that owns it, so a stuck
// loop stops the pings and systemd restarts the service (WatchdogSec=). Outside systemd
// (no NOTIFY_SOCKET: a shell, the tests) every call does nothing.
class ServiceNotifier : public QObject
{
    Q_OBJECT
public:
    explicit ServiceNotifier(QObject *parent = nullptr);

    void status(const QString &text);
    void ready(const QString &status);
    void stopping(const QString &status);

    // Half of WATCHDOG_USEC when the manager asked for pings, else zero.
    [[nodiscard]] std::chrono::milliseconds watchdogInterval() const;

private:
    void notify(const QByteArray &state);
    QTimer m_watchdog;
};

} // namespace confab::systemd

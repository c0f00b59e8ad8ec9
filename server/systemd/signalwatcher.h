#pragma once

#include <QObject>

#include <memory>

namespace confab::systemd
{

// Turns one POSIX signal into a Qt signal on the event loop (the self-pipe trick: the handler
// only writes a byte). Used for SIGHUP, which the unit's ExecReload sends; without a handler
// SIGHUP would end the process.
class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(int signalNumber, QObject *parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void received();

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace confab::systemd

#include "systemd/signalwatcher.h"

#include <QSocketNotifier>

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

namespace confab::systemd
{

namespace
{
// One pipe per signal number a watcher exists for (the handler cannot carry state).
int g_writeEnd[NSIG];

void onSignal(int number)
{
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(g_writeEnd[number], &c, 1);
}
} // namespace

class SignalWatcher::Private
{
public:
    int number = 0;
    int fds[2] = { -1, -1 };
    std::unique_ptr<QSocketNotifier> notifier;
};

SignalWatcher::SignalWatcher(int signalNumber, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    d->number = signalNumber;
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, d->fds) != 0)
        return;
    g_writeEnd[signalNumber] = d->fds[1];
    d->notifier = std::make_unique<QSocketNotifier>(d->fds[0], QSocketNotifier::Read);
    connect(d->notifier.get(), &QSocketNotifier::activated, this, [this] {
        char buf[16];
        while (::read(d->fds[0], buf, sizeof buf) > 0) { }
        Q_EMIT received();
    });
    struct sigaction sa = {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(signalNumber, &sa, nullptr);
}

SignalWatcher::~SignalWatcher()
{
    std::signal(d->number, SIG_IGN); // a late signal must not end a process that is exiting
    d->notifier.reset();
    for (int fd : d->fds) {
        if (fd >= 0)
            ::close(fd);
    }
}

} // namespace confab::systemd

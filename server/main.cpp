// confabd: the one place where the process is set up; everything else lives in confab_server.
#include "cli/commands.h"
#include "cli/setuplocal.h"
#include "confab/config.h"
#include "confab/logging.h"
#include "eventloop/epolleventdispatcher.h"
#include "node/node.h"
#include "systemd/signalwatcher.h"

#include <QCoreApplication>
#include <QCoro/QCoroTask>
#include <QCoro/QCoroTimer>
#include <QScopeGuard>

#include <csignal>
#include <cstdio>

namespace {

// The reason for a failed start is exactly one line (PROTOCOL.md section 1).
void fail(const QString &reason)
{
    std::fprintf(stderr, "confabd: %s\n", qPrintable(reason.simplified()));
}

int usage()
{
    std::fprintf(stderr,
        "usage: confabd serve|migrate|check-config|setup-local [--config FILE]\n"
        "       confabd --version\n");
    return 2;
}

QCoro::Task<> runMigrate(confab::Config config)
{
    auto pending1 = confab::node::migrateOnly(std::move(config));
    const confab::Status s = co_await pending1;
    if (!s) {
        fail(s.error().message);
        QCoreApplication::exit(1);
        co_return;
    }
    std::fprintf(stdout, "schema is up to date\n");
    QCoreApplication::exit(0);
}

QCoro::Task<> runServe(confab::node::Node *node)
{
    // QCoreApplication::exit() does nothing before exec() runs: a start that fails before its
    // first suspension (an unusable [tls] pair) must wait for the loop to report it.
    auto loopRunning = QCoro::sleepFor(std::chrono::milliseconds(0)); // a named local: GCC 12
    co_await loopRunning;
    auto pending2 = node->start();
    const confab::Status s = co_await pending2;
    if (!s) {
        fail(s.error().message);
        QCoreApplication::exit(1);
    }
}

QCoro::Task<> runStop(confab::node::Node *node)
{
    auto pending3 = node->stop();
    co_await pending3;
    QCoreApplication::exit(0);
}

} // namespace

int main(int argc, char **argv)
{
    // Without GLib's dispatcher fan-out costs far less (DESIGN.md "The hot path").
    qputenv("QT_NO_GLIB", "1");
    // Wakeups that cost O(ready sockets), not O(connections); CONFAB_EVENT_DISPATCHER=qt keeps
    // Qt's own dispatcher for A/B measurements (docs/running.md).
    const QString dispatcherError
        = confab::eventloop::installMainThreadDispatcher(qgetenv("CONFAB_EVENT_DISPATCHER"));
    if (!dispatcherError.isEmpty()) {
        fail(dispatcherError);
        return 1;
    }
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("confabd"));
    confab::installLogFormat();

    const QStringList args = app.arguments().mid(1);
    if (args.isEmpty())
        return usage();
    const QString command = args.first();
    if (command == QLatin1String("--version") || command == QLatin1String("version"))
        return confab::cli::printVersion();
    QString configPath;
    for (qsizetype i = 1; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--config") && i + 1 < args.size())
            configPath = args[++i];
        else
            return usage();
    }
    // These two read the file themselves: check-config reports every problem, not the first.
    if (command == QLatin1String("check-config"))
        return confab::cli::checkConfig(
            configPath.isEmpty() ? confab::cli::defaultConfigPath() : configPath);
    if (command == QLatin1String("setup-local"))
        return confab::cli::setupLocal(
            configPath.isEmpty() ? confab::cli::defaultConfigPath() : configPath);
    const auto config = confab::Config::load(configPath, QProcessEnvironment::systemEnvironment());
    if (!config) {
        fail(config.error().message);
        return 1;
    }

    if (command == QLatin1String("migrate")) {
        auto t = runMigrate(*config);
        return app.exec();
    }
    if (command != QLatin1String("serve"))
        return usage();

    std::signal(SIGPIPE, SIG_IGN);

    confab::node::Node node(*config);
    // Under load the loop wakes at most once per [server] loop_hold, but not on top of the client
    // frames' own write_coalesce windows (docs/architecture.md, "The wake hold").
    auto *loop = qobject_cast<confab::eventloop::EpollEventDispatcher *>(
        QAbstractEventDispatcher::instance());
    if (loop)
        loop->setWakeHold(config->server.loopHoldMs, config->server.loopHoldAbovePerS,
            [&node] { return !node.clientWritesCoalescing(); });
    // The gate asks the node, so it is removed before the node goes.
    const auto holdOff = qScopeGuard([loop] {
        if (loop)
            loop->setWakeHold(0, 0);
    });
    confab::cli::reloadOnSighup(&node, configPath, [&node] { node.reloadTls(); });
    // The first SIGTERM or SIGINT drains for up to shutdown_grace; a second one ends the drain
    // now (docs/operations.md, "Shutdown"). Either way the exit is orderly, with code 0.
    confab::systemd::SignalWatcher term(SIGTERM);
    confab::systemd::SignalWatcher interrupt(SIGINT);
    bool stopping = false;
    const auto onStopSignal = [&] {
        if (std::exchange(stopping, true)) {
            node.hurry();
            return;
        }
        auto t = runStop(&node);
    };
    QObject::connect(&term, &confab::systemd::SignalWatcher::received, &node, onStopSignal);
    QObject::connect(&interrupt, &confab::systemd::SignalWatcher::received, &node, onStopSignal);
    auto t = runServe(&node);
    return app.exec();
}

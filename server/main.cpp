// confabd: the one place where the process is set up; everything else lives in confab_server.
#include "cli/commands.h"
#include "cli/setuplocal.h"
#include "confab/config.h"
#include "confab/logging.h"
#include "eventloop/epolleventdispatcher.h"
#include "node/node.h"

#include <QCoreApplication>
#include <QCoro/QCoroTask>
#include <QCoro/QCoroTimer>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int g_signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(g_signalPipe[1], &c, 1);
}

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
    co_await QCoro::sleepFor(std::chrono::milliseconds(0));
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

    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalPipe) != 0) {
        fail(QStringLiteral("cannot create the signal pipe"));
        return 1;
    }
    std::signal(SIGTERM, onSignal);
    std::signal(SIGINT, onSignal);
    std::signal(SIGPIPE, SIG_IGN);

    confab::node::Node node(*config);
    confab::cli::reloadOnSighup(&node, configPath, [&node] { node.reloadTls(); });
    QSocketNotifier signals(g_signalPipe[0], QSocketNotifier::Read);
    bool stopping = false;
    QObject::connect(&signals, &QSocketNotifier::activated, &node, [&] {
        char c;
        [[maybe_unused]] const auto n = ::read(g_signalPipe[0], &c, 1);
        if (stopping)
            return;
        stopping = true;
        auto t = runStop(&node);
    });
    auto t = runServe(&node);
    return app.exec();
}

#include "cli/commands.h"

#include "cli/logging.h"
#include "confab/config.h"
#include "confab/configcheck.h"
#include "confab/version.h"
#include "objectstore/factory.h"
#include "redis/options.h"
#include "systemd/signalwatcher.h"
#include "tls/tlscontext.h"

#include <QNetworkAccessManager>
#include <QRegularExpression>

#include <csignal>
#include <cstdio>

namespace confab::cli
{

namespace
{

// What serve checks before connecting anywhere, beyond Config itself: the Redis URL's parts
// and the object store the [s3] section names.
QStringList problemsOf(const QString &path)
{
    Config config;
    QStringList problems = checkConfigFile(path, QProcessEnvironment::systemEnvironment(), &config);
    if (problems.size() == 1 && problems.first().startsWith(QLatin1String("cannot read")))
        return problems;
    if (auto o = redis::Options::fromConfig(config); !o)
        problems.append(o.error().message);
    // serve refuses to start without a usable pair; so does check-config.
    if (config.tls.enabled()) {
        if (auto tls = tls::loadServerConfiguration(config.tls.cert, config.tls.key); !tls)
            problems.append(tls.error().message);
    }
    QNetworkAccessManager nam;
    if (auto store = objectstore::createObjectStore(config.s3, &nam); !store)
        problems.append(store.error().message);
    return problems;
}

// Problems quote values; a URL's password must not reach a terminal or the journal.
QString redacted(const QString &problem)
{
    static const QRegularExpression password(QStringLiteral("(://[^:/@\\s]*:)[^@\\s]*@"));
    return QString(problem).replace(password, QStringLiteral("\\1***@")).simplified();
}

} // namespace

QString defaultConfigPath()
{
    return QStringLiteral("/etc/confab/confab.ini");
}

int printVersion()
{
    std::printf("confabd %s (commit %s)\n", version(), commit());
    return 0;
}

int checkConfig(const QString &path)
{
    const QStringList problems = problemsOf(path);
    for (const QString &p : problems)
        std::printf("%s: %s\n", qPrintable(path), qPrintable(redacted(p)));
    if (problems.isEmpty())
        std::printf("%s: OK\n", qPrintable(path));
    return problems.isEmpty() ? 0 : 1;
}

void reloadOnSighup(QObject *context, const QString &configPath, std::function<void()> reload)
{
    auto *hup = new systemd::SignalWatcher(SIGHUP, context);
    QObject::connect(hup, &systemd::SignalWatcher::received, context, [configPath, reload] {
        if (reload)
            reload();
        if (configPath.isEmpty()) {
            qCInfo(lcCli, "SIGHUP: running on built-in defaults, nothing to re-read");
            return;
        }
        const QStringList problems = problemsOf(configPath);
        if (problems.isEmpty()) {
            qCInfo(lcCli, "SIGHUP: %s is valid; changes take effect at the next restart",
                qPrintable(configPath));
            return;
        }
        for (const QString &p : problems)
            qCWarning(lcCli, "SIGHUP: %s: %s (a restart would fail)", qPrintable(configPath),
                qPrintable(redacted(p)));
    });
}

} // namespace confab::cli

#pragma once

#include <QString>

#include <functional>

class QObject;

// confabd's commands besides serve and migrate. Each returns the process's exit status and
// writes its answer to stdout, problems to stderr.
namespace confab::cli
{

// Where the package installs the config; the commands that need a file default to it.
[[nodiscard]] QString defaultConfigPath();

// `confabd --version`: "confabd VERSION (commit COMMIT)".
int printVersion();

// `confabd check-config --config FILE`: every problem one per line, prefixed by the file name,
// and status 1; "FILE: OK" and status 0 when `serve` would accept it. Starts nothing.
int checkConfig(const QString &path);

// On SIGHUP (systemctl reload) re-check the config file and log the result: confabd reads
// its config when it starts, so a change takes effect at the next restart, and a reload is
// where an operator learns whether that restart will work. reload runs first, for what is
// re-read without a restart (the [tls] certificate and key).
void reloadOnSighup(QObject *context, const QString &configPath,
    std::function<void()> reload = {});

} // namespace confab::cli

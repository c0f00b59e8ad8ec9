#pragma once

#include <QByteArray>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace confab
{

struct Config;

// Every problem of a config, one line each (`confabd check-config`): unlike Config::parse,
// which stops at the first, each line of the file and each CONFAB_* override is checked on its
// own, then the whole for rules that tie keys together. An empty list means Config::load
// accepts it.
// With usable, it receives the config made of the lines and overrides without a problem, so
// checks that need a whole Config (URLs, the object store) still run on the rest.
[[nodiscard]] QStringList checkConfig(
    const QByteArray &ini, const QProcessEnvironment &env, Config *usable = nullptr);
// The same for a file; a file that cannot be read is one problem.
[[nodiscard]] QStringList checkConfigFile(
    const QString &path, const QProcessEnvironment &env, Config *usable = nullptr);

} // namespace confab

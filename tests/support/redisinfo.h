#pragma once

// Reading Redis's INFO in tests. Header-only, no dependencies beyond Qt Core.

#include <QByteArray>
#include <QByteArrayView>

namespace confab::test
{

// The calls of `command` (lower case, as Redis names it: "smembers", "confab.accept") in the
// text of INFO commandstats; 0 when it has not run since the last CONFIG RESETSTAT.
inline qint64 commandCalls(const QByteArray &commandstats, QByteArrayView command)
{
    const QByteArray prefix = "cmdstat_" + command.toByteArray() + ":calls=";
    for (const QByteArray &line : commandstats.split('\n')) {
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).split(',').first().toLongLong();
    }
    return 0;
}

} // namespace confab::test

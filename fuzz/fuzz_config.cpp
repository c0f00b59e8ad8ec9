// libFuzzer target for the config reader: any bytes as a confab.ini must give a Config or a
// one-line error, never a crash, a hang or undefined behaviour. `confabd check-config` reads
// the same text line by line and must find a problem whenever Config::parse refuses it, and
// setup-local's in-place edit must give a file the parser still accepts.
// Seeds: fuzz/corpus/config (the packaged sample and small variations).

#include "confab/config.h"
#include "confab/configcheck.h"
#include "confab/inifile.h"

#include <cstdint>
#include <cstdlib>

using namespace confab;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray ini(reinterpret_cast<const char *>(data), qsizetype(size));
    const QProcessEnvironment env; // no CONFAB_* overrides

    const Expected<Config> config = Config::parse(ini, env);
    const QStringList problems = checkConfig(ini, env);
    if (!config && problems.isEmpty())
        std::abort(); // check-config would pass a file confabd refuses to start with

    for (const QByteArray &line : ini.split('\n'))
        (void)ini::stripComment(QString::fromUtf8(line));

    if (config) {
        const QByteArray edited = ini::setValue(ini, QStringLiteral("server"), QStringLiteral("node_id"),
                                                QStringLiteral("fuzz-node"));
        const Expected<Config> again = Config::parse(edited, env);
        if (!again || again->server.nodeId != QLatin1String("fuzz-node"))
            std::abort(); // setup-local would break a valid config
    }
    return 0;
}

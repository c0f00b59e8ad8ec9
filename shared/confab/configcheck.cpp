#include "confab/configcheck.h"

#include "confab/config.h"
#include "confab/inifile.h"

#include <QFile>
#include <QRegularExpression>

namespace confab
{

namespace
{

// Config::parse on "[section]\n<line>" answers for that one line; its own line numbers
// ("line 2: ...") are replaced by the file's.
QString problemOfLine(const QString &section, const QString &line, int lineNo)
{
    QByteArray probe;
    if (!section.isEmpty())
        probe = QStringLiteral("[%1]\n").arg(section).toUtf8();
    // [tls] cert and key are valid only as a pair: each line gets a stand-in partner (its own
    // value comes after and wins); whether the file names both is checked on the whole.
    if (section == QLatin1String("tls"))
        probe += "cert = -\nkey = -\n";
    probe += line.toUtf8();
    const auto parsed = Config::parse(probe, QProcessEnvironment());
    if (parsed)
        return {};
    QString message = parsed.error().message;
    static const QRegularExpression ownLine(QStringLiteral("^line \\d+: "));
    message.remove(ownLine);
    return QStringLiteral("line %1: %2").arg(lineNo).arg(message);
}

} // namespace

QStringList checkConfig(const QByteArray &ini, const QProcessEnvironment &env, Config *usable)
{
    QStringList problems;
    QByteArray good;
    QProcessEnvironment goodEnv;
    QString section;
    int lineNo = 0;
    for (const QByteArray &raw : ini.split('\n')) {
        ++lineNo;
        const QString text = QString::fromUtf8(raw);
        const QString line = ini::stripComment(text).trimmed();
        if (line.isEmpty())
            continue;
        if (line.startsWith(u'[')) {
            if (!line.endsWith(u']')) {
                problems.append(QStringLiteral("line %1: unterminated section header").arg(lineNo));
                continue;
            }
            section = line.mid(1, line.size() - 2).trimmed().toLower();
            good += raw + '\n';
            continue;
        }
        if (QString p = problemOfLine(section, line, lineNo); !p.isEmpty())
            problems.append(p);
        else
            good += raw + '\n';
    }

    // Only CONFAB_<SECTION>_<KEY> names Config knows are overrides; others are not ours.
    for (const QString &name : env.keys()) {
        if (!name.startsWith(QLatin1String("CONFAB_")))
            continue;
        QProcessEnvironment one;
        if (name.startsWith(QLatin1String("CONFAB_TLS_")) && !env.value(name).trimmed().isEmpty()) {
            one.insert(QStringLiteral("CONFAB_TLS_CERT"), QStringLiteral("-")); // stand-ins, as
            one.insert(QStringLiteral("CONFAB_TLS_KEY"), QStringLiteral("-")); // for [tls] lines
        }
        one.insert(name, env.value(name));
        if (const auto parsed = Config::parse({}, one); !parsed)
            problems.append(parsed.error().message);
        else
            goodEnv.insert(name, env.value(name));
    }

    // The rules that tie keys together, on what is left.
    const auto whole = Config::parse(good, goodEnv);
    if (!whole)
        problems.append(whole.error().message);
    else if (usable)
        *usable = *whole;
    return problems;
}

QStringList checkConfigFile(const QString &path, const QProcessEnvironment &env, Config *usable)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return { QStringLiteral("cannot read config %1: %2").arg(path, f.errorString()) };
    return checkConfig(f.readAll(), env, usable);
}

} // namespace confab

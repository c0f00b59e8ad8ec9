#include "widgets/language.h"

#include "core/logging.h"

#include <QCoreApplication>
#include <QDir>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QTranslator>

namespace confab::console
{

namespace
{
const QString kLanguageKey = QStringLiteral("ui/language");
}

QStringList availableLanguages()
{
    return { QStringLiteral("en"), QStringLiteral("de"), QStringLiteral("fr") };
}

QString languageSetting(const QSettings &settings)
{
    return settings.value(kLanguageKey).toString();
}

void setLanguageSetting(QSettings &settings, const QString &language)
{
    if (language.isEmpty())
        settings.remove(kLanguageKey);
    else
        settings.setValue(kLanguageKey, language);
}

QString installTranslations(const QString &language)
{
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    if (!language.isEmpty())
        QLocale::setDefault(locale);
    auto *console = new QTranslator(QCoreApplication::instance());
    // The installed catalogues (<prefix>/share/confab-console/translations, found from bin/)
    // come first, so a packaged catalogue is the one used; the copies embedded in the program
    // serve the build tree. English is the fallback, and its catalogue is still needed for
    // plural forms.
    const QString installed
        = QDir(QCoreApplication::applicationDirPath())
              .absoluteFilePath(QStringLiteral("../share/confab-console/translations"));
    if (!console->load(locale, QStringLiteral("console"), QStringLiteral("_"), installed)
        && !console->load(
            locale, QStringLiteral("console"), QStringLiteral("_"), QStringLiteral(":/i18n"))
        && !console->load(QStringLiteral(":/i18n/console_en.qm"))) {
        delete console;
        qCWarning(lcConsole) << "no console translation found for" << locale.name();
        return QString();
    }
    QCoreApplication::installTranslator(console);
    auto *qt = new QTranslator(QCoreApplication::instance());
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
            QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
    else
        delete qt;
    qCInfo(lcConsole).noquote() << "user interface language" << console->language() << "from"
                                << QDir::cleanPath(console->filePath());
    return console->language();
}

} // namespace confab::console

#include "confab/logging.h"
#include "confab/version.h"
#include "core/adminclient.h"
#include "core/profilestore.h"
#include "widgets/language.h"
#include "widgets/mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>

using namespace confab::console;

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("Confab"));
    QCoreApplication::setApplicationName(QStringLiteral("confab-console"));
    QCoreApplication::setApplicationVersion(
        QStringLiteral("%1 (commit %2)")
            .arg(QLatin1String(confab::version()), QLatin1String(confab::commit())));
    QGuiApplication::setDesktopFileName(QStringLiteral("confab-console"));
    confab::installLogFormat();

    QSettings settings;
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Confab operator console"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption profileOption(QStringLiteral("profile"),
        QStringLiteral("Connect to the saved profile NAME."), QStringLiteral("NAME"));
    const QCommandLineOption languageOption(QStringLiteral("language"),
        QStringLiteral("UI language (en, de, fr) for this run."), QStringLiteral("LANG"));
    parser.addOption(profileOption);
    parser.addOption(languageOption);
    parser.process(app);

    installTranslations(
        parser.isSet(languageOption) ? parser.value(languageOption) : languageSetting(settings));

    AdminClient client;
    ProfileStore profiles(&settings);
    MainWindow window(&client, &profiles, &settings);
    window.show();

    const QString profile
        = parser.isSet(profileOption) ? parser.value(profileOption) : profiles.lastProfile();
    if (profile.isEmpty())
        window.showConnectDialog();
    else
        window.connectToProfile(profile);
    return app.exec();
}

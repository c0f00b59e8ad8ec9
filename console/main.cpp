#include "confab/logging.h"
#include "confab/version.h"
#include "core/adminclient.h"
#include "core/profilestore.h"
#include "widgets/language.h"
#include "widgets/mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>

#include <cstdio>
#include <optional>

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
    const QCommandLineOption urlOption(QStringLiteral("url"),
        QStringLiteral("Connect to this admin WebSocket URL without a profile; the token comes "
                       "from --token-file or the environment variable CONFAB_ADMIN_TOKEN."),
        QStringLiteral("URL"));
    const QCommandLineOption tokenFileOption(QStringLiteral("token-file"),
        QStringLiteral("Read the admin token for --url from FILE (its first line)."),
        QStringLiteral("FILE"));
    const QCommandLineOption caFileOption(QStringLiteral("ca-file"),
        QStringLiteral("PEM CA certificates for a wss:// --url."), QStringLiteral("FILE"));
    parser.addOption(profileOption);
    parser.addOption(languageOption);
    parser.addOption(urlOption);
    parser.addOption(tokenFileOption);
    parser.addOption(caFileOption);
    parser.process(app);

    // Scripted or kiosk start: checked before any window exists, so a mistake is a message
    // and exit status 2, not a dialog nobody may be there to answer.
    std::optional<DirectConnection> direct;
    if (parser.isSet(urlOption)) {
        confab::Expected<DirectConnection> d = directConnection(parser.value(urlOption),
            parser.value(tokenFileOption), qEnvironmentVariable("CONFAB_ADMIN_TOKEN"),
            parser.value(caFileOption));
        if (!d) {
            std::fprintf(stderr, "confab-console: %s\n", qPrintable(d.error().message));
            return 2;
        }
        direct = *d;
    }

    installTranslations(
        parser.isSet(languageOption) ? parser.value(languageOption) : languageSetting(settings));

    AdminClient client;
    ProfileStore profiles(&settings);
    MainWindow window(&client, &profiles, &settings);
    window.show();

    const QString profile
        = parser.isSet(profileOption) ? parser.value(profileOption) : profiles.lastProfile();
    if (direct)
        window.connectDirect(direct->url, direct->token, direct->caFile);
    else if (profile.isEmpty())
        window.showConnectDialog();
    else
        window.connectToProfile(profile);
    return app.exec();
}

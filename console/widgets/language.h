#pragma once

#include <QString>
#include <QStringList>

class QSettings;

namespace confab::console
{

// The UI language: the system locale unless the settings name one ("en", "de", "fr").
[[nodiscard]] QStringList availableLanguages();
[[nodiscard]] QString languageSetting(const QSettings &settings);
void setLanguageSetting(QSettings &settings, const QString &language);
// Loads the console's and Qt's own translations into the application; call before any
// window is created. Returns the language of the catalogue loaded, empty if none was.
QString installTranslations(const QString &language);

} // namespace confab::console

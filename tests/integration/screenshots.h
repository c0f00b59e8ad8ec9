#pragma once

// The screenshots of docs/console.md, saved by the console tests that drive a real window:
// into CONFAB_SCREENSHOT_DIR (scripts/console-screenshots.sh sets it to docs/images), else into
// the build tree, as console-<name>.png.

#include <QDir>
#include <QString>
#include <QWidget>
#include <QtGlobal>

namespace confab::test {

[[nodiscard]] inline QString screenshotDir()
{
    const QString dir = qEnvironmentVariable("CONFAB_SCREENSHOT_DIR");
    return dir.isEmpty() ? qEnvironmentVariable("CONFAB_BIN_DIR") + QStringLiteral("/tests/integration/screenshots")
                         : dir;
}

// False (with a warning naming the file) when it could not be written.
[[nodiscard]] inline bool saveScreenshot(QWidget *w, const QString &name)
{
    const QString dir = screenshotDir();
    const QString path = dir + QStringLiteral("/console-%1.png").arg(name);
    if (QDir().mkpath(dir) && w->grab().save(path))
        return true;
    qWarning("could not save the screenshot %s", qPrintable(path));
    return false;
}

} // namespace confab::test

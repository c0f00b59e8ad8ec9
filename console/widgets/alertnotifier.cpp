#include "widgets/alertnotifier.h"

#include <QIcon>
#include <QSystemTrayIcon>
#include <QWidget>

namespace confab::console
{

AlertNotifier::AlertNotifier(QWidget *window)
    : QObject(window)
    , m_window(window)
{
}

bool AlertNotifier::notify(const QString &text)
{
    if (!m_window || (m_window->isVisible() && !m_window->isMinimized()))
        return false;
    m_last = text;
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return true; // recorded; the status bar has it when the window comes back
    if (!m_tray) {
        m_tray = new QSystemTrayIcon(QIcon(QStringLiteral(":/icons/confab.svg")), this);
        m_tray->setToolTip(tr("Confab Console"));
        connect(m_tray, &QSystemTrayIcon::activated, this, [this] {
            if (m_window) {
                m_window->showNormal();
                m_window->raise();
                m_window->activateWindow();
            }
        });
    }
    m_tray->show();
    m_tray->showMessage(tr("Confab Console"), text, QSystemTrayIcon::Warning);
    return true;
}

} // namespace confab::console

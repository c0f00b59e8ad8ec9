#pragma once

#include <QObject>
#include <QPointer>

class QSystemTrayIcon;
class QWidget;

namespace confab::console
{

// Puts an alert in the system tray when the window cannot be seen (hidden or minimised). The
// tray icon exists only while there is a tray; without one the window's status bar and tab
// badge remain the only signs.
class AlertNotifier : public QObject
{
    Q_OBJECT

public:
    explicit AlertNotifier(QWidget *window);

    // Shows the alert in the tray if the window is not visible; true when it did.
    bool notify(const QString &text);
    [[nodiscard]] QString lastNotification() const { return m_last; }

private:
    QPointer<QWidget> m_window;
    QSystemTrayIcon *m_tray = nullptr;
    QString m_last;
};

} // namespace confab::console

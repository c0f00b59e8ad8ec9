#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace confab::console
{

class AdminClient;
class SessionsModel;

// Users: an app and a user id give the user's live sessions on every node (user.lookup),
// and "Disconnect…" closes them all, with a close code and a reason, after a confirmation
// naming the user, the app and the session count (user.disconnect).
class UsersPage : public QWidget
{
    Q_OBJECT

public:
    explicit UsersPage(AdminClient *client, QWidget *parent = nullptr);

    [[nodiscard]] SessionsModel *model() const { return m_model; }
    [[nodiscard]] QString summaryText() const;
    [[nodiscard]] QString statusText() const;
    // The app ids offered in the chooser (from the stats frames); typed ones stay possible.
    void setKnownApps(const QStringList &appIds);
    void setUser(const QString &appId, const QString &userId);
    // Forgets the shown user (the console disconnected).
    void clear();

    void lookUp();
    // Asks first (window-modal, objectName "disconnectConfirmation"), then disconnects.
    void disconnectUser();

Q_SIGNALS:
    // A lookup or disconnect answered (for tests and the status bar).
    void lookupFinished();
    void disconnectFinished(const QString &result);

private:
    void showSummary();
    void updateButtons();

    AdminClient *m_client;
    SessionsModel *m_model;
    QComboBox *m_app;
    QLineEdit *m_user;
    QPushButton *m_lookUp;
    QLabel *m_summary;
    QTableView *m_view;
    QComboBox *m_closeCode;
    QLineEdit *m_reason;
    QPushButton *m_disconnect;
    QLabel *m_status;
    bool m_busy = false;
};

} // namespace confab::console

#pragma once

#include "core/stats.h"

#include <QMainWindow>
#include <QPointer>

class QAction;
class QLabel;
class QMenu;
class QProgressBar;
class QSettings;
class QTabWidget;

namespace confab::console
{

class AdminClient;
class AdminRest;
class AlertNotifier;
class AlertWatcher;
class AppsPage;
class ConversationPage;
class UsersPage;
class ConnectDialog;
class DeadLetterBatch;
class DeadLettersPage;
class OverviewPage;
class ProfileStore;
class StreamsPage;

// The console's window: tabs Overview, Streams and Dead letters, the actions on the
// pipeline, and the connection state. Dependencies come in; nothing here is global.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    enum Tab { OverviewTab, StreamsTab, DeadLettersTab, AppsTab };

    MainWindow(AdminClient *client, ProfileStore *profiles, QSettings *settings,
        QWidget *parent = nullptr);
    ~MainWindow() override;

    [[nodiscard]] QTabWidget *tabs() const { return m_tabs; }
    [[nodiscard]] OverviewPage *overviewPage() const { return m_overview; }
    [[nodiscard]] StreamsPage *streamsPage() const { return m_streams; }
    [[nodiscard]] DeadLettersPage *deadLettersPage() const { return m_deadLetters; }
    [[nodiscard]] AppsPage *appsPage() const { return m_apps; }
    [[nodiscard]] AlertWatcher *alerts() const { return m_alerts; }
    [[nodiscard]] AlertNotifier *alertNotifier() const { return m_notifier; }
    [[nodiscard]] QString alertText() const;
    // Operator pages and the notice dialog (widgets/mainwindowops.cpp).
    [[nodiscard]] UsersPage *usersPage() const { return m_users; }
    [[nodiscard]] ConversationPage *conversationPage() const { return m_conversation; }
    void showNoticeDialog();
    [[nodiscard]] QString connectionText() const;
    [[nodiscard]] QString actionResultText() const;

    void showConnectDialog();
    // Connects to a saved profile, reading its token from the keychain first.
    void connectToProfile(const QString &name);
    // Connects without a profile (--url on the command line; the token from a file or the
    // environment); nothing is saved.
    void connectDirect(const QUrl &url, const QString &token, const QString &caFile = {});
    // Copies the app id of the current row of the focused table (Ctrl+Shift+C).
    void copyAppId();
    void refreshDeadLetters();
    void flushNow();
    void runRetention();
    void showAbout();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void setUpOperatorPages();
    void createOperatorActions(QMenu *actions);
    void showOperatorStats(const Stats &stats);
    void onStateChanged();
    void onStats(const Stats &stats);
    void retry(const QStringList &ids);
    void discard(const QStringList &ids);
    void runBatch(const QString &kind, const QStringList &ids);
    void beginBusy(const QString &text);
    void endBusy(const QString &result);
    void updateDeadLettersBadge(qint64 count);
    void updateStreamsBadge(int behind);
    void setUpAppsAndAlerts();
    void showAlert(const QString &text);
    void clearAlerts();

    AdminClient *m_client;
    ProfileStore *m_profiles;
    QSettings *m_settings;
    QString m_profileName;
    QTabWidget *m_tabs;
    OverviewPage *m_overview;
    StreamsPage *m_streams;
    DeadLettersPage *m_deadLetters;
    AdminRest *m_rest = nullptr;
    AppsPage *m_apps = nullptr;
    AlertWatcher *m_alerts = nullptr;
    AlertNotifier *m_notifier = nullptr;
    QLabel *m_alertLabel = nullptr;
    UsersPage *m_users = nullptr;
    ConversationPage *m_conversation = nullptr;
    QAction *m_noticeAction = nullptr;
    QStringList m_knownApps;
    QLabel *m_stateIcon;
    QLabel *m_stateText;
    QLabel *m_actionResult;
    QProgressBar *m_progress;
    QAction *m_connectAction = nullptr;
    QAction *m_disconnectAction = nullptr;
    QAction *m_flushAction = nullptr;
    QAction *m_retentionAction = nullptr;
    QAction *m_refreshAction = nullptr;
    QPointer<ConnectDialog> m_connectDialog;
    int m_busy = 0;
    qint64 m_lastDeadLetterCount = -1;
    // The batch retry/discard under way, if any.
    QPointer<DeadLetterBatch> m_batch;
};

} // namespace confab::console

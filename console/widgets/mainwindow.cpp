#include "widgets/mainwindow.h"

#include "core/adminclient.h"
#include "core/adminrest.h"
#include "core/alertwatcher.h"
#include "core/appsmodel.h"
#include "core/deadletterbatch.h"
#include "core/deadlettersmodel.h"
#include "core/profilestore.h"
#include "widgets/connectdialog.h"
#include "widgets/deadletterspage.h"
#include "widgets/appspage.h"
#include "widgets/language.h"
#include "widgets/overviewpage.h"
#include "widgets/streamspage.h"

#include "confab/version.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>

namespace confab::console
{

namespace
{
QIcon icon(const char *name)
{
    return QIcon(QStringLiteral(":/icons/%1.svg").arg(QLatin1String(name)));
}
} // namespace

MainWindow::MainWindow(
    AdminClient *client, ProfileStore *profiles, QSettings *settings, QWidget *parent)
    : QMainWindow(parent)
    , m_client(client)
    , m_profiles(profiles)
    , m_settings(settings)
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("Confab Console"));
    setWindowIcon(icon("confab"));

    m_overview = new OverviewPage(this);
    m_streams = new StreamsPage(this);
    m_deadLetters = new DeadLettersPage(this);
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("tabs"));
    m_tabs->setAccessibleName(tr("Views"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_overview, icon("overview"), tr("&Overview"));
    m_tabs->addTab(m_streams, icon("streams"), tr("&Streams"));
    m_tabs->addTab(m_deadLetters, icon("deadletters"), tr("&Dead letters"));
    m_rest = new AdminRest(m_client, this);
    m_apps = new AppsPage(m_rest, this);
    m_tabs->insertTab(AppsTab, m_apps, icon("confab"), tr("&Apps"));
    setUpOperatorPages();
    setCentralWidget(m_tabs);

    m_stateIcon = new QLabel(this);
    m_stateText = new QLabel(this);
    m_stateText->setObjectName(QStringLiteral("connectionState"));
    m_stateText->setAccessibleName(tr("Connection state"));
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("actionProgress"));
    m_progress->setAccessibleName(tr("Action in progress"));
    m_progress->setRange(0, 0);
    m_progress->setMaximumWidth(160);
    m_progress->setTextVisible(false);
    m_progress->hide();
    m_actionResult = new QLabel(this);
    m_actionResult->setObjectName(QStringLiteral("actionResult"));
    m_actionResult->setAccessibleName(tr("Result of the last action"));
    statusBar()->addWidget(m_stateIcon);
    statusBar()->addWidget(m_stateText, 1);
    statusBar()->addPermanentWidget(m_actionResult);
    statusBar()->addPermanentWidget(m_progress);

    createActions();
    setUpAppsAndAlerts();

    const int threshold = m_settings->value(QStringLiteral("streams/behindSeconds"), 60).toInt();
    m_streams->setBehindThresholdSeconds(threshold);
    connect(m_streams, &StreamsPage::behindThresholdChanged, this, [this](int seconds) {
        m_settings->setValue(QStringLiteral("streams/behindSeconds"), seconds);
    });
    connect(m_streams, &StreamsPage::behindCountChanged, this, &MainWindow::updateStreamsBadge);

    connect(m_client, &AdminClient::stateChanged, this, &MainWindow::onStateChanged);
    connect(m_client, &AdminClient::statsReceived, this, &MainWindow::onStats);
    connect(m_deadLetters, &DeadLettersPage::retryRequested, this, &MainWindow::retry);
    connect(m_deadLetters, &DeadLettersPage::discardRequested, this, &MainWindow::discard);
    connect(
        m_deadLetters, &DeadLettersPage::refreshRequested, this, &MainWindow::refreshDeadLetters);
    connect(m_deadLetters->model(), &QAbstractItemModel::rowsRemoved, this,
        [this] { updateDeadLettersBadge(m_deadLetters->model()->rowCount()); });
    connect(m_deadLetters->model(), &QAbstractItemModel::rowsInserted, this,
        [this] { updateDeadLettersBadge(m_deadLetters->model()->rowCount()); });
    connect(m_profiles, &ProfileStore::tokenFailed, this,
        [this](const QString &, const QString &message) { endBusy(message); });

    // 1280x800 screens leave room for panels and the title bar.
    resize(1200, 720);
    restoreGeometry(m_settings->value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(m_settings->value(QStringLiteral("window/state")).toByteArray());
    m_tabs->setCurrentIndex(m_settings->value(QStringLiteral("window/tab"), 0).toInt());
    onStateChanged();
    updateDeadLettersBadge(0);
}

MainWindow::~MainWindow() = default;

void MainWindow::showAbout()
{
    // Not modal: the window keeps updating behind it. The version and commit are the package's
    // and the same a server of this build reports on /healthz.
    auto *box = new QMessageBox(QMessageBox::Information, tr("About Confab Console"),
        tr("Confab Console %1").arg(QString::fromLatin1(confab::version())), QMessageBox::Close,
        this);
    box->setObjectName(QStringLiteral("aboutBox"));
    box->setIconPixmap(icon("confab").pixmap(64, 64));
    box->setInformativeText(tr("Commit %1. The operator console of the Confab messaging server, "
                               "licensed under the Apache License 2.0.")
                                .arg(QString::fromLatin1(confab::commit())));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::createActions()
{
    QMenu *fileMenu = menuBar()->addMenu(tr("&Server"));
    m_connectAction = fileMenu->addAction(
        icon("connect"), tr("&Connect…"), this, &MainWindow::showConnectDialog);
    m_connectAction->setShortcut(QKeySequence::Open);
    m_disconnectAction
        = fileMenu->addAction(icon("disconnect"), tr("&Disconnect"), m_client, &AdminClient::close);
    m_disconnectAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    fileMenu->addSeparator();
    QAction *quit = fileMenu->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *actions = menuBar()->addMenu(tr("&Actions"));
    m_flushAction
        = actions->addAction(icon("flush"), tr("&Flush now"), this, &MainWindow::flushNow);
    m_flushAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    m_flushAction->setToolTip(tr("Write every open segment to object storage now (Ctrl+Shift+F)"));
    m_retentionAction = actions->addAction(
        icon("retention"), tr("Run &retention"), this, &MainWindow::runRetention);
    m_retentionAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    m_retentionAction->setToolTip(
        tr("Delete segments older than the retention period now (Ctrl+Shift+R)"));
    m_refreshAction = actions->addAction(
        icon("refresh"), tr("Refresh &dead letters"), this, &MainWindow::refreshDeadLetters);
    m_refreshAction->setShortcut(QKeySequence::Refresh);
    createOperatorActions(actions);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    const QList<QPair<QString, int>> tabs { { tr("&Overview"), OverviewTab },
        { tr("&Streams"), StreamsTab }, { tr("&Dead letters"), DeadLettersTab } };
    for (const auto &[text, index] : tabs) {
        QAction *a = view->addAction(text);
        a->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + index)));
        connect(a, &QAction::triggered, this, [this, index] { m_tabs->setCurrentIndex(index); });
    }
    QAction *filter = view->addAction(tr("&Filter streams"));
    filter->setShortcut(QKeySequence::Find);
    connect(filter, &QAction::triggered, this, [this] {
        m_tabs->setCurrentIndex(StreamsTab);
        m_streams->focusFilter();
    });

    QMenu *languageMenu = menuBar()->addMenu(tr("&Language"));
    auto *group = new QActionGroup(this);
    const QString current = languageSetting(*m_settings);
    const QList<QPair<QString, QString>> languages { { QString(), tr("System language") },
        { QStringLiteral("en"), tr("English") }, { QStringLiteral("de"), tr("German") },
        { QStringLiteral("fr"), tr("French") } };
    for (const auto &[code, name] : languages) {
        QAction *a = languageMenu->addAction(name);
        a->setCheckable(true);
        a->setChecked(code == current);
        group->addAction(a);
        connect(a, &QAction::triggered, this, [this, code = code] {
            setLanguageSetting(*m_settings, code);
            m_actionResult->setText(tr("The language changes when the console is restarted."));
        });
    }

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *about = help->addAction(tr("&About Confab Console"), this, &MainWindow::showAbout);
    about->setObjectName(QStringLiteral("aboutAction"));

    QToolBar *bar = addToolBar(tr("Main toolbar"));
    bar->setObjectName(QStringLiteral("mainToolbar"));
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->addAction(m_connectAction);
    bar->addAction(m_disconnectAction);
    bar->addSeparator();
    bar->addAction(m_flushAction);
    bar->addAction(m_retentionAction);
    bar->addAction(m_refreshAction);
}

QString MainWindow::connectionText() const
{
    return m_stateText->text();
}

QString MainWindow::actionResultText() const
{
    return m_actionResult->text();
}

void MainWindow::showConnectDialog()
{
    if (m_connectDialog) {
        m_connectDialog->raise();
        m_connectDialog->activateWindow();
        return;
    }
    m_connectDialog = new ConnectDialog(m_profiles, this);
    m_connectDialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_connectDialog, &QDialog::accepted, this, [this] {
        m_profileName = m_connectDialog->profileName();
        m_client->open(m_connectDialog->url(), m_connectDialog->token(), m_connectDialog->caFile());
    });
    m_connectDialog->open();
}

void MainWindow::connectToProfile(const QString &name)
{
    const std::optional<Profile> p = m_profiles->profile(name);
    if (!p) {
        showConnectDialog();
        return;
    }
    // One-shot: the next token for this profile opens the connection.
    auto *once = new QObject(this);
    connect(m_profiles, &ProfileStore::tokenLoaded, once,
        [this, once, p = *p](const QString &profile, const QString &token) {
            if (profile != p.name)
                return;
            once->deleteLater();
            m_profileName = p.name;
            m_client->open(p.url, token, p.caFile);
        });
    connect(m_profiles, &ProfileStore::tokenFailed, once,
        [this, once, name](const QString &profile, const QString &message) {
            if (profile != name)
                return;
            once->deleteLater();
            // Without its token the profile cannot connect; let the user type it.
            m_stateText->setText(message);
            showConnectDialog();
        });
    m_stateText->setText(tr("Reading the token of %1 from the keychain…").arg(name));
    m_profiles->loadToken(name);
}

void MainWindow::onStateChanged()
{
    const QString where = m_client->url().isEmpty()
        ? QString()
        : (m_profileName.isEmpty() ? m_client->url().host() : m_profileName);
    const QString host = m_client->url().toDisplayString(QUrl::RemoveQuery | QUrl::RemoveUserInfo);
    QString text;
    const char *stateIcon = "state-disconnected";
    switch (m_client->state()) {
    case AdminClient::State::Disconnected:
        text = m_client->lastError().isEmpty()
            ? tr("Not connected. Use Server › Connect (Ctrl+O).")
            : tr("Disconnected from %1: %2").arg(where, m_client->lastError());
        break;
    case AdminClient::State::Connecting:
        stateIcon = "state-connecting";
        text = tr("Connecting to %1 (%2)…").arg(where, host);
        break;
    case AdminClient::State::Connected:
        stateIcon = "state-connected";
        text = tr("Connected to %1 (%2)").arg(where, host);
        break;
    case AdminClient::State::WaitingToReconnect:
        stateIcon = "state-connecting";
        text = tr("Connection to %1 lost (%2). Reconnecting in %3 s, attempt %4…")
                   .arg(where, m_client->lastError())
                   .arg(double(m_client->nextReconnectDelayMs()) / 1000.0, 0, 'f', 1)
                   .arg(m_client->reconnectAttempt());
        break;
    }
    m_stateText->setText(text);
    m_stateIcon->setPixmap(icon(stateIcon).pixmap(16, 16));
    m_stateIcon->setAccessibleName(text);

    const bool connected = m_client->state() == AdminClient::State::Connected;
    m_disconnectAction->setEnabled(m_client->state() != AdminClient::State::Disconnected);
    m_flushAction->setEnabled(connected);
    m_retentionAction->setEnabled(connected);
    m_refreshAction->setEnabled(connected);
    if (connected) {
        m_lastDeadLetterCount = -1;
        refreshDeadLetters();
        m_apps->refresh();
        m_alerts->onConnected();
    } else if (m_client->state() == AdminClient::State::WaitingToReconnect
        || (m_client->state() == AdminClient::State::Disconnected && !m_client->lastError().isEmpty())) {
        m_alerts->onConnectionLost(where, m_client->lastError());
    }
    if (m_client->state() == AdminClient::State::Disconnected) {
        m_apps->model()->clear();
        m_overview->clear();
        m_streams->clear();
        m_deadLetters->model()->clear();
    }
}

void MainWindow::onStats(const Stats &stats)
{
    m_apps->model()->setStats(stats.apps);
    m_overview->showStats(stats);
    m_streams->showStats(stats);
    m_alerts->onStats(stats);
    showOperatorStats(stats);
    // The list is fetched on demand; a changed count means it is stale. Not while a batch runs:
    // its requests use the server's room for admin requests, and it refreshes when done.
    if (stats.deadLetterCount != m_lastDeadLetterCount) {
        if (m_lastDeadLetterCount >= 0 && !m_batch)
            refreshDeadLetters();
        m_lastDeadLetterCount = stats.deadLetterCount;
    }
    updateDeadLettersBadge(
        std::max<qint64>(stats.deadLetterCount, m_deadLetters->model()->rowCount()));
}

void MainWindow::refreshDeadLetters()
{
    if (m_client->state() != AdminClient::State::Connected)
        return;
    AdminReply *reply = m_client->listDeadLetters(500);
    connect(reply, &AdminReply::finished, this, [this, reply] {
        if (!reply->isOk()) {
            m_actionResult->setText(
                tr("Listing dead letters failed: %1").arg(reply->error().message));
            return;
        }
        m_deadLetters->model()->setItems(reply->deadLetters());
        updateDeadLettersBadge(m_deadLetters->model()->rowCount());
    });
}

void MainWindow::flushNow()
{
    beginBusy(tr("Flushing every open segment…"));
    m_flushAction->setEnabled(false);
    AdminReply *reply = m_client->flushNow();
    connect(reply, &AdminReply::finished, this, [this, reply] {
        m_flushAction->setEnabled(m_client->state() == AdminClient::State::Connected);
        if (!reply->isOk()) {
            endBusy(tr("Flush failed: %1").arg(reply->error().message));
            return;
        }
        const int n = reply->response().value(QLatin1String("segments_written")).toInt();
        endBusy(tr("Flush finished: %n segment(s) written.", nullptr, n));
    });
}

void MainWindow::runRetention()
{
    beginBusy(tr("Running retention…"));
    m_retentionAction->setEnabled(false);
    AdminReply *reply = m_client->runRetention();
    connect(reply, &AdminReply::finished, this, [this, reply] {
        m_retentionAction->setEnabled(m_client->state() == AdminClient::State::Connected);
        if (!reply->isOk()) {
            endBusy(tr("Retention failed: %1").arg(reply->error().message));
            return;
        }
        const int n = reply->response().value(QLatin1String("segments_deleted")).toInt();
        endBusy(tr("Retention finished: %n segment(s) deleted.", nullptr, n));
    });
}

void MainWindow::retry(const QStringList &ids)
{
    runBatch(QStringLiteral("retry"), ids);
}

void MainWindow::discard(const QStringList &ids)
{
    runBatch(QStringLiteral("discard"), ids);
}

void MainWindow::runBatch(const QString &kind, const QStringList &ids)
{
    if (ids.isEmpty() || m_batch)
        return;
    const bool retrying = kind == QLatin1String("retry");
    const int total = int(ids.size());
    m_batch = new DeadLetterBatch(m_client,
        retrying ? DeadLetterBatch::Kind::Retry : DeadLetterBatch::Kind::Discard, ids, this);
    m_deadLetters->setBusy(true);
    beginBusy(retrying ? tr("Retrying %n dead letter(s)…", nullptr, total)
                       : tr("Discarding %n dead letter(s)…", nullptr, total));
    connect(m_batch, &DeadLetterBatch::itemDone, this, [this](const QString &id, bool ok) {
        if (ok)
            m_deadLetters->model()->removeItem(id);
    });
    DeadLetterBatch *batch = m_batch;
    connect(batch, &DeadLetterBatch::finished, this, [this, batch, retrying] {
        m_deadLetters->setBusy(false);
        const int done = batch->succeeded();
        QString result = retrying ? tr("Retried %n dead letter(s).", nullptr, done)
                                  : tr("Discarded %n dead letter(s).", nullptr, done);
        if (batch->failed() > 0)
            result += QLatin1Char(' ')
                + tr("%n failed: %1", nullptr, batch->failed()).arg(batch->firstError());
        m_batch.clear();
        batch->deleteLater();
        endBusy(result);
        refreshDeadLetters();
    });
    m_batch->start();
}

void MainWindow::beginBusy(const QString &text)
{
    ++m_busy;
    m_progress->show();
    m_progress->setToolTip(text);
    m_actionResult->setText(text);
}

void MainWindow::endBusy(const QString &result)
{
    m_busy = std::max(0, m_busy - 1);
    m_progress->setVisible(m_busy > 0);
    m_actionResult->setText(result);
    // A server error names its cause last, often past the window's edge: the tooltip has it all.
    m_actionResult->setToolTip(result);
}

void MainWindow::updateDeadLettersBadge(qint64 count)
{
    m_tabs->setTabText(
        DeadLettersTab, count > 0 ? tr("&Dead letters (%1)").arg(count) : tr("&Dead letters"));
    m_tabs->setTabIcon(DeadLettersTab, count > 0 ? icon("badge") : icon("deadletters"));
    m_tabs->setTabToolTip(DeadLettersTab,
        count > 0 ? tr("%n batch(es) could not be written to object storage", nullptr, int(count))
                  : QString());
}

void MainWindow::updateStreamsBadge(int behind)
{
    m_tabs->setTabIcon(StreamsTab, behind > 0 ? icon("behind") : icon("streams"));
    m_tabs->setTabToolTip(
        StreamsTab, behind > 0 ? tr("%n stream(s) falling behind", nullptr, behind) : QString());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    m_settings->setValue(QStringLiteral("window/geometry"), saveGeometry());
    m_settings->setValue(QStringLiteral("window/state"), saveState());
    m_settings->setValue(QStringLiteral("window/tab"), m_tabs->currentIndex());
    QMainWindow::closeEvent(event);
}

} // namespace confab::console

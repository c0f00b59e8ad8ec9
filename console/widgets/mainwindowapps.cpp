// MainWindow's parts for issue 15 (apps, names everywhere, alerts, the --url start), kept
// apart from mainwindow.cpp so each file stays one job and small.
#include "widgets/mainwindow.h"

#include "core/adminclient.h"
#include "core/alertwatcher.h"
#include "core/appsmodel.h"
#include "core/deadlettersmodel.h"
#include "core/roles.h"
#include "core/streamsmodel.h"
#include "widgets/alertnotifier.h"
#include "widgets/appspage.h"
#include "widgets/deadletterspage.h"
#include "widgets/streamspage.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QClipboard>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QStatusBar>
#include <QTabWidget>

namespace confab::console
{

namespace
{
QIcon icon(const char *name)
{
    return QIcon(QStringLiteral(":/icons/%1.svg").arg(QLatin1String(name)));
}
} // namespace

void MainWindow::setUpAppsAndAlerts()
{
    // App names everywhere: the apps model knows them (REST list and every stats frame).
    connect(m_apps->model(), &AppsModel::namesChanged, this, [this] {
        QHash<QString, QString> names;
        for (const AppRow &r : m_apps->model()->rows())
            names.insert(r.appId, r.name);
        m_streams->model()->setAppNames(names);
        m_deadLetters->model()->setAppNames(names);
    });
    QMenu *view = nullptr;
    for (QAction *a : menuBar()->actions())
        if (a->menu() && a->text() == tr("&View"))
            view = a->menu();
    if (view) {
        QAction *apps = view->addAction(tr("&Apps"));
        apps->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_4));
        connect(apps, &QAction::triggered, this, [this] { m_tabs->setCurrentWidget(m_apps); });
        QAction *copy = view->addAction(tr("Copy app &id"), this, &MainWindow::copyAppId);
        copy->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    }

    m_alerts = new AlertWatcher(this);
    m_notifier = new AlertNotifier(this);
    m_alertLabel = new QLabel(this);
    m_alertLabel->setObjectName(QStringLiteral("alertText"));
    m_alertLabel->setAccessibleName(tr("Alert"));
    m_alertLabel->setStyleSheet(QStringLiteral("color: #c62828; font-weight: bold;"));
    m_alertLabel->hide();
    statusBar()->addPermanentWidget(m_alertLabel);
    connect(m_alerts, &AlertWatcher::alert, this, &MainWindow::showAlert);
    connect(m_alerts, &AlertWatcher::resolved, this, &MainWindow::clearAlerts);
}

QString MainWindow::alertText() const
{
    return m_alertLabel->isVisible() || !m_alertLabel->text().isEmpty() ? m_alertLabel->text() : QString();
}

void MainWindow::showAlert(const QString &text)
{
    m_alertLabel->setText(text);
    m_alertLabel->setToolTip(m_alerts->active().join(QLatin1Char('\n')));
    m_alertLabel->show();
    // The overview tab carries the badge: it is where the nodes and figures are.
    m_tabs->setTabIcon(OverviewTab, icon("badge"));
    m_tabs->setTabToolTip(OverviewTab, m_alertLabel->toolTip());
    m_notifier->notify(text);
}

void MainWindow::clearAlerts()
{
    m_alertLabel->clear();
    m_alertLabel->hide();
    m_tabs->setTabIcon(OverviewTab, icon("overview"));
    m_tabs->setTabToolTip(OverviewTab, QString());
}

void MainWindow::copyAppId()
{
    auto *view = qobject_cast<QAbstractItemView *>(QApplication::focusWidget());
    if (!view)
        view = m_tabs->currentWidget()->findChild<QAbstractItemView *>();
    const QString id = view ? view->currentIndex().data(AppIdRole).toString() : QString();
    if (id.isEmpty())
        return;
    QApplication::clipboard()->setText(id);
    m_actionResult->setText(tr("Copied app id %1.").arg(id));
}

void MainWindow::connectDirect(const QUrl &url, const QString &token, const QString &caFile)
{
    m_profileName.clear();
    m_alerts->reset();
    m_client->open(url, token, caFile);
}

} // namespace confab::console

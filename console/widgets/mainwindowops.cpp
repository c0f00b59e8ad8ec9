// The main window's operator parts (docs/console.md, "Users", "Conversations", "Notices"):
// kept apart from mainwindow.cpp, which holds the pipeline views.
#include "widgets/mainwindow.h"

#include "core/adminclient.h"
#include "widgets/conversationpage.h"
#include "widgets/noticedialog.h"
#include "widgets/userspage.h"

#include <QAction>
#include <QLabel>
#include <QMenu>
#include <QTabWidget>

namespace confab::console
{

void MainWindow::setUpOperatorPages()
{
    m_users = new UsersPage(m_client, this);
    m_conversation = new ConversationPage(m_client, this);
    m_tabs->addTab(m_users, QIcon(QStringLiteral(":/icons/connect.svg")), tr("&Users"));
    m_tabs->addTab(m_conversation, QIcon(QStringLiteral(":/icons/streams.svg")), tr("Co&nversations"));
    connect(m_users, &UsersPage::disconnectFinished, this, [this](const QString &result) { m_actionResult->setText(result); });
    // Another server's users and conversations are not these: nothing stale stays shown.
    connect(m_client, &AdminClient::stateChanged, this, [this](AdminClient::State state) {
        if (state == AdminClient::State::Disconnected) {
            m_users->clear();
            m_conversation->clear();
        }
    });
}

void MainWindow::createOperatorActions(QMenu *actions)
{
    actions->addSeparator();
    m_noticeAction = actions->addAction(tr("Send &notice…"), this, &MainWindow::showNoticeDialog);
    m_noticeAction->setObjectName(QStringLiteral("sendNoticeAction"));
    m_noticeAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
    m_noticeAction->setToolTip(tr("Tell every session of an app, or of every app, something (Ctrl+Shift+N)"));
}

void MainWindow::showOperatorStats(const Stats &stats)
{
    QStringList apps;
    for (const StreamStats &s : stats.streams) {
        if (!s.appId.isEmpty() && !m_knownApps.contains(s.appId) && !apps.contains(s.appId))
            apps.append(s.appId);
    }
    if (apps.isEmpty())
        return;
    m_knownApps += apps;
    m_users->setKnownApps(apps);
    m_conversation->setKnownApps(apps);
}

void MainWindow::showNoticeDialog()
{
    auto *dialog = new NoticeDialog(m_client, m_knownApps, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &NoticeDialog::sent, this, [this](const QString &result) { m_actionResult->setText(result); });
    dialog->open();
}

} // namespace confab::console

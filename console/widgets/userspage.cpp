#include "widgets/userspage.h"

#include "core/adminclient.h"
#include "core/format.h"
#include "core/roles.h"
#include "core/sessionsmodel.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace confab::console
{

UsersPage::UsersPage(AdminClient *client, QWidget *parent)
    : QWidget(parent)
    , m_client(client)
{
    setObjectName(QStringLiteral("usersPage"));
    m_model = new SessionsModel(this);
    auto *proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(m_model);
    proxy->setSortRole(SortRole);

    m_app = new QComboBox(this);
    m_app->setObjectName(QStringLiteral("usersAppBox"));
    m_app->setEditable(true);
    m_app->setMinimumContentsLength(30);
    m_app->setAccessibleName(tr("App"));
    m_app->setToolTip(tr("The app id; the apps seen in the stats are listed"));
    m_user = new QLineEdit(this);
    m_user->setObjectName(QStringLiteral("usersUserEdit"));
    m_user->setPlaceholderText(tr("user id"));
    m_user->setAccessibleName(tr("User id"));
    m_lookUp = new QPushButton(QIcon(QStringLiteral(":/icons/refresh.svg")), tr("&Look up"), this);
    m_lookUp->setObjectName(QStringLiteral("lookUpButton"));
    m_lookUp->setDefault(true);
    m_lookUp->setToolTip(tr("Show the user's sessions on every node"));

    m_summary = new QLabel(tr("Choose an app and a user."), this);
    m_summary->setObjectName(QStringLiteral("userSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("sessionsView"));
    m_view->setAccessibleName(tr("Sessions"));
    m_view->setModel(proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(SessionsModel::ConnectedColumn, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setAlternatingRowColors(true);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setStretchLastSection(true);

    m_closeCode = new QComboBox(this);
    m_closeCode->setObjectName(QStringLiteral("closeCodeBox"));
    m_closeCode->setAccessibleName(tr("Close code"));
    m_closeCode->addItem(tr("4009 disconnected by an operator (may reconnect)"), 4009);
    m_closeCode->addItem(tr("4001 unauthorized (must sign in again)"), 4001);
    m_closeCode->addItem(tr("4003 forbidden (should not reconnect)"), 4003);
    m_reason = new QLineEdit(this);
    m_reason->setObjectName(QStringLiteral("reasonEdit"));
    m_reason->setMaxLength(120);
    m_reason->setPlaceholderText(tr("disconnected by an operator"));
    m_reason->setAccessibleName(tr("Reason"));
    m_disconnect = new QPushButton(QIcon(QStringLiteral(":/icons/disconnect.svg")), tr("&Disconnect…"), this);
    m_disconnect->setObjectName(QStringLiteral("disconnectButton"));
    m_disconnect->setToolTip(tr("Close every session of this user on every node"));
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("usersStatus"));
    m_status->setWordWrap(true);

    auto *find = new QHBoxLayout;
    find->addWidget(new QLabel(tr("App:"), this));
    find->addWidget(m_app, 2);
    find->addWidget(new QLabel(tr("User:"), this));
    find->addWidget(m_user, 1);
    find->addWidget(m_lookUp);

    auto *act = new QHBoxLayout;
    act->addWidget(m_closeCode);
    act->addWidget(m_reason, 1);
    act->addWidget(m_disconnect);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(find);
    layout->addWidget(m_summary);
    layout->addWidget(m_view, 1);
    layout->addLayout(act);
    layout->addWidget(m_status);

    connect(m_lookUp, &QPushButton::clicked, this, &UsersPage::lookUp);
    connect(m_user, &QLineEdit::returnPressed, this, &UsersPage::lookUp);
    connect(m_user, &QLineEdit::textChanged, this, &UsersPage::updateButtons);
    connect(m_app, &QComboBox::currentTextChanged, this, &UsersPage::updateButtons);
    connect(m_disconnect, &QPushButton::clicked, this, &UsersPage::disconnectUser);
    updateButtons();
}

QString UsersPage::summaryText() const
{
    return m_summary->text();
}

QString UsersPage::statusText() const
{
    return m_status->text();
}

void UsersPage::setKnownApps(const QStringList &appIds)
{
    for (const QString &id : appIds) {
        if (m_app->findText(id) < 0)
            m_app->addItem(id);
    }
}

void UsersPage::setUser(const QString &appId, const QString &userId)
{
    m_app->setCurrentText(appId);
    m_user->setText(userId);
}

void UsersPage::clear()
{
    m_model->clear();
    m_status->clear();
    showSummary();
    updateButtons();
}

void UsersPage::lookUp()
{
    const QString app = m_app->currentText().trimmed();
    const QString user = m_user->text().trimmed();
    if (app.isEmpty() || user.isEmpty() || m_busy)
        return;
    m_busy = true;
    updateButtons();
    AdminReply *reply = m_client->lookupUser(app, user);
    connect(reply, &AdminReply::finished, this, [this, reply] {
        m_busy = false;
        if (reply->isOk()) {
            m_model->setUser(reply->response());
            m_status->clear();
        } else {
            m_model->clear();
            m_status->setText(tr("Lookup failed: %1").arg(reply->error().message));
        }
        showSummary();
        updateButtons();
        Q_EMIT lookupFinished();
    });
}

void UsersPage::showSummary()
{
    const UserSummary &s = m_model->summary();
    if (s.userId.isEmpty()) {
        m_summary->setText(tr("Choose an app and a user."));
    } else if (s.online) {
        m_summary->setText(tr("%1 is online with %n session(s) on %2 since %3.", nullptr, s.sessionCount)
                               .arg(s.userId, s.nodes.isEmpty() ? tr("unknown nodes") : s.nodes.join(QStringLiteral(", ")),
                                   s.connectedSinceMs > 0 ? Format::dateTime(s.connectedSinceMs) : tr("an unknown time")));
    } else if (s.lastSeenMs > 0) {
        m_summary->setText(tr("%1 is offline; last seen %2.").arg(s.userId, Format::dateTime(s.lastSeenMs)));
    } else {
        m_summary->setText(tr("%1 is offline and was not seen in the last 30 days.").arg(s.userId));
    }
}

void UsersPage::disconnectUser()
{
    const UserSummary s = m_model->summary();
    if (s.userId.isEmpty() || m_busy)
        return;
    const int code = m_closeCode->currentData().toInt();
    const QString reason = m_reason->text().trimmed();
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Disconnect user"),
        tr("Disconnect %1 of app %2 (%n session(s))?", nullptr, s.sessionCount).arg(s.userId, s.appId),
        QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("disconnectConfirmation"));
    box->setInformativeText(tr("Every session of this user on every node is closed with code %1. "
                               "The user can connect again unless their tokens are revoked.")
                                .arg(code));
    QPushButton *yes = box->addButton(tr("Disconnect"), QMessageBox::DestructiveRole);
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowModality(Qt::WindowModal);
    connect(box, &QMessageBox::buttonClicked, this, [this, s, code, reason, yes](QAbstractButton *b) {
        if (b != yes)
            return;
        m_busy = true;
        updateButtons();
        AdminReply *reply = m_client->disconnectUser(s.appId, s.userId, code, reason);
        connect(reply, &AdminReply::finished, this, [this, reply, s] {
            m_busy = false;
            const QString result = reply->isOk()
                ? tr("Disconnected %1: %n session(s) closed.", nullptr,
                      reply->response().value(QLatin1String("sessions")).toInt())
                      .arg(s.userId)
                : tr("Disconnect failed: %1").arg(reply->error().message);
            m_status->setText(result);
            updateButtons();
            Q_EMIT disconnectFinished(result);
            lookUp(); // what is left
        });
    });
    box->open();
}

void UsersPage::updateButtons()
{
    m_lookUp->setEnabled(!m_busy && !m_app->currentText().trimmed().isEmpty() && !m_user->text().trimmed().isEmpty());
    m_disconnect->setEnabled(!m_busy && m_model->summary().online);
}

} // namespace confab::console

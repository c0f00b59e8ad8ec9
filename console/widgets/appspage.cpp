#include "widgets/appspage.h"

#include "core/adminrest.h"
#include "core/appsmodel.h"
#include "core/roles.h"
#include "widgets/appdialog.h"
#include "widgets/keysdialog.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace confab::console
{

AppsPage::AppsPage(AdminRest *rest, QWidget *parent)
    : QWidget(parent)
    , m_rest(rest)
    , m_model(new AppsModel(this))
{
    setObjectName(QStringLiteral("appsPage"));
    auto *proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(m_model);
    proxy->setSortRole(SortRole);
    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("appsView"));
    m_view->setAccessibleName(tr("Apps"));
    m_view->setModel(proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(AppsModel::NameColumn, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(AppsModel::LimitsColumn, QHeaderView::Stretch);

    auto *create = new QPushButton(tr("&New app…"), this);
    create->setObjectName(QStringLiteral("newAppButton"));
    m_edit = new QPushButton(tr("&Edit…"), this);
    m_edit->setObjectName(QStringLiteral("editAppButton"));
    m_keys = new QPushButton(tr("API &keys…"), this);
    m_keys->setObjectName(QStringLiteral("keysButton"));
    m_delete = new QPushButton(tr("De&lete…"), this);
    m_delete->setObjectName(QStringLiteral("deleteAppButton"));
    auto *refreshButton = new QPushButton(tr("Re&fresh"), this);
    auto *row = new QHBoxLayout;
    for (QPushButton *b : { create, m_edit, m_keys, m_delete })
        row->addWidget(b);
    row->addStretch(1);
    row->addWidget(refreshButton);
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("appsMessage"));
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(row);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_message);

    connect(create, &QPushButton::clicked, this, [this] { showAppDialog({}); });
    connect(m_edit, &QPushButton::clicked, this, [this] { showAppDialog(selectedAppId()); });
    connect(m_keys, &QPushButton::clicked, this, [this] { showKeys(selectedAppId()); });
    connect(m_delete, &QPushButton::clicked, this, [this] { askDelete(selectedAppId()); });
    connect(refreshButton, &QPushButton::clicked, this, &AppsPage::refresh);
    connect(m_view, &QTableView::doubleClicked, this, [this] { showAppDialog(selectedAppId()); });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &AppsPage::updateButtons);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &AppsPage::updateButtons);
    updateButtons();
}

QString AppsPage::messageText() const
{
    return m_message->text();
}

void AppsPage::setMessage(const QString &text)
{
    m_message->setText(text);
    m_message->setToolTip(text);
}

QString AppsPage::selectedAppId() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.first().data(KeyRole).toString();
}

void AppsPage::selectApp(const QString &appId)
{
    const QAbstractItemModel *proxy = m_view->model();
    for (int r = 0; r < proxy->rowCount(); ++r) {
        if (proxy->index(r, 0).data(KeyRole).toString() == appId) {
            m_view->selectRow(r);
            return;
        }
    }
}

void AppsPage::updateButtons()
{
    const bool selected = !selectedAppId().isEmpty();
    m_edit->setEnabled(selected);
    m_keys->setEnabled(selected);
    m_delete->setEnabled(selected);
}

void AppsPage::refresh()
{
    RestReply *reply = m_rest->listApps();
    connect(reply, &RestReply::finished, this, [this, reply] {
        if (!reply->isOk()) {
            setMessage(tr("Listing apps failed: %1").arg(reply->error().message));
            return;
        }
        m_model->setApps(reply->json());
    });
}

void AppsPage::showAppDialog(const QString &appId)
{
    const AppRow *row = appId.isEmpty() ? nullptr : m_model->row(appId);
    if (!appId.isEmpty() && !row)
        return;
    auto *dialog = new AppDialog(row, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (dialog->appId().isEmpty())
            createApp(dialog->fields());
        else
            updateApp(dialog->appId(), dialog->fields());
    });
    dialog->open();
}

void AppsPage::createApp(const QJsonObject &fields)
{
    RestReply *reply = m_rest->createApp(fields);
    connect(reply, &RestReply::finished, this, [this, reply] {
        if (!reply->isOk()) {
            setMessage(tr("Creating the app failed: %1").arg(reply->error().message));
            return;
        }
        const QString id = reply->json().value(QLatin1String("app_id")).toString();
        setMessage(tr("Created app %1 (%2).").arg(reply->json().value(QLatin1String("name")).toString(), id));
        refresh();
    });
}

void AppsPage::updateApp(const QString &appId, const QJsonObject &fields)
{
    RestReply *reply = m_rest->patchApp(appId, fields);
    connect(reply, &RestReply::finished, this, [this, reply, appId] {
        setMessage(reply->isOk() ? tr("Saved app %1.").arg(reply->json().value(QLatin1String("name")).toString())
                                 : tr("Saving app %1 failed: %2").arg(appId, reply->error().message));
        refresh();
    });
}

QString AppsPage::deleteQuestion(const QString &name, const QJsonObject &app)
{
    const QJsonObject c = app.value(QLatin1String("counts")).toObject();
    auto n = [&c](const char *k) { return int(c.value(QLatin1String(k)).toDouble()); };
    const QString id = app.value(QLatin1String("app_id")).toString();
    return tr("Delete app %1 (%2)?").arg(name, id) + QStringLiteral("\n\n")
        + tr("This deletes for good: %1 (with %2), %3 in the history (%4), and %5. Sessions using its keys "
             "close at once; nothing of the app can be restored.")
              .arg(tr("%n conversation(s)", nullptr, n("conversations")),
                  tr("%n membership(s)", nullptr, n("members")), tr("%n message(s)", nullptr, n("messages")),
                  tr("%n segment(s)", nullptr, n("segments")), tr("%n API key(s)", nullptr, n("keys")))
        + (n("dead_letters") > 0 ? QStringLiteral(" ") + tr("%n dead letter(s) of the app are dropped.", nullptr, n("dead_letters"))
                                 : QString());
}

void AppsPage::askDelete(const QString &appId)
{
    if (appId.isEmpty())
        return;
    const QString name = m_model->nameOf(appId);
    RestReply *reply = m_rest->getApp(appId);
    connect(reply, &RestReply::finished, this, [this, reply, appId, name] {
        if (!reply->isOk()) {
            setMessage(tr("Reading app %1 failed: %2").arg(name, reply->error().message));
            return;
        }
        const QString text = deleteQuestion(name, reply->json());
        auto *box = new QMessageBox(QMessageBox::Warning, tr("Delete app"), text, QMessageBox::Cancel, this);
        box->setObjectName(QStringLiteral("deleteAppBox"));
        QPushButton *yes = box->addButton(tr("Delete %1").arg(name), QMessageBox::DestructiveRole);
        box->setDefaultButton(QMessageBox::Cancel);
        box->setAttribute(Qt::WA_DeleteOnClose);
        connect(box, &QMessageBox::finished, this, [this, box, yes, appId] {
            if (box->clickedButton() == yes)
                deleteApp(appId);
        });
        box->open();
        Q_EMIT deleteConfirmationShown(text);
    });
}

void AppsPage::deleteApp(const QString &appId)
{
    const QString name = m_model->nameOf(appId);
    RestReply *reply = m_rest->deleteApp(appId);
    connect(reply, &RestReply::finished, this, [this, reply, name] {
        setMessage(reply->isOk() ? tr("Deleted app %1.").arg(name)
                                 : tr("Deleting app %1 failed: %2").arg(name, reply->error().message));
        refresh();
    });
}

void AppsPage::showKeys(const QString &appId)
{
    if (appId.isEmpty())
        return;
    auto *dialog = new KeysDialog(m_rest, appId, m_model->nameOf(appId), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

} // namespace confab::console

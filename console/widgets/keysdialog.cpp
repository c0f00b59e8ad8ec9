#include "widgets/keysdialog.h"

#include "core/adminrest.h"
#include "core/keysmodel.h"
#include "core/roles.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace confab::console
{

KeysDialog::KeysDialog(AdminRest *rest, const QString &appId, const QString &appName, QWidget *parent)
    : QDialog(parent)
    , m_rest(rest)
    , m_appId(appId)
    , m_model(new KeysModel(this))
{
    setObjectName(QStringLiteral("keysDialog"));
    setWindowTitle(tr("API keys of %1").arg(appName));
    auto *proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(m_model);
    proxy->setSortRole(SortRole);
    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("keysView"));
    m_view->setAccessibleName(tr("API keys"));
    m_view->setModel(proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(KeysModel::CreatedColumn, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setStretchLastSection(true);

    auto *issue = new QPushButton(tr("&Issue key…"), this);
    issue->setObjectName(QStringLiteral("issueButton"));
    m_rotate = new QPushButton(tr("R&otate…"), this);
    m_rotate->setObjectName(QStringLiteral("rotateButton"));
    m_rotate->setToolTip(tr("Issue a new key; the selected one keeps working for a grace period"));
    m_revoke = new QPushButton(tr("Re&voke…"), this);
    m_revoke->setObjectName(QStringLiteral("revokeButton"));
    m_revoke->setToolTip(tr("The key stops working at once; its sessions close"));
    auto *refreshButton = new QPushButton(tr("Re&fresh"), this);
    auto *buttonsRow = new QHBoxLayout;
    buttonsRow->addWidget(issue);
    buttonsRow->addWidget(m_rotate);
    buttonsRow->addWidget(m_revoke);
    buttonsRow->addStretch(1);
    buttonsRow->addWidget(refreshButton);

    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("keysMessage"));
    m_message->setWordWrap(true);
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(buttonsRow);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_message);
    layout->addWidget(close);

    connect(issue, &QPushButton::clicked, this, &KeysDialog::askIssue);
    connect(m_rotate, &QPushButton::clicked, this, &KeysDialog::askRotate);
    connect(m_revoke, &QPushButton::clicked, this, &KeysDialog::askRevoke);
    connect(refreshButton, &QPushButton::clicked, this, &KeysDialog::refresh);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &KeysDialog::updateButtons);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &KeysDialog::updateButtons);
    resize(760, 360);
    updateButtons();
    refresh();
}

QString KeysDialog::messageText() const
{
    return m_message->text();
}

void KeysDialog::refresh()
{
    RestReply *reply = m_rest->listKeys(m_appId);
    connect(reply, &RestReply::finished, this, [this, reply] {
        if (!reply->isOk()) {
            m_message->setText(tr("Listing keys failed: %1").arg(reply->error().message));
            return;
        }
        m_model->setKeys(reply->json());
    });
}

QString KeysDialog::selectedKeyId() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.first().data(KeyRole).toString();
}

void KeysDialog::updateButtons()
{
    const bool selected = !selectedKeyId().isEmpty();
    m_rotate->setEnabled(selected);
    m_revoke->setEnabled(selected);
}

void KeysDialog::askIssue()
{
    bool ok = false;
    const QString label = QInputDialog::getText(this, tr("Issue key"), tr("Label (who uses the key):"),
        QLineEdit::Normal, QString(), &ok);
    if (ok)
        issue(label.trimmed());
}

void KeysDialog::issue(const QString &label)
{
    RestReply *reply = m_rest->createKey(m_appId, label);
    connect(reply, &RestReply::finished, this, [this, reply] {
        if (!reply->isOk()) {
            m_message->setText(tr("Issuing a key failed: %1").arg(reply->error().message));
            return;
        }
        m_message->setText(tr("Issued key %1.").arg(reply->json().value(QLatin1String("key_id")).toString()));
        showNewKey(reply->json());
        refresh();
    });
}

void KeysDialog::askRotate()
{
    bool ok = false;
    const int hours = QInputDialog::getInt(this, tr("Rotate key"),
        tr("The old key keeps working for (hours, 0: stops at once):"), 24, 0, 720, 1, &ok);
    if (ok)
        rotateSelected(qint64(hours) * 3600);
}

void KeysDialog::rotateSelected(qint64 graceS)
{
    const QString keyId = selectedKeyId();
    if (keyId.isEmpty())
        return;
    RestReply *reply = m_rest->rotateKey(m_appId, keyId, graceS);
    connect(reply, &RestReply::finished, this, [this, reply, keyId] {
        if (!reply->isOk()) {
            m_message->setText(tr("Rotating %1 failed: %2").arg(keyId, reply->error().message));
            return;
        }
        m_message->setText(tr("Rotated %1: the new key is %2.").arg(keyId, reply->json().value(QLatin1String("key_id")).toString()));
        showNewKey(reply->json());
        refresh();
    });
}

void KeysDialog::askRevoke()
{
    const QString keyId = selectedKeyId();
    if (keyId.isEmpty())
        return;
    const auto answer = QMessageBox::warning(this, tr("Revoke key"),
        tr("Revoke %1? It stops working at once and every session using it closes. This cannot be undone.").arg(keyId),
        QMessageBox::Cancel | QMessageBox::Yes, QMessageBox::Cancel);
    if (answer == QMessageBox::Yes)
        revokeSelected();
}

void KeysDialog::revokeSelected()
{
    const QString keyId = selectedKeyId();
    if (keyId.isEmpty())
        return;
    RestReply *reply = m_rest->revokeKey(m_appId, keyId);
    connect(reply, &RestReply::finished, this, [this, reply, keyId] {
        m_message->setText(reply->isOk() ? tr("Revoked %1.").arg(keyId)
                                         : tr("Revoking %1 failed: %2").arg(keyId, reply->error().message));
        refresh();
    });
}

void KeysDialog::showNewKey(const QJsonObject &answer)
{
    const QString keyId = answer.value(QLatin1String("key_id")).toString();
    const QString apiKey = answer.value(QLatin1String("api_key")).toString();
    Q_EMIT keyShown(keyId, apiKey);
    auto *dialog = new NewKeyDialog(keyId, apiKey, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

NewKeyDialog::NewKeyDialog(const QString &keyId, const QString &apiKey, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("newKeyDialog"));
    setWindowTitle(tr("New API key %1").arg(keyId));
    auto *warning = new QLabel(tr("Copy this key now and keep it safe. It cannot be shown again: "
                                  "the server stores only a hash of it."),
        this);
    warning->setObjectName(QStringLiteral("newKeyWarning"));
    warning->setWordWrap(true);
    auto *key = new QLineEdit(apiKey, this);
    key->setObjectName(QStringLiteral("newKeyEdit"));
    key->setAccessibleName(tr("New API key"));
    key->setReadOnly(true);
    key->setMinimumWidth(key->fontMetrics().horizontalAdvance(apiKey) + 24);
    auto *copy = new QPushButton(tr("&Copy"), this);
    copy->setObjectName(QStringLiteral("copyKeyButton"));
    connect(copy, &QPushButton::clicked, this, [apiKey, copy] {
        QApplication::clipboard()->setText(apiKey);
        copy->setText(tr("Copied"));
    });
    auto *row = new QHBoxLayout;
    row->addWidget(key, 1);
    row->addWidget(copy);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(warning);
    layout->addLayout(row);
    layout->addWidget(buttons);
}

} // namespace confab::console

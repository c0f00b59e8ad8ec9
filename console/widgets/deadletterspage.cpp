#include "widgets/deadletterspage.h"

#include "core/deadlettersmodel.h"
#include "core/roles.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace confab::console
{

DeadLettersPage::DeadLettersPage(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("deadLettersPage"));
    m_model = new DeadLettersModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(SortRole);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("deadLettersView"));
    m_view->setAccessibleName(tr("Dead letters"));
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(DeadLettersModel::CreatedColumn, Qt::DescendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setAlternatingRowColors(true);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(
        DeadLettersModel::ErrorColumn, QHeaderView::Stretch);

    m_retry = new QPushButton(QIcon(QStringLiteral(":/icons/retry.svg")), tr("&Retry"), this);
    m_retry->setObjectName(QStringLiteral("retryButton"));
    m_retry->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_retry->setToolTip(tr("Write the selected batches to object storage again (Ctrl+R)"));
    m_retry->setAccessibleName(tr("Retry the selected dead letters"));
    m_discard
        = new QPushButton(QIcon(QStringLiteral(":/icons/discard.svg")), tr("&Discard…"), this);
    m_discard->setObjectName(QStringLiteral("discardButton"));
    m_discard->setShortcut(QKeySequence::Delete);
    m_discard->setToolTip(tr("Give up on the selected batches (Del)"));
    m_discard->setAccessibleName(tr("Discard the selected dead letters"));
    m_refresh = new QPushButton(QIcon(QStringLiteral(":/icons/refresh.svg")), tr("Re&fresh"), this);
    m_refresh->setObjectName(QStringLiteral("refreshButton"));
    m_refresh->setToolTip(tr("List the dead letters again (F5)"));
    m_refresh->setAccessibleName(tr("Refresh the dead letters"));
    m_empty = new QLabel(tr("No dead letters: every batch reached object storage."), this);
    m_empty->setObjectName(QStringLiteral("deadLettersEmpty"));

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_retry);
    bar->addWidget(m_discard);
    bar->addStretch(1);
    bar->addWidget(m_empty);
    bar->addStretch(1);
    bar->addWidget(m_refresh);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);

    connect(m_retry, &QPushButton::clicked, this, &DeadLettersPage::retrySelected);
    connect(m_discard, &QPushButton::clicked, this, &DeadLettersPage::discardSelected);
    connect(m_refresh, &QPushButton::clicked, this, &DeadLettersPage::refreshRequested);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        &DeadLettersPage::updateButtons);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &DeadLettersPage::updateButtons);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &DeadLettersPage::updateButtons);
    connect(m_model, &QAbstractItemModel::modelReset, this, &DeadLettersPage::updateButtons);
    updateButtons();
}

QStringList DeadLettersPage::selectedIds() const
{
    QStringList ids;
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    for (const QModelIndex &index : rows)
        ids.append(index.data(KeyRole).toString());
    return ids;
}

void DeadLettersPage::setBusy(bool busy)
{
    m_busy = busy;
    updateButtons();
}

void DeadLettersPage::retrySelected()
{
    const QStringList ids = selectedIds();
    if (ids.isEmpty() || m_busy)
        return;
    Q_EMIT retryRequested(ids);
}

void DeadLettersPage::discardSelected()
{
    const QStringList ids = selectedIds();
    if (ids.isEmpty() || m_busy)
        return;
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Discard dead letters"),
        tr("Discard %n dead letter(s)?", nullptr, int(ids.size())), QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("discardConfirmation"));
    box->setInformativeText(
        tr("Discarding gives up on writing these messages to object storage. They stay readable "
           "only while they are in the Redis tail, and are then missing from the history for "
           "good. Retry instead if the storage problem is fixed. This cannot be undone."));
    QPushButton *discard = box->addButton(tr("Discard"), QMessageBox::DestructiveRole);
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowModality(Qt::WindowModal);
    connect(box, &QMessageBox::buttonClicked, this, [this, ids, discard](QAbstractButton *b) {
        if (b == discard)
            Q_EMIT discardRequested(ids);
    });
    box->open();
}

void DeadLettersPage::updateButtons()
{
    const bool any = !m_view->selectionModel()->selectedRows().isEmpty();
    m_retry->setEnabled(any && !m_busy);
    m_discard->setEnabled(any && !m_busy);
    m_refresh->setEnabled(!m_busy);
    m_empty->setVisible(m_model->rowCount() == 0);
}

} // namespace confab::console

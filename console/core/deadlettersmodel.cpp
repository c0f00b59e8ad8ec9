#include "core/deadlettersmodel.h"

#include "core/format.h"
#include "core/roles.h"

#include <QLocale>

namespace confab::console
{

DeadLettersModel::DeadLettersModel(QObject *parent)
    : KeyedTableModel<DeadLetter>(parent)
{
}

void DeadLettersModel::setItems(const QList<DeadLetter> &items)
{
    mergeRows(items);
}

bool DeadLettersModel::removeItem(const QString &id)
{
    return removeByKey(id);
}

void DeadLettersModel::clear()
{
    clearRows();
}

QString DeadLettersModel::idAt(int row) const
{
    if (row < 0 || row >= m_rows.size())
        return {};
    return m_rows.at(row).id;
}

int DeadLettersModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DeadLettersModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const DeadLetter &d = m_rows.at(index.row());
    const QLocale locale;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case KindColumn:
            return d.kind;
        case AppColumn:
            return appName(d.appId);
        case ConversationColumn:
            return d.convoId;
        case SeqColumn:
            return tr("%1 – %2").arg(locale.toString(d.firstSeq), locale.toString(d.lastSeq));
        case AttemptsColumn:
            return locale.toString(d.attempts);
        case ErrorColumn:
            return d.error;
        case CreatedColumn:
            return Format::dateTime(d.createdMs);
        case LastAttemptColumn:
            return Format::dateTime(d.lastAttemptMs);
        }
        return {};
    case SortRole:
        switch (index.column()) {
        case KindColumn:
            return d.kind;
        case AppColumn:
            return appName(d.appId);
        case ConversationColumn:
            return d.convoId;
        case SeqColumn:
            return d.firstSeq;
        case AttemptsColumn:
            return d.attempts;
        case ErrorColumn:
            return d.error;
        case CreatedColumn:
            return d.createdMs;
        case LastAttemptColumn:
            return d.lastAttemptMs;
        }
        return {};
    case KeyRole:
        return d.id;
    case AppIdRole:
        return d.appId;
    case Qt::ToolTipRole:
        if (index.column() == ErrorColumn)
            return d.error;
        if (index.column() == KindColumn && d.kind == QLatin1String("webhook"))
            return tr("Webhook events of this conversation that failed for the whole retry window: "
                      "retry sends them again, discard drops them.");
        if (index.column() == KindColumn && d.kind == QLatin1String("segment_flush"))
            return tr("Messages of this conversation not yet written to object storage: retry "
                      "flushes them again; they stay readable meanwhile.");
        if (index.column() == AppColumn)
            return tr("App id: %1").arg(d.appId);
        return tr("Dead letter %1").arg(d.id);
    case Qt::TextAlignmentRole:
        if (index.column() == SeqColumn || index.column() == AttemptsColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

QVariant DeadLettersModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case KindColumn:
        return tr("Kind");
    case AppColumn:
        return tr("App");
    case ConversationColumn:
        return tr("Conversation");
    case SeqColumn:
        return tr("Seq range");
    case AttemptsColumn:
        return tr("Attempts");
    case ErrorColumn:
        return tr("Error");
    case CreatedColumn:
        return tr("Created");
    case LastAttemptColumn:
        return tr("Last attempt");
    default:
        return {};
    }
}

} // namespace confab::console

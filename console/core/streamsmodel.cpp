#include "core/streamsmodel.h"

#include "core/format.h"
#include "core/roles.h"

#include <QColor>
#include <QIcon>
#include <QLocale>

namespace confab::console
{

StreamsModel::StreamsModel(QObject *parent)
    : KeyedTableModel<StreamStats>(parent)
{
}

void StreamsModel::setStreams(const QList<StreamStats> &streams)
{
    mergeRows(streams);
}

void StreamsModel::clear()
{
    clearRows();
}

void StreamsModel::setBehindThresholdMs(qint64 ms)
{
    if (ms == m_behindThresholdMs)
        return;
    m_behindThresholdMs = ms;
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

bool StreamsModel::isBehind(const StreamStats &stream) const
{
    return stream.oldestUnflushedAgeMs >= m_behindThresholdMs;
}

int StreamsModel::behindCount() const
{
    int n = 0;
    for (const StreamStats &s : m_rows)
        n += isBehind(s) ? 1 : 0;
    return n;
}

QColor StreamsModel::behindBackground()
{
    return QColor(220, 50, 47, 70);
}

QString StreamsModel::keyOf(const StreamStats &row) const
{
    return row.appId + QLatin1Char('/') + row.convoId;
}

int StreamsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant StreamsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const StreamStats &s = m_rows.at(index.row());
    const bool behind = isBehind(s);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case AppColumn:
            return appName(s.appId);
        case ConversationColumn:
            return s.convoId;
        case DepthColumn:
            return QLocale().toString(s.depth);
        case OldestColumn:
            return Format::duration(s.oldestUnflushedAgeMs);
        }
        return {};
    case SortRole:
        switch (index.column()) {
        case AppColumn:
            return appName(s.appId);
        case ConversationColumn:
            return s.convoId;
        case DepthColumn:
            return s.depth;
        case OldestColumn:
            return s.oldestUnflushedAgeMs;
        }
        return {};
    case KeyRole:
        return keyOf(s);
    case AppIdRole:
        return s.appId;
    case BehindRole:
        return behind;
    case Qt::TextAlignmentRole:
        if (index.column() == DepthColumn || index.column() == OldestColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::BackgroundRole:
        return behind ? QVariant(behindBackground()) : QVariant();
    case Qt::DecorationRole:
        if (behind && index.column() == AppColumn)
            return QIcon(QStringLiteral(":/icons/behind.svg"));
        return {};
    case Qt::ToolTipRole:
    case Qt::AccessibleDescriptionRole:
        if (behind)
            return tr("Falls behind: the oldest unflushed record is %1 old (limit %2)")
                .arg(Format::duration(s.oldestUnflushedAgeMs),
                    Format::duration(m_behindThresholdMs));
        if (index.column() == AppColumn && role == Qt::ToolTipRole)
            return tr("App id: %1").arg(s.appId);
        return {};
    default:
        return {};
    }
}

QVariant StreamsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case AppColumn:
        return tr("App");
    case ConversationColumn:
        return tr("Conversation");
    case DepthColumn:
        return tr("Depth");
    case OldestColumn:
        return tr("Oldest unflushed");
    default:
        return {};
    }
}

StreamsFilterModel::StreamsFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(SortRole);
    setDynamicSortFilter(true);
}

void StreamsFilterModel::setFilterText(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    invalidateFilter();
}

void StreamsFilterModel::setOnlyBehind(bool only)
{
    if (only == m_onlyBehind)
        return;
    m_onlyBehind = only;
    invalidateFilter();
}

bool StreamsFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QAbstractItemModel *src = sourceModel();
    if (m_onlyBehind
        && !src->index(sourceRow, StreamsModel::AppColumn, sourceParent).data(BehindRole).toBool())
        return false;
    if (m_text.isEmpty())
        return true;
    const QString app
        = src->index(sourceRow, StreamsModel::AppColumn, sourceParent).data().toString();
    const QString convo
        = src->index(sourceRow, StreamsModel::ConversationColumn, sourceParent).data().toString();
    const QString appId
        = src->index(sourceRow, StreamsModel::AppColumn, sourceParent).data(AppIdRole).toString();
    return app.contains(m_text, Qt::CaseInsensitive) || convo.contains(m_text, Qt::CaseInsensitive)
        || appId.contains(m_text, Qt::CaseInsensitive);
}

} // namespace confab::console

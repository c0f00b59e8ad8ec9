#include "core/nodesmodel.h"

#include "core/roles.h"

#include <QFont>
#include <QLocale>

namespace confab::console
{

NodesModel::NodesModel(QObject *parent)
    : KeyedTableModel<NodeStats>(parent)
{
}

void NodesModel::setNodes(const QList<NodeStats> &nodes, const QString &answeringNodeId)
{
    m_answeringNodeId = answeringNodeId;
    mergeRows(nodes);
}

void NodesModel::clear()
{
    clearRows();
}

int NodesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant NodesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const NodeStats &n = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        if (index.column() == NodeColumn)
            return n.nodeId;
        return QLocale().toString(n.connections);
    case SortRole:
        if (index.column() == NodeColumn)
            return n.nodeId;
        return n.connections;
    case KeyRole:
        return n.nodeId;
    case Qt::TextAlignmentRole:
        if (index.column() == ConnectionsColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::FontRole:
        if (n.nodeId == m_answeringNodeId) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case Qt::ToolTipRole:
        if (n.nodeId == m_answeringNodeId)
            return tr("The node this console is connected to");
        return {};
    default:
        return {};
    }
}

QVariant NodesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NodeColumn:
        return tr("Node");
    case ConnectionsColumn:
        return tr("Connections");
    default:
        return {};
    }
}

} // namespace confab::console

#pragma once

#include "core/keyedtablemodel.h"
#include "core/stats.h"

namespace confab::console
{

// The live nodes of the deployment from the latest stats frame.
class NodesModel : public KeyedTableModel<NodeStats>
{
    Q_OBJECT

public:
    enum Column { NodeColumn, ConnectionsColumn, ColumnCount };

    explicit NodesModel(QObject *parent = nullptr);

    void setNodes(const QList<NodeStats> &nodes, const QString &answeringNodeId = {});
    void clear();

    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QVariant headerData(
        int section, Qt::Orientation orientation, int role) const override;

protected:
    [[nodiscard]] QString keyOf(const NodeStats &row) const override { return row.nodeId; }

private:
    QString m_answeringNodeId;
};

} // namespace confab::console

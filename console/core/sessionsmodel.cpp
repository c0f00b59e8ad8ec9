#include "core/sessionsmodel.h"

#include "core/format.h"
#include "core/roles.h"

#include <QJsonArray>

namespace confab::console
{

SessionsModel::SessionsModel(QObject *parent)
    : KeyedTableModel<UserSession>(parent)
{
}

void SessionsModel::setUser(const QJsonObject &answer)
{
    UserSummary s;
    s.appId = answer.value(QLatin1String("app_id")).toString();
    s.userId = answer.value(QLatin1String("user_id")).toString();
    s.online = answer.value(QLatin1String("online")).toBool();
    s.sessionCount = answer.value(QLatin1String("session_count")).toInt();
    s.connectedSinceMs = qint64(answer.value(QLatin1String("connected_since_ms")).toDouble());
    s.lastSeenMs = qint64(answer.value(QLatin1String("last_seen_ms")).toDouble());
    for (const QJsonValue &n : answer.value(QLatin1String("nodes")).toArray())
        s.nodes.append(n.toString());
    QList<UserSession> rows;
    for (const QJsonValue &v : answer.value(QLatin1String("sessions")).toArray()) {
        const QJsonObject o = v.toObject();
        UserSession row;
        row.sessionId = o.value(QLatin1String("session_id")).toString();
        row.nodeId = o.value(QLatin1String("node_id")).toString();
        row.connectedMs = qint64(o.value(QLatin1String("connected_ms")).toDouble());
        if (!row.sessionId.isEmpty())
            rows.append(row);
    }
    m_summary = s;
    mergeRows(rows);
}

void SessionsModel::clear()
{
    m_summary = {};
    clearRows();
}

int SessionsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SessionsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const UserSession &s = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case SessionColumn:
            return s.sessionId;
        case NodeColumn:
            return s.nodeId.isEmpty() ? tr("unknown") : s.nodeId;
        case ConnectedColumn:
            return s.connectedMs > 0 ? Format::dateTime(s.connectedMs) : tr("unknown");
        }
        return {};
    case SortRole:
        switch (index.column()) {
        case SessionColumn:
            return s.sessionId;
        case NodeColumn:
            return s.nodeId;
        case ConnectedColumn:
            return s.connectedMs;
        }
        return {};
    case KeyRole:
        return s.sessionId;
    default:
        return {};
    }
}

QVariant SessionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case SessionColumn:
        return tr("Session");
    case NodeColumn:
        return tr("Node");
    case ConnectedColumn:
        return tr("Connected since");
    default:
        return {};
    }
}

} // namespace confab::console

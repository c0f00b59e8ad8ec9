#include "core/membersmodel.h"

#include "core/roles.h"

#include <QJsonArray>
#include <QLocale>

namespace confab::console
{

MembersModel::MembersModel(QObject *parent)
    : KeyedTableModel<MemberMarks>(parent)
{
}

void MembersModel::setConversation(const QJsonObject &answer)
{
    ConversationInfo i;
    i.appId = answer.value(QLatin1String("app_id")).toString();
    i.convoId = answer.value(QLatin1String("convo_id")).toString();
    i.kind = answer.value(QLatin1String("kind")).toString();
    i.title = answer.value(QLatin1String("title")).toString();
    i.ownerId = answer.value(QLatin1String("owner_id")).toString();
    i.createdMs = qint64(answer.value(QLatin1String("created_ms")).toDouble());
    i.lastSeq = qint64(answer.value(QLatin1String("last_seq")).toDouble());
    i.membersTotal = answer.value(QLatin1String("members_total")).toInt();
    const QJsonObject flush = answer.value(QLatin1String("flush")).toObject();
    i.flushedSeq = qint64(flush.value(QLatin1String("flushed_seq")).toDouble());
    i.unflushed = qint64(flush.value(QLatin1String("unflushed")).toDouble());
    i.streamDepth = qint64(flush.value(QLatin1String("stream_depth")).toDouble());
    const QJsonValue oldest = flush.value(QLatin1String("oldest_unflushed_ms"));
    i.oldestUnflushedMs = oldest.isDouble() ? qint64(oldest.toDouble()) : -1;
    QList<MemberMarks> rows;
    for (const QJsonValue &v : answer.value(QLatin1String("members")).toArray()) {
        const QJsonObject o = v.toObject();
        MemberMarks m;
        m.userId = o.value(QLatin1String("user_id")).toString();
        m.deliveredSeq = qint64(o.value(QLatin1String("delivered_seq")).toDouble());
        m.readSeq = qint64(o.value(QLatin1String("read_seq")).toDouble());
        if (!m.userId.isEmpty())
            rows.append(m);
    }
    // Unread depends on last_seq: every row may change even when its marks did not.
    m_info = i;
    mergeRows(rows);
}

void MembersModel::clear()
{
    m_info = {};
    clearRows();
}

int MembersModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

qint64 MembersModel::valueAt(const MemberMarks &m, int column) const
{
    switch (column) {
    case DeliveredColumn:
        return m.deliveredSeq;
    case ReadColumn:
        return m.readSeq;
    case UnreadColumn:
        return std::max<qint64>(0, m_info.lastSeq - m.readSeq);
    default:
        return 0;
    }
}

QVariant MembersModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const MemberMarks &m = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        if (index.column() == UserColumn)
            return m.userId;
        return QLocale().toString(valueAt(m, index.column()));
    case SortRole:
        if (index.column() == UserColumn)
            return m.userId;
        return valueAt(m, index.column());
    case KeyRole:
        return m.userId;
    case Qt::TextAlignmentRole:
        if (index.column() != UserColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

QVariant MembersModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case UserColumn:
        return tr("Member");
    case DeliveredColumn:
        return tr("Delivered up to");
    case ReadColumn:
        return tr("Read up to");
    case UnreadColumn:
        return tr("Unread");
    default:
        return {};
    }
}

} // namespace confab::console

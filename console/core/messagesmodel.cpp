#include "core/messagesmodel.h"

#include "core/format.h"
#include "core/roles.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>

namespace confab::console
{

namespace
{
constexpr int kMaxShownChars = 500; // the table shows the start; the tooltip a little more
}

MessagesModel::MessagesModel(QObject *parent)
    : KeyedTableModel<MessageRow>(parent)
{
}

QList<MessageRow> MessagesModel::parse(const QJsonObject &answer)
{
    QList<MessageRow> rows;
    for (const QJsonValue &v : answer.value(QLatin1String("messages")).toArray()) {
        const QJsonObject o = v.toObject();
        MessageRow row;
        row.seq = qint64(o.value(QLatin1String("seq_no")).toDouble());
        row.senderId = o.value(QLatin1String("sender_id")).toString();
        row.ts = qint64(o.value(QLatin1String("ts")).toDouble());
        const QJsonValue content = o.value(QLatin1String("content"));
        if (content.isString())
            row.content = content.toString();
        else if (content.isObject())
            row.content = QString::fromUtf8(QJsonDocument(content.toObject()).toJson(QJsonDocument::Compact));
        else if (content.isArray())
            row.content = QString::fromUtf8(QJsonDocument(content.toArray()).toJson(QJsonDocument::Compact));
        else
            row.content = QString::fromUtf8(QJsonDocument(QJsonArray { content }).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
        if (row.seq > 0)
            rows.append(row);
    }
    std::sort(rows.begin(), rows.end(), [](const MessageRow &a, const MessageRow &b) { return a.seq < b.seq; });
    return rows;
}

void MessagesModel::setLatest(const QJsonObject &answer)
{
    const QList<MessageRow> rows = parse(answer);
    m_nextBeforeSeq = qint64(answer.value(QLatin1String("next_before_seq")).toDouble());
    beginResetModel();
    m_rows = rows;
    endResetModel();
}

void MessagesModel::prependOlder(const QJsonObject &answer)
{
    const qint64 firstShown = m_rows.isEmpty() ? std::numeric_limits<qint64>::max() : m_rows.first().seq;
    QList<MessageRow> older;
    for (const MessageRow &r : parse(answer)) {
        if (r.seq < firstShown)
            older.append(r);
    }
    m_nextBeforeSeq = qint64(answer.value(QLatin1String("next_before_seq")).toDouble());
    if (older.isEmpty())
        return;
    beginInsertRows({}, 0, int(older.size()) - 1);
    m_rows = older + m_rows;
    endInsertRows();
}

void MessagesModel::clear()
{
    m_nextBeforeSeq = 0;
    clearRows();
}

int MessagesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant MessagesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const MessageRow &m = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case SeqColumn:
            return QLocale().toString(m.seq);
        case SenderColumn:
            return m.senderId;
        case TimeColumn:
            return Format::dateTime(m.ts);
        case ContentColumn:
            return m.content.left(kMaxShownChars).replace(QLatin1Char('\n'), QLatin1Char(' '));
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == ContentColumn)
            return m.content.left(4 * kMaxShownChars);
        return {};
    case SortRole:
        switch (index.column()) {
        case SeqColumn:
            return m.seq;
        case SenderColumn:
            return m.senderId;
        case TimeColumn:
            return m.ts;
        case ContentColumn:
            return m.content;
        }
        return {};
    case KeyRole:
        return m.seq;
    case Qt::TextAlignmentRole:
        if (index.column() == SeqColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

QVariant MessagesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case SeqColumn:
        return tr("Seq");
    case SenderColumn:
        return tr("Sender");
    case TimeColumn:
        return tr("Sent");
    case ContentColumn:
        return tr("Content");
    default:
        return {};
    }
}

} // namespace confab::console

#include "core/keysmodel.h"

#include "core/format.h"
#include "core/roles.h"

#include <QJsonArray>

#include <limits>

namespace confab::console
{

KeysModel::KeysModel(QObject *parent)
    : KeyedTableModel<KeyRow>(parent)
{
}

void KeysModel::setKeys(const QJsonObject &listAnswer)
{
    QList<KeyRow> rows;
    const QJsonArray keys = listAnswer.value(QLatin1String("keys")).toArray();
    for (const QJsonValue &v : keys) {
        const QJsonObject o = v.toObject();
        KeyRow k;
        k.keyId = o.value(QLatin1String("key_id")).toString();
        if (k.keyId.isEmpty())
            continue;
        k.label = o.value(QLatin1String("label")).toString();
        k.createdMs = qint64(o.value(QLatin1String("created_ms")).toDouble());
        k.lastUsedMs = qint64(o.value(QLatin1String("last_used_ms")).toDouble());
        k.expiresMs = qint64(o.value(QLatin1String("expires_ms")).toDouble());
        rows.append(k);
    }
    mergeRows(rows);
}

void KeysModel::clear()
{
    clearRows();
}

int KeysModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant KeysModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const KeyRow &k = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case LabelColumn:
            return k.label;
        case IdColumn:
            return k.keyId;
        case CreatedColumn:
            return Format::dateTime(k.createdMs);
        case LastUsedColumn:
            return k.lastUsedMs > 0 ? Format::dateTime(k.lastUsedMs) : tr("not recorded");
        case ExpiresColumn:
            return k.expiresMs > 0 ? Format::dateTime(k.expiresMs) : tr("never");
        default:
            return {};
        }
    case SortRole:
        switch (index.column()) {
        case CreatedColumn:
            return k.createdMs;
        case LastUsedColumn:
            return k.lastUsedMs;
        case ExpiresColumn:
            return k.expiresMs > 0 ? k.expiresMs : std::numeric_limits<qint64>::max();
        default:
            return data(index, Qt::DisplayRole);
        }
    case KeyRole:
        return k.keyId;
    case Qt::ToolTipRole:
        if (index.column() == ExpiresColumn && k.expiresMs > 0)
            return tr("Rotated: this key stops working at %1").arg(Format::dateTime(k.expiresMs));
        return {};
    default:
        return {};
    }
}

QVariant KeysModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case LabelColumn:
        return tr("Label");
    case IdColumn:
        return tr("Key id");
    case CreatedColumn:
        return tr("Created");
    case LastUsedColumn:
        return tr("Last used");
    case ExpiresColumn:
        return tr("Expires");
    default:
        return {};
    }
}

} // namespace confab::console

#pragma once

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QSet>

namespace confab::console
{

// A table whose rows are identified by a key. Every stats frame replaces the rows, and
// merging (remove gone, update kept, append new) instead of resetting keeps the user's
// selection, scroll position and sort order stable at one frame per second.
template <typename Row> class KeyedTableModel : public QAbstractTableModel
{
public:
    using QAbstractTableModel::QAbstractTableModel;

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : int(m_rows.size());
    }
    [[nodiscard]] const QList<Row> &rows() const { return m_rows; }

    // App names by id, for models with an app column: the name is shown, the id is in the
    // tooltip and AppIdRole. An id without a name shows as the id.
    void setAppNames(const QHash<QString, QString> &names)
    {
        if (names == m_appNames)
            return;
        m_appNames = names;
        if (!m_rows.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, columnCount() - 1));
    }

protected:
    [[nodiscard]] virtual QString keyOf(const Row &row) const = 0;

    void mergeRows(const QList<Row> &incoming)
    {
        QHash<QString, qsizetype> wanted;
        for (qsizetype i = 0; i < incoming.size(); ++i)
            wanted.insert(keyOf(incoming.at(i)), i);

        // Remove from the end so earlier row numbers stay valid, a contiguous run at a time.
        qsizetype i = m_rows.size() - 1;
        while (i >= 0) {
            if (wanted.contains(keyOf(m_rows.at(i)))) {
                --i;
                continue;
            }
            qsizetype first = i;
            while (first > 0 && !wanted.contains(keyOf(m_rows.at(first - 1))))
                --first;
            beginRemoveRows({}, int(first), int(i));
            m_rows.remove(first, i - first + 1);
            endRemoveRows();
            i = first - 1;
        }

        QSet<QString> kept;
        for (Row &row : m_rows) {
            const QString key = keyOf(row);
            row = incoming.at(wanted.value(key));
            kept.insert(key);
        }
        if (!m_rows.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, columnCount() - 1));

        QList<Row> added;
        for (const Row &row : incoming) {
            const QString key = keyOf(row);
            if (kept.contains(key))
                continue;
            kept.insert(key);
            added.append(row);
        }
        if (!added.isEmpty()) {
            const int first = int(m_rows.size());
            beginInsertRows({}, first, first + int(added.size()) - 1);
            m_rows.append(added);
            endInsertRows();
        }
    }

    bool removeByKey(const QString &key)
    {
        for (qsizetype i = 0; i < m_rows.size(); ++i) {
            if (keyOf(m_rows.at(i)) == key) {
                beginRemoveRows({}, int(i), int(i));
                m_rows.removeAt(i);
                endRemoveRows();
                return true;
            }
        }
        return false;
    }

    void clearRows()
    {
        if (m_rows.isEmpty())
            return;
        beginRemoveRows({}, 0, int(m_rows.size()) - 1);
        m_rows.clear();
        endRemoveRows();
    }

    [[nodiscard]] QString appName(const QString &appId) const
    {
        const QString name = m_appNames.value(appId);
        return name.isEmpty() ? appId : name;
    }

    QList<Row> m_rows;
    QHash<QString, QString> m_appNames;
};

} // namespace confab::console

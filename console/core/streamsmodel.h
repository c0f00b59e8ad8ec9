#pragma once

#include "core/keyedtablemodel.h"
#include "core/stats.h"

#include <QSortFilterProxyModel>

namespace confab::console
{

// The deepest streams per app and conversation from the latest stats frame.
class StreamsModel : public KeyedTableModel<StreamStats>
{
    Q_OBJECT

public:
    enum Column { AppColumn, ConversationColumn, DepthColumn, OldestColumn, ColumnCount };

    explicit StreamsModel(QObject *parent = nullptr);

    void setStreams(const QList<StreamStats> &streams);
    void clear();

    // A stream whose oldest unflushed record is at least this old falls behind. The default
    // is twice the server's default [segments] max_age: a healthy stream never gets there.
    void setBehindThresholdMs(qint64 ms);
    [[nodiscard]] qint64 behindThresholdMs() const { return m_behindThresholdMs; }
    [[nodiscard]] bool isBehind(const StreamStats &stream) const;
    [[nodiscard]] int behindCount() const;

    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QVariant headerData(
        int section, Qt::Orientation orientation, int role) const override;

    // Translucent so the row stays readable on light and dark palettes alike.
    [[nodiscard]] static QColor behindBackground();

protected:
    [[nodiscard]] QString keyOf(const StreamStats &row) const override;

private:
    qint64 m_behindThresholdMs = 60'000;
};

// Filters streams by a text matched against app and conversation, optionally only those
// that fall behind; sorts numerically through SortRole.
class StreamsFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit StreamsFilterModel(QObject *parent = nullptr);

    void setFilterText(const QString &text);
    [[nodiscard]] QString filterText() const { return m_text; }
    void setOnlyBehind(bool only);
    [[nodiscard]] bool onlyBehind() const { return m_onlyBehind; }

protected:
    [[nodiscard]] bool filterAcceptsRow(
        int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_text;
    bool m_onlyBehind = false;
};

} // namespace confab::console

#pragma once

#include "core/keyedtablemodel.h"
#include "core/stats.h"

namespace confab::console
{

// Batches the server could not write to object storage, as listed by dead_letters.list.
class DeadLettersModel : public KeyedTableModel<DeadLetter>
{
    Q_OBJECT

public:
    enum Column {
        KindColumn,
        AppColumn,
        ConversationColumn,
        SeqColumn,
        AttemptsColumn,
        ErrorColumn,
        CreatedColumn,
        LastAttemptColumn,
        ColumnCount
    };

    explicit DeadLettersModel(QObject *parent = nullptr);

    void setItems(const QList<DeadLetter> &items);
    // After a successful retry or discard, without waiting for the next listing.
    bool removeItem(const QString &id);
    void clear();
    [[nodiscard]] QString idAt(int row) const;

    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QVariant headerData(
        int section, Qt::Orientation orientation, int role) const override;

protected:
    [[nodiscard]] QString keyOf(const DeadLetter &row) const override { return row.id; }
};

} // namespace confab::console

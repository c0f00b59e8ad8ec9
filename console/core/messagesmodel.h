#pragma once

#include "core/keyedtablemodel.h"

#include <QJsonObject>

namespace confab::console
{

struct MessageRow {
    qint64 seq = 0;
    QString senderId;
    qint64 ts = 0;
    QString content; // the content as compact JSON (a string's text as is)
};

// A conversation's messages as the inspector pages them backwards: the newest page first
// (setLatest), then older pages put above it (prependOlder). Rows stay in seq_no order.
class MessagesModel : public KeyedTableModel<MessageRow>
{
    Q_OBJECT

public:
    enum Column { SeqColumn, SenderColumn, TimeColumn, ContentColumn, ColumnCount };

    explicit MessagesModel(QObject *parent = nullptr);

    // A `messages` answer: replaces the rows with the newest page.
    void setLatest(const QJsonObject &answer);
    // A `messages` answer for before_seq = nextBeforeSeq(): its rows go above the others;
    // rows already shown are skipped.
    void prependOlder(const QJsonObject &answer);
    void clear();
    // before_seq of the next older page; 0 when the start is shown.
    [[nodiscard]] qint64 nextBeforeSeq() const { return m_nextBeforeSeq; }

    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

protected:
    [[nodiscard]] QString keyOf(const MessageRow &row) const override { return QString::number(row.seq); }

private:
    static QList<MessageRow> parse(const QJsonObject &answer);
    qint64 m_nextBeforeSeq = 0;
};

} // namespace confab::console

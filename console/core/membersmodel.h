#pragma once

#include "core/keyedtablemodel.h"

#include <QJsonObject>

namespace confab::console
{

struct MemberMarks {
    QString userId;
    qint64 deliveredSeq = 0;
    qint64 readSeq = 0;
};

// A `conversation` answer (docs/protocol.md, "Operator actions"), without its members.
struct ConversationInfo {
    QString appId;
    QString convoId;
    QString kind;
    QString title;
    QString ownerId;
    qint64 createdMs = 0;
    qint64 lastSeq = 0;
    int membersTotal = 0;
    qint64 flushedSeq = 0;
    qint64 unflushed = 0;
    qint64 streamDepth = 0;
    qint64 oldestUnflushedMs = -1; // -1: nothing unflushed
};

// A conversation's members with their delivered and read watermarks, from a
// conversation.inspect answer; Unread is last_seq minus the read watermark.
class MembersModel : public KeyedTableModel<MemberMarks>
{
    Q_OBJECT

public:
    enum Column { UserColumn, DeliveredColumn, ReadColumn, UnreadColumn, ColumnCount };

    explicit MembersModel(QObject *parent = nullptr);

    void setConversation(const QJsonObject &answer);
    void clear();
    [[nodiscard]] const ConversationInfo &info() const { return m_info; }

    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

protected:
    [[nodiscard]] QString keyOf(const MemberMarks &row) const override { return row.userId; }

private:
    [[nodiscard]] qint64 valueAt(const MemberMarks &m, int column) const;
    ConversationInfo m_info;
};

} // namespace confab::console

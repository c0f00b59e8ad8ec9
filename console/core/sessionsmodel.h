#pragma once

#include "core/keyedtablemodel.h"

#include <QJsonObject>
#include <QStringList>

namespace confab::console
{

struct UserSession {
    QString sessionId;
    QString nodeId;        // empty when the server did not say (an older node)
    qint64 connectedMs = 0; // 0 when unknown
};

// A `user` answer (docs/protocol.md, "Operator actions"), without its sessions.
struct UserSummary {
    QString appId;
    QString userId;
    bool online = false;
    int sessionCount = 0;
    qint64 connectedSinceMs = 0; // 0: none
    qint64 lastSeenMs = 0;       // 0: never seen
    QStringList nodes;
};

// The live sessions of one user on every node, from a user.lookup answer.
class SessionsModel : public KeyedTableModel<UserSession>
{
    Q_OBJECT

public:
    enum Column { SessionColumn, NodeColumn, ConnectedColumn, ColumnCount };

    explicit SessionsModel(QObject *parent = nullptr);

    // Takes a `user` answer: the summary and the sessions (merged by session id).
    void setUser(const QJsonObject &answer);
    void clear();
    [[nodiscard]] const UserSummary &summary() const { return m_summary; }

    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

protected:
    [[nodiscard]] QString keyOf(const UserSession &row) const override { return row.sessionId; }

private:
    UserSummary m_summary;
};

} // namespace confab::console

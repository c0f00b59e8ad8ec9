#pragma once

#include "confab/expected.h"

#include <QByteArray>
#include <QFuture>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace confab::store {
class Database;
}

namespace confab::webhooks {

// Event types (PROTOCOL.md section 9).
inline const QString kMessageOffline = QStringLiteral("message.offline");
inline const QString kConversationCreated = QStringLiteral("conversation.created");
inline const QString kMemberAdded = QStringLiteral("member.added");
inline const QString kMemberRemoved = QStringLiteral("member.removed");
[[nodiscard]] const QStringList &eventTypes();

// One pending event, as claimed for sending.
struct Delivery {
    qint64 seq = 0;         // order of creation (and the dead letter's first_seq/last_seq)
    QString id;             // evt_..., the Confab-Event-Id of every attempt
    QString appId;
    QString type;
    QString userId;         // empty for conversation.created
    QString convoId;
    QByteArray data;        // the event's "data" object, JSON
    qint64 createdMs = 0;   // the body's "ts"
    qint64 windowStartMs = 0; // the retry window runs from here (a retried dead letter restarts it)
    int attempts = 0;       // failed attempts so far
};

// The webhook_deliveries table (docs/webhooks.md, "Storage"): every event waits here until
// its endpoint answers 2xx. Nodes claim due rows with FOR UPDATE SKIP LOCKED and a lease, so
// two nodes never send one event at once and a dead node's claims expire; only the oldest
// live event of each (app, user, conversation) can be claimed, which keeps their order.
class DeliveryRepository
{
public:
    explicit DeliveryRepository(store::Database *db);

    // A membership event, due now.
    QFuture<Status> enqueue(QString appId, QString type, QString userId, QString convoId, QByteArray data);
    // message.offline for each of users: joins the user's open (coalescing) event of this
    // conversation, or opens one due after coalesceMs. The event keeps a count and the 3
    // envelopes of highest seq_no. One statement whatever the number of users.
    QFuture<Status> enqueueOffline(QString appId, QString convoId, QStringList users, QByteArray envelope,
                                   qint64 coalesceMs);
    // Due events, oldest first, at most `limit`, and per app at most freeSlots[app] (default
    // perApp); leased to node for leaseMs. Closes the coalescing window of what it claims.
    QFuture<Expected<QList<Delivery>>> claim(QString node, int limit, int perApp, QHash<QString, int> freeSlots,
                                             qint64 leaseMs);
    QFuture<Status> delivered(qint64 seq);
    // A failed attempt: due again at dueMs, or dead (out of the rotation) when dueMs < 0.
    QFuture<Status> failed(qint64 seq, int attempts, qint64 dueMs, QString error);
    // The dead events of (app, conversation) go back to the queue with a new retry window.
    QFuture<Expected<int>> requeueDead(QString appId, QString convoId);
    QFuture<Expected<int>> discardDead(QString appId, QString convoId);
    // Events waiting (not dead), deployment-wide.
    QFuture<Expected<qint64>> pending();

private:
    store::Database *m_db;
};

} // namespace confab::webhooks

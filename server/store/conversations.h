#pragma once

#include "confab/expected.h"

#include <QFuture>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace confab::store {

class Database;

struct Conversation
{
    QString appId;
    QString id;          // generated ("c_" + lowercase ULID) when empty
    QString kind;        // "direct" or "group"
    QString title;
    QString ownerId;
    QStringList members; // sorted
    qint64 createdMs = 0;
    qint64 createdUs = 0; // the exact creation time, for list cursors
};

// Where a listing continues: after this conversation in (created, id) order.
struct ListCursor
{
    qint64 createdUs = 0;
    QString id;
};

struct ConversationPage
{
    QList<Conversation> items;        // oldest first
    std::optional<ListCursor> next;   // absent on the last page
};

struct CreatedConversation
{
    Conversation conversation;
    bool created = true;
};

// The conversations and members tables.
class ConversationRepository
{
public:
    explicit ConversationRepository(Database *db);

    // direct: exactly two distinct members (else BadRequest); the same pair in an app is
    // created once, even under concurrent creates: the later calls return the first with
    // created=false. An explicit id that exists with a different kind or members answers
    // Conflict; with the same ones, created=false.
    QFuture<Expected<CreatedConversation>> create(Conversation c);
    QFuture<Expected<Conversation>> get(QString appId, QString convoId); // NotFound
    // Oldest first, at most limit, after `after` when given.
    QFuture<Expected<ConversationPage>> listForApp(QString appId, int limit,
                                                   std::optional<ListCursor> after = std::nullopt);
    QFuture<Expected<ConversationPage>> listForUser(QString appId, QString userId, int limit,
                                                    std::optional<ListCursor> after = std::nullopt);
    QFuture<Expected<QStringList>> conversationIdsForUser(QString appId, QString userId);
    QFuture<Expected<bool>> isMember(QString appId, QString convoId, QString userId);
    // false: was already a member; NotFound: no such conversation.
    QFuture<Expected<bool>> addMember(QString appId, QString convoId, QString userId);
    // false: was not a member.
    QFuture<Expected<bool>> removeMember(QString appId, QString convoId, QString userId);
    // The candidates who share at least one conversation with userId (userId itself counts if
    // it is a candidate and a member of anything), for presence. Sorted.
    QFuture<Expected<QStringList>> usersSharingConversation(QString appId, QString userId,
                                                            QStringList candidates);

private:
    Database *m_db;
};

} // namespace confab::store

#include "store/conversations.h"

#include "confab/ids.h"
#include "store/database.h"
#include "store/sql.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <optional>

namespace confab::store {

namespace {

// The tables' columns and statements, in one place. Members come back as one JSON array per
// conversation, so listing n conversations is one query, not n + 1.
const QString kColumns = QStringLiteral(
    "c.app_id, c.id, c.kind, c.title, c.owner_id, %1,"
    " (SELECT coalesce(json_agg(m.user_id), '[]') FROM members m"
    "  WHERE m.app_id = c.app_id AND m.convo_id = c.id)::text,"
    " (extract(epoch FROM c.created_at) * 1000000)::bigint")
                             .arg(sql::msOf("c.created_at"));

QString selectWhere(const char *condition, const char *tail = "")
{
    return QStringLiteral("SELECT %1 FROM conversations c WHERE %2 ORDER BY c.created_at, c.id%3")
        .arg(kColumns, QLatin1String(condition), QLatin1String(tail));
}

const QString kSelectOne = selectWhere("c.app_id = :app AND c.id = :id");
const QString kSelectByDirectKey = selectWhere("c.app_id = :app AND c.direct_key = :key");
// Keyset pages in (created_at, id) order; :after_us is exact (timestamptz is whole microseconds).
#define CONFAB_AFTER_CURSOR \
    " AND (c.created_at, c.id) > (timestamptz 'epoch' + :after_us * interval '1 microsecond', :after_id)"
const QString kSelectForApp = selectWhere("c.app_id = :app" CONFAB_AFTER_CURSOR, " LIMIT :limit");
const QString kSelectForUser = selectWhere(
    "c.app_id = :app AND EXISTS (SELECT 1 FROM members m"
    " WHERE m.app_id = c.app_id AND m.convo_id = c.id AND m.user_id = :user)" CONFAB_AFTER_CURSOR,
    " LIMIT :limit");
#undef CONFAB_AFTER_CURSOR
const QString kInsert = QStringLiteral(
    "INSERT INTO conversations (app_id, id, kind, title, owner_id, direct_key)"
    " VALUES (:app, :id, :kind, :title, :owner, :key) ON CONFLICT DO NOTHING RETURNING id");
// One statement for all members: a group's members arrive in a single round trip.
const QString kInsertMembers = QStringLiteral(
    "INSERT INTO members (app_id, convo_id, user_id)"
    " SELECT :app, :id, u FROM json_array_elements_text(CAST(:users AS json)) AS u"
    " ON CONFLICT DO NOTHING");
const QString kConversationExists =
    QStringLiteral("SELECT 1 FROM conversations WHERE app_id = :app AND id = :id");
const QString kAddMember = QStringLiteral(
    "INSERT INTO members (app_id, convo_id, user_id) VALUES (:app, :id, :user) ON CONFLICT DO NOTHING");
const QString kRemoveMember =
    QStringLiteral("DELETE FROM members WHERE app_id = :app AND convo_id = :id AND user_id = :user");
const QString kIsMember = QStringLiteral(
    "SELECT EXISTS (SELECT 1 FROM members WHERE app_id = :app AND convo_id = :id AND user_id = :user)");
const QString kIdsForUser = QStringLiteral(
    "SELECT convo_id FROM members WHERE app_id = :app AND user_id = :user ORDER BY convo_id");
const QString kSharing = QStringLiteral(
    "SELECT DISTINCT other.user_id FROM members mine"
    " JOIN members other ON other.app_id = mine.app_id AND other.convo_id = mine.convo_id"
    " WHERE mine.app_id = :app AND mine.user_id = :user"
    " AND other.user_id IN (SELECT json_array_elements_text(CAST(:candidates AS json)))");

QStringList sortedUnique(QStringList list)
{
    list.sort();
    list.erase(std::unique(list.begin(), list.end()), list.end());
    return list;
}

// A direct pair's identity within its app: its two members in order, as a JSON array, which
// cannot be ambiguous whatever characters a user id holds.
QString directKey(const QStringList &sortedMembers)
{
    return sql::jsonList(sortedMembers);
}

Conversation fromRow(const QSqlQuery &q)
{
    Conversation c;
    c.appId = q.value(0).toString();
    c.id = q.value(1).toString();
    c.kind = q.value(2).toString();
    c.title = q.value(3).toString();
    c.ownerId = q.value(4).toString();
    c.createdMs = q.value(5).toLongLong();
    c.createdUs = q.value(7).toLongLong();
    const QJsonArray members = QJsonDocument::fromJson(q.value(6).toString().toUtf8()).array();
    for (const QJsonValue &m : members)
        c.members.append(m.toString());
    c.members.sort();
    return c;
}

// A page of at most limit from a query that asked for limit + 1.
ConversationPage pageOf(QSqlQuery q, int limit)
{
    ConversationPage page;
    while (q.next())
        page.items.append(fromRow(q));
    if (page.items.size() > limit) {
        page.items.resize(limit);
        page.next = ListCursor{page.items.constLast().createdUs, page.items.constLast().id};
    }
    return page;
}

Expected<std::optional<Conversation>> selectOne(QSqlDatabase &db, const QString &stmt,
                                                std::initializer_list<sql::Binding> bindings,
                                                const QString &what)
{
    auto q = sql::exec(db, stmt, bindings, what);
    if (!q)
        return q.error();
    if (!q->next())
        return std::optional<Conversation>();
    return std::optional<Conversation>(fromRow(*q));
}

Expected<CreatedConversation> createConversation(QSqlDatabase &db, Conversation c)
{
    c.members = sortedUnique(c.members);
    const bool direct = c.kind == QLatin1String("direct");
    if (!direct && c.kind != QLatin1String("group"))
        return Error::badRequest(QStringLiteral("a conversation's kind is \"direct\" or \"group\""));
    if (direct && c.members.size() != 2)
        return Error::badRequest(QStringLiteral("a direct conversation has exactly two distinct members"));
    const bool explicitId = !c.id.isEmpty();
    if (!explicitId)
        c.id = QStringLiteral("c_") + QString::fromLatin1(newUlid()).toLower();
    const QString key = direct ? directKey(c.members) : QString();
    const QString what = QStringLiteral("creating conversation '%1' in app '%2'").arg(c.id, c.appId);

    sql::Transaction tx(db);
    if (Status s = tx.begin(what); !s)
        return s.error();
    // A concurrent insert of the same key makes this wait for that transaction and then do
    // nothing; the SELECTs below (READ COMMITTED: a new snapshot each) then see its rows.
    auto inserted = sql::exec(db, kInsert,
                              {{"app", c.appId},
                               {"id", c.id},
                               {"kind", c.kind},
                               {"title", c.title},
                               {"owner", c.ownerId},
                               {"key", sql::nullIfEmpty(key)}},
                              what);
    if (!inserted)
        return inserted.error();
    if (inserted->next()) {
        if (auto m = sql::exec(db, kInsertMembers, {{"app", c.appId}, {"id", c.id}, {"users", sql::jsonList(c.members)}},
                               what);
            !m)
            return m.error();
        auto created = selectOne(db, kSelectOne, {{"app", c.appId}, {"id", c.id}}, what);
        if (!created)
            return created.error();
        if (Status s = tx.commit(what); !s)
            return s.error();
        return CreatedConversation{created->value_or(c), true};
    }

    if (direct) {
        auto existing = selectOne(db, kSelectByDirectKey, {{"app", c.appId}, {"key", key}}, what);
        if (!existing)
            return existing.error();
        // The pair already has its conversation: that is the answer, whatever id was asked for.
        if (existing->has_value())
            return CreatedConversation{**existing, false};
    }
    auto existing = selectOne(db, kSelectOne, {{"app", c.appId}, {"id", c.id}}, what);
    if (!existing)
        return existing.error();
    if (!existing->has_value())
        return Error::conflict(what + QStringLiteral(": a conflicting conversation changed meanwhile; try again"));
    const Conversation &found = **existing;
    if (found.kind != c.kind || found.members != c.members)
        return Error::conflict(
            QStringLiteral("conversation '%1' already exists with other kind or members").arg(c.id));
    return CreatedConversation{found, false};
}

Expected<bool> insertMember(QSqlDatabase &db, const QString &appId, const QString &convoId, const QString &userId)
{
    const QString what = QStringLiteral("adding '%1' to conversation '%2' of app '%3'").arg(userId, convoId, appId);
    QSqlError error;
    auto q = sql::exec(db, kAddMember, {{"app", appId}, {"id", convoId}, {"user", userId}}, what, &error);
    if (!q && sql::isForeignKeyViolation(error))
        return Error::notFound(QStringLiteral("no conversation '%1' in app '%2'").arg(convoId, appId));
    if (!q)
        return q.error();
    if (q->numRowsAffected() > 0)
        return true;
    // Nothing inserted: already a member, since the foreign key guarantees the conversation.
    return false;
}

} // namespace

ConversationRepository::ConversationRepository(Database *db) : m_db(db) { }

QFuture<Expected<CreatedConversation>> ConversationRepository::create(Conversation c)
{
    return m_db->run<CreatedConversation>(
        [c = std::move(c)](QSqlDatabase &db) { return createConversation(db, c); });
}

QFuture<Expected<Conversation>> ConversationRepository::get(QString appId, QString convoId)
{
    return m_db->run<Conversation>(
        [appId = std::move(appId), convoId = std::move(convoId)](QSqlDatabase &db) -> Expected<Conversation> {
            auto c = selectOne(db, kSelectOne, {{"app", appId}, {"id", convoId}},
                               QStringLiteral("reading conversation '%1' of app '%2'").arg(convoId, appId));
            if (!c)
                return c.error();
            if (!c->has_value())
                return Error::notFound(QStringLiteral("no conversation '%1' in app '%2'").arg(convoId, appId));
            return **c;
        });
}

QFuture<Expected<ConversationPage>> ConversationRepository::listForApp(QString appId, int limit,
                                                                      std::optional<ListCursor> after)
{
    limit = std::max(1, limit);
    const ListCursor from = after.value_or(ListCursor{0, QString()}); // before every conversation
    return m_db->run<ConversationPage>(
        [appId = std::move(appId), limit, from](QSqlDatabase &db) -> Expected<ConversationPage> {
            auto q = sql::exec(db, kSelectForApp,
                               {{"app", appId}, {"after_us", from.createdUs}, {"after_id", from.id}, {"limit", limit + 1}},
                               QStringLiteral("listing the conversations of app '%1'").arg(appId));
            if (!q)
                return q.error();
            return pageOf(std::move(*q), limit);
        });
}

QFuture<Expected<ConversationPage>> ConversationRepository::listForUser(QString appId, QString userId, int limit,
                                                                       std::optional<ListCursor> after)
{
    limit = std::max(1, limit);
    const ListCursor from = after.value_or(ListCursor{0, QString()}); // before every conversation
    return m_db->run<ConversationPage>(
        [appId = std::move(appId), userId = std::move(userId), limit, from](QSqlDatabase &db) -> Expected<ConversationPage> {
            auto q = sql::exec(db, kSelectForUser,
                               {{"app", appId}, {"user", userId}, {"after_us", from.createdUs}, {"after_id", from.id},
                                {"limit", limit + 1}},
                               QStringLiteral("listing the conversations of '%1' in app '%2'").arg(userId, appId));
            if (!q)
                return q.error();
            return pageOf(std::move(*q), limit);
        });
}

QFuture<Expected<QStringList>> ConversationRepository::conversationIdsForUser(QString appId, QString userId)
{
    return m_db->run<QStringList>(
        [appId = std::move(appId), userId = std::move(userId)](QSqlDatabase &db) -> Expected<QStringList> {
            auto q = sql::exec(db, kIdsForUser, {{"app", appId}, {"user", userId}},
                               QStringLiteral("listing the conversation ids of '%1' in app '%2'").arg(userId, appId));
            if (!q)
                return q.error();
            QStringList ids;
            while (q->next())
                ids.append(q->value(0).toString());
            return ids;
        });
}

QFuture<Expected<bool>> ConversationRepository::isMember(QString appId, QString convoId, QString userId)
{
    return m_db->run<bool>([appId = std::move(appId), convoId = std::move(convoId),
                            userId = std::move(userId)](QSqlDatabase &db) -> Expected<bool> {
        auto q = sql::exec(db, kIsMember, {{"app", appId}, {"id", convoId}, {"user", userId}},
                           QStringLiteral("checking whether '%1' is a member of conversation '%2' of app '%3'")
                               .arg(userId, convoId, appId));
        if (!q)
            return q.error();
        return q->next() && q->value(0).toBool();
    });
}

QFuture<Expected<bool>> ConversationRepository::addMember(QString appId, QString convoId, QString userId)
{
    return m_db->run<bool>([appId = std::move(appId), convoId = std::move(convoId),
                            userId = std::move(userId)](QSqlDatabase &db) {
        return insertMember(db, appId, convoId, userId);
    });
}

QFuture<Expected<bool>> ConversationRepository::removeMember(QString appId, QString convoId, QString userId)
{
    return m_db->run<bool>([appId = std::move(appId), convoId = std::move(convoId),
                            userId = std::move(userId)](QSqlDatabase &db) -> Expected<bool> {
        auto q = sql::exec(db, kRemoveMember, {{"app", appId}, {"id", convoId}, {"user", userId}},
                           QStringLiteral("removing '%1' from conversation '%2' of app '%3'").arg(userId, convoId, appId));
        if (!q)
            return q.error();
        return q->numRowsAffected() > 0;
    });
}

QFuture<Expected<QStringList>> ConversationRepository::usersSharingConversation(QString appId, QString userId,
                                                                                QStringList candidates)
{
    return m_db->run<QStringList>([appId = std::move(appId), userId = std::move(userId),
                                   candidates = std::move(candidates)](QSqlDatabase &db) -> Expected<QStringList> {
        if (candidates.isEmpty())
            return QStringList();
        auto q = sql::exec(db, kSharing, {{"app", appId}, {"user", userId}, {"candidates", sql::jsonList(candidates)}},
                           QStringLiteral("finding who shares a conversation with '%1' in app '%2'").arg(userId, appId));
        if (!q)
            return q.error();
        QStringList users;
        while (q->next())
            users.append(q->value(0).toString());
        users.sort();
        return users;
    });
}

} // namespace confab::store

#include "storetest.h"

#include "store/conversations.h"

#include <QSet>

using namespace confab;
using namespace confab::store;
using confab::test::TestEnv;

namespace {

Conversation convo(const QString &appId, const QString &kind, const QStringList &members,
                   const QString &id = QString())
{
    Conversation c;
    c.appId = appId;
    c.id = id;
    c.kind = kind;
    c.members = members;
    c.ownerId = members.value(0);
    return c;
}

} // namespace

class tst_ConversationRepository : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void createGroup();
    void createRejectsBadShapes_data();
    void createRejectsBadShapes();
    void directPairIsCreatedOnce();
    void directPairIsCreatedOnceUnderConcurrency();
    void directPairIsPerApp();
    void explicitId_data();
    void explicitId();
    void getUnknownIsNotFound_data();
    void getUnknownIsNotFound();
    void listForApp();
    void listForUserAndIds();
    void membership();
    void addMemberToMissingConversationIsNotFound();
    void usersSharingConversation_data();
    void usersSharingConversation();

private:
    TestEnv m_env;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<ConversationRepository> m_convos;
    QString m_app; // fresh per test function, so tests do not see each other's rows
    int m_appCounter = 0;
};

void tst_ConversationRepository::initTestCase()
{
    // Enough threads for the concurrency test to race for real.
    STORE_MIGRATED_DATABASE(db, m_env, 8);
    m_db = std::move(db);
    m_convos = std::make_unique<ConversationRepository>(m_db.get());
}

void tst_ConversationRepository::init()
{
    m_app = QStringLiteral("app%1").arg(++m_appCounter);
}

void tst_ConversationRepository::createGroup()
{
    Conversation c = convo(m_app, QStringLiteral("group"), {QStringLiteral("zoe"), QStringLiteral("amy"), QStringLiteral("bob")});
    c.title = QStringLiteral("Team");
    c.ownerId = QStringLiteral("zoe");
    STORE_AWAIT(created, m_convos->create(c));
    STORE_VERIFY(created);
    QVERIFY(created->created);
    const Conversation &got = created->conversation;
    QVERIFY(got.id.startsWith(QLatin1String("c_")));
    QCOMPARE(got.id.size(), 2 + 26);
    QCOMPARE(got.appId, m_app);
    QCOMPARE(got.kind, QStringLiteral("group"));
    QCOMPARE(got.title, QStringLiteral("Team"));
    QCOMPARE(got.ownerId, QStringLiteral("zoe"));
    QCOMPARE(got.members, QStringList({QStringLiteral("amy"), QStringLiteral("bob"), QStringLiteral("zoe")}));
    QVERIFY(got.createdMs > 0);

    STORE_AWAIT(read, m_convos->get(m_app, got.id));
    STORE_VERIFY(read);
    QCOMPARE(read->id, got.id);
    QCOMPARE(read->title, got.title);
    QCOMPARE(read->ownerId, got.ownerId);
    QCOMPARE(read->members, got.members);
    QCOMPARE(read->createdMs, got.createdMs);

    // Two groups of the same people are two conversations.
    STORE_AWAIT(second, m_convos->create(c));
    STORE_VERIFY(second);
    QVERIFY(second->created);
    QVERIFY(second->conversation.id != got.id);
}

void tst_ConversationRepository::createRejectsBadShapes_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QStringList>("members");
    QTest::newRow("unknown kind") << QStringLiteral("channel") << QStringList{QStringLiteral("a"), QStringLiteral("b")};
    QTest::newRow("direct with one") << QStringLiteral("direct") << QStringList{QStringLiteral("a")};
    QTest::newRow("direct with oneself twice") << QStringLiteral("direct") << QStringList{QStringLiteral("a"), QStringLiteral("a")};
    QTest::newRow("direct with three")
        << QStringLiteral("direct") << QStringList{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
}

void tst_ConversationRepository::createRejectsBadShapes()
{
    QFETCH(QString, kind);
    QFETCH(QStringList, members);
    STORE_AWAIT(created, m_convos->create(convo(m_app, kind, members)));
    QVERIFY(!created);
    QCOMPARE(created.error().code, ErrorCode::BadRequest);
    STORE_AWAIT(list, m_convos->listForApp(m_app, 100));
    STORE_VERIFY(list);
    QVERIFY(list->items.isEmpty());
}

void tst_ConversationRepository::directPairIsCreatedOnce()
{
    STORE_AWAIT(first, m_convos->create(convo(m_app, QStringLiteral("direct"), {QStringLiteral("u1"), QStringLiteral("u2")})));
    STORE_VERIFY(first);
    QVERIFY(first->created);
    // The same pair in the other order, with another explicit id: still the same conversation.
    STORE_AWAIT(second, m_convos->create(convo(m_app, QStringLiteral("direct"), {QStringLiteral("u2"), QStringLiteral("u1")})));
    STORE_VERIFY(second);
    QVERIFY(!second->created);
    QCOMPARE(second->conversation.id, first->conversation.id);
    STORE_AWAIT(third, m_convos->create(convo(m_app, QStringLiteral("direct"), {QStringLiteral("u1"), QStringLiteral("u2")},
                                              QStringLiteral("explicit-direct"))));
    STORE_VERIFY(third);
    QVERIFY(!third->created);
    QCOMPARE(third->conversation.id, first->conversation.id);
    QCOMPARE(third->conversation.members, QStringList({QStringLiteral("u1"), QStringLiteral("u2")}));

    STORE_AWAIT(other, m_convos->create(convo(m_app, QStringLiteral("direct"), {QStringLiteral("u1"), QStringLiteral("u3")})));
    STORE_VERIFY(other);
    QVERIFY(other->created);
    QVERIFY(other->conversation.id != first->conversation.id);
}

void tst_ConversationRepository::directPairIsCreatedOnceUnderConcurrency()
{
    // GIVEN 20 creates of one pair in flight at once on 8 connections
    QList<QFuture<Expected<CreatedConversation>>> futures;
    for (int i = 0; i < 20; ++i) {
        const QStringList pair = i % 2 ? QStringList{QStringLiteral("p"), QStringLiteral("q")}
                                       : QStringList{QStringLiteral("q"), QStringLiteral("p")};
        futures.append(m_convos->create(convo(m_app, QStringLiteral("direct"), pair)));
    }
    // THEN exactly one created it and all answer the same conversation
    int created = 0;
    QSet<QString> ids;
    for (const auto &f : futures) {
        QVERIFY(confab::test::finish(f));
        STORE_VERIFY(f.result());
        created += f.result()->created ? 1 : 0;
        ids.insert(f.result()->conversation.id);
        QCOMPARE(f.result()->conversation.members, QStringList({QStringLiteral("p"), QStringLiteral("q")}));
    }
    QCOMPARE(created, 1);
    QCOMPARE(ids.size(), 1);
    STORE_AWAIT(list, m_convos->listForApp(m_app, 100));
    STORE_VERIFY(list);
    QCOMPARE(list->items.size(), 1);
}

void tst_ConversationRepository::directPairIsPerApp()
{
    const QStringList pair{QStringLiteral("x"), QStringLiteral("y")};
    STORE_AWAIT(here, m_convos->create(convo(m_app, QStringLiteral("direct"), pair)));
    STORE_VERIFY(here);
    STORE_AWAIT(there, m_convos->create(convo(m_app + QStringLiteral("-other"), QStringLiteral("direct"), pair)));
    STORE_VERIFY(there);
    QVERIFY(here->created);
    QVERIFY(there->created);
}

void tst_ConversationRepository::explicitId_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QStringList>("members");
    QTest::addColumn<QString>("title");
    QTest::addColumn<bool>("conflict");

    const QStringList same{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
    QTest::newRow("same content") << QStringLiteral("group") << same << QStringLiteral("T") << false;
    QTest::newRow("same members in another order")
        << QStringLiteral("group") << QStringList{QStringLiteral("c"), QStringLiteral("a"), QStringLiteral("b")}
        << QStringLiteral("T") << false;
    QTest::newRow("other members")
        << QStringLiteral("group") << QStringList{QStringLiteral("a"), QStringLiteral("b")} << QStringLiteral("T") << true;
    QTest::newRow("other kind")
        << QStringLiteral("direct") << QStringList{QStringLiteral("a"), QStringLiteral("b")} << QStringLiteral("T") << true;
}

void tst_ConversationRepository::explicitId()
{
    QFETCH(QString, kind);
    QFETCH(QStringList, members);
    QFETCH(QString, title);
    QFETCH(bool, conflict);

    const QString id = QStringLiteral("room-1");
    Conversation original = convo(m_app, QStringLiteral("group"), {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}, id);
    original.title = QStringLiteral("T");
    STORE_AWAIT(first, m_convos->create(original));
    STORE_VERIFY(first);
    QVERIFY(first->created);
    QCOMPARE(first->conversation.id, id);

    Conversation again = convo(m_app, kind, members, id);
    again.title = title;
    STORE_AWAIT(second, m_convos->create(again));
    if (conflict) {
        QVERIFY(!second);
        QCOMPARE(second.error().code, ErrorCode::Conflict);
    } else {
        STORE_VERIFY(second);
        QVERIFY(!second->created);
        QCOMPARE(second->conversation.id, id);
        QCOMPARE(second->conversation.members, first->conversation.members);
    }
    // Either way the original is unchanged.
    STORE_AWAIT(read, m_convos->get(m_app, id));
    STORE_VERIFY(read);
    QCOMPARE(read->kind, QStringLiteral("group"));
    QCOMPARE(read->members, first->conversation.members);
}

void tst_ConversationRepository::getUnknownIsNotFound_data()
{
    QTest::addColumn<bool>("otherApp");
    QTest::newRow("missing") << false;
    QTest::newRow("of another app") << true;
}

void tst_ConversationRepository::getUnknownIsNotFound()
{
    QFETCH(bool, otherApp);
    STORE_AWAIT(created, m_convos->create(convo(m_app, QStringLiteral("group"), {QStringLiteral("a")})));
    STORE_VERIFY(created);
    const QString appId = otherApp ? m_app + QStringLiteral("-other") : m_app;
    const QString id = otherApp ? created->conversation.id : QStringLiteral("c_missing");
    STORE_AWAIT(read, m_convos->get(appId, id));
    QVERIFY(!read);
    QCOMPARE(read.error().code, ErrorCode::NotFound);
}

void tst_ConversationRepository::listForApp()
{
    QStringList ids;
    for (int i = 0; i < 5; ++i) {
        STORE_AWAIT(created, m_convos->create(convo(m_app, QStringLiteral("group"), {QStringLiteral("m%1").arg(i)})));
        STORE_VERIFY(created);
        ids << created->conversation.id;
    }
    STORE_AWAIT(elsewhere, m_convos->create(convo(m_app + QStringLiteral("-other"), QStringLiteral("group"), {QStringLiteral("m")})));
    STORE_VERIFY(elsewhere);

    STORE_AWAIT(all, m_convos->listForApp(m_app, 100));
    STORE_VERIFY(all);
    QVERIFY(!all->next);
    QStringList listed;
    for (const Conversation &c : all->items) {
        QCOMPARE(c.appId, m_app);
        listed << c.id;
    }
    QCOMPARE(listed, ids);
    QCOMPARE(all->items.at(2).members, QStringList{QStringLiteral("m2")});

    // Pages of 2 continue exactly where the last one ended, whatever the ids' order.
    QStringList paged;
    std::optional<ListCursor> cursor;
    int pages = 0;
    do {
        STORE_AWAIT(page, m_convos->listForApp(m_app, 2, cursor));
        STORE_VERIFY(page);
        QVERIFY(page->items.size() <= 2);
        for (const Conversation &c : page->items)
            paged << c.id;
        cursor = page->next;
        ++pages;
    } while (cursor);
    QCOMPARE(paged, ids);
    QCOMPARE(pages, 3);
}

void tst_ConversationRepository::listForUserAndIds()
{
    STORE_AWAIT(g1, m_convos->create(convo(m_app, QStringLiteral("group"), {QStringLiteral("ann"), QStringLiteral("ben")})));
    STORE_AWAIT(g2, m_convos->create(convo(m_app, QStringLiteral("group"), {QStringLiteral("ben"), QStringLiteral("cat")})));
    STORE_AWAIT(d1, m_convos->create(convo(m_app, QStringLiteral("direct"), {QStringLiteral("ann"), QStringLiteral("cat")})));
    STORE_VERIFY(g1);
    STORE_VERIFY(g2);
    STORE_VERIFY(d1);

    STORE_AWAIT(annList, m_convos->listForUser(m_app, QStringLiteral("ann"), 100));
    STORE_VERIFY(annList);
    QCOMPARE(annList->items.size(), 2);
    QCOMPARE(annList->items.at(0).id, g1->conversation.id);
    QCOMPARE(annList->items.at(1).id, d1->conversation.id);
    // Every member is listed, not just the one asked about.
    QCOMPARE(annList->items.at(0).members, QStringList({QStringLiteral("ann"), QStringLiteral("ben")}));
    STORE_AWAIT(annFirst, m_convos->listForUser(m_app, QStringLiteral("ann"), 1));
    STORE_VERIFY(annFirst);
    QCOMPARE(annFirst->items.size(), 1);
    QVERIFY(annFirst->next);
    STORE_AWAIT(annSecond, m_convos->listForUser(m_app, QStringLiteral("ann"), 1, annFirst->next));
    STORE_VERIFY(annSecond);
    QCOMPARE(annSecond->items.size(), 1);
    QCOMPARE(annSecond->items.at(0).id, d1->conversation.id);
    QVERIFY(!annSecond->next);

    STORE_AWAIT(benIds, m_convos->conversationIdsForUser(m_app, QStringLiteral("ben")));
    STORE_VERIFY(benIds);
    QStringList expected{g1->conversation.id, g2->conversation.id};
    expected.sort();
    QCOMPARE(*benIds, expected);

    STORE_AWAIT(nobody, m_convos->listForUser(m_app, QStringLiteral("nobody"), 100));
    STORE_VERIFY(nobody);
    QVERIFY(nobody->items.isEmpty());
    STORE_AWAIT(otherApp, m_convos->conversationIdsForUser(m_app + QStringLiteral("-other"), QStringLiteral("ann")));
    STORE_VERIFY(otherApp);
    QVERIFY(otherApp->isEmpty());
}

void tst_ConversationRepository::membership()
{
    STORE_AWAIT(created, m_convos->create(convo(m_app, QStringLiteral("group"), {QStringLiteral("own")})));
    STORE_VERIFY(created);
    const QString id = created->conversation.id;
    const QString user = QStringLiteral("auth0|newcomer:1");

    STORE_AWAIT(before, m_convos->isMember(m_app, id, user));
    STORE_VERIFY(before);
    QVERIFY(!*before);

    STORE_AWAIT(added, m_convos->addMember(m_app, id, user));
    STORE_VERIFY(added);
    QVERIFY(*added);
    STORE_AWAIT(addedAgain, m_convos->addMember(m_app, id, user));
    STORE_VERIFY(addedAgain);
    QVERIFY(!*addedAgain);

    STORE_AWAIT(during, m_convos->isMember(m_app, id, user));
    STORE_VERIFY(during);
    QVERIFY(*during);
    STORE_AWAIT(otherApp, m_convos->isMember(m_app + QStringLiteral("-other"), id, user));
    STORE_VERIFY(otherApp);
    QVERIFY(!*otherApp);
    STORE_AWAIT(read, m_convos->get(m_app, id));
    STORE_VERIFY(read);
    QCOMPARE(read->members, QStringList({user, QStringLiteral("own")}));

    STORE_AWAIT(removed, m_convos->removeMember(m_app, id, user));
    STORE_VERIFY(removed);
    QVERIFY(*removed);
    STORE_AWAIT(removedAgain, m_convos->removeMember(m_app, id, user));
    STORE_VERIFY(removedAgain);
    QVERIFY(!*removedAgain);
    STORE_AWAIT(after, m_convos->isMember(m_app, id, user));
    STORE_VERIFY(after);
    QVERIFY(!*after);
}

void tst_ConversationRepository::addMemberToMissingConversationIsNotFound()
{
    STORE_AWAIT(added, m_convos->addMember(m_app, QStringLiteral("c_missing"), QStringLiteral("u")));
    QVERIFY(!added);
    QCOMPARE(added.error().code, ErrorCode::NotFound);
}

void tst_ConversationRepository::usersSharingConversation_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QStringList>("candidates");
    QTest::addColumn<QStringList>("expected");

    // Conversations (set up in the test): {ann, ben}, {ben, cat, dan}, direct {eve, fay}.
    QTest::newRow("shares with some")
        << QStringLiteral("ann") << QStringList{QStringLiteral("ben"), QStringLiteral("cat"), QStringLiteral("eve")}
        << QStringList{QStringLiteral("ben")};
    QTest::newRow("shares through two conversations")
        << QStringLiteral("ben") << QStringList{QStringLiteral("dan"), QStringLiteral("ann"), QStringLiteral("cat"), QStringLiteral("fay")}
        << QStringList{QStringLiteral("ann"), QStringLiteral("cat"), QStringLiteral("dan")};
    QTest::newRow("direct") << QStringLiteral("fay") << QStringList{QStringLiteral("eve"), QStringLiteral("ann")}
                            << QStringList{QStringLiteral("eve")};
    QTest::newRow("no candidates") << QStringLiteral("ann") << QStringList{} << QStringList{};
    QTest::newRow("member of nothing") << QStringLiteral("zed") << QStringList{QStringLiteral("ann")} << QStringList{};
    QTest::newRow("odd characters in candidates")
        << QStringLiteral("ann") << QStringList{QStringLiteral("b'en\"],"), QStringLiteral("ben")}
        << QStringList{QStringLiteral("ben")};
}

void tst_ConversationRepository::usersSharingConversation()
{
    QFETCH(QString, user);
    QFETCH(QStringList, candidates);
    QFETCH(QStringList, expected);

    STORE_AWAIT(a, m_convos->create(convo(m_app, QStringLiteral("group"), {QStringLiteral("ann"), QStringLiteral("ben")})));
    STORE_AWAIT(b, m_convos->create(convo(m_app, QStringLiteral("group"),
                                          {QStringLiteral("ben"), QStringLiteral("cat"), QStringLiteral("dan")})));
    STORE_AWAIT(c, m_convos->create(convo(m_app, QStringLiteral("direct"), {QStringLiteral("eve"), QStringLiteral("fay")})));
    // The same people in another app share nothing here.
    STORE_AWAIT(d, m_convos->create(convo(m_app + QStringLiteral("-other"), QStringLiteral("group"),
                                          {QStringLiteral("ann"), QStringLiteral("cat"), QStringLiteral("eve")})));
    STORE_VERIFY(a);
    STORE_VERIFY(b);
    STORE_VERIFY(c);
    STORE_VERIFY(d);

    STORE_AWAIT(sharing, m_convos->usersSharingConversation(m_app, user, candidates));
    STORE_VERIFY(sharing);
    QCOMPARE(*sharing, expected);
}

QTEST_GUILESS_MAIN(tst_ConversationRepository)
#include "tst_conversationrepository.moc"

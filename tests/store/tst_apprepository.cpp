#include "storetest.h"

#include "store/apps.h"

#include <QDateTime>

Q_DECLARE_METATYPE(confab::store::App)
Q_DECLARE_METATYPE(confab::store::AppPatch)

using namespace confab;
using namespace confab::store;
using confab::test::TestEnv;

class tst_AppRepository : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void createGeneratesIdAndSecret();
    void createKeepsEveryField();
    void createDuplicateIdConflicts();
    void getMissingIsNotFound();
    void update_data();
    void update();
    void updateMissingIsNotFound();
    void listIsOldestFirst();
    void findByIssuer();
    void webhookSecretIsKeptAndRotated();

private:
    TestEnv m_env;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<AppRepository> m_apps;
};

void tst_AppRepository::initTestCase()
{
    STORE_MIGRATED_DATABASE(db, m_env, 2);
    m_db = std::move(db);
    m_apps = std::make_unique<AppRepository>(m_db.get());
}

void tst_AppRepository::createGeneratesIdAndSecret()
{
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    App app;
    app.name = QStringLiteral("acme");
    STORE_AWAIT(created, m_apps->create(app));
    STORE_VERIFY(created);
    QVERIFY(created->id.startsWith(QLatin1String("app_")));
    QCOMPARE(created->id.size(), 4 + 26);
    QCOMPARE(created->id, created->id.toLower());
    QCOMPARE(created->tokenSecret.size(), 32);
    QCOMPARE(created->name, QStringLiteral("acme"));
    QVERIFY(created->oidcIssuer.isEmpty());
    QVERIFY(created->limits.isEmpty());
    // Same machine, so the database clock is close to ours.
    QVERIFY(qAbs(created->createdMs - before) < 60000);

    STORE_AWAIT(other, m_apps->create(app));
    STORE_VERIFY(other);
    QVERIFY(other->id != created->id);
    QVERIFY(other->tokenSecret != created->tokenSecret);
}

void tst_AppRepository::createKeepsEveryField()
{
    App app;
    app.id = QStringLiteral("explicit-app");
    app.name = QStringLiteral("Explicit");
    app.oidcIssuer = QStringLiteral("https://kc.example/realms/x");
    app.oidcAudience = QStringLiteral("x-web");
    app.limits = QJsonObject{{QStringLiteral("user_msgs_per_min"), 120}};
    app.tokenSecret = QByteArray(32, '\x01') + QByteArray(1, '\0');
    STORE_AWAIT(created, m_apps->create(app));
    STORE_VERIFY(created);

    STORE_AWAIT(read, m_apps->get(app.id));
    STORE_VERIFY(read);
    QCOMPARE(read->id, app.id);
    QCOMPARE(read->name, app.name);
    QCOMPARE(read->oidcIssuer, app.oidcIssuer);
    QCOMPARE(read->oidcAudience, app.oidcAudience);
    QCOMPARE(read->limits, app.limits);
    QCOMPARE(read->tokenSecret, app.tokenSecret);
    QCOMPARE(read->createdMs, created->createdMs);
}

void tst_AppRepository::createDuplicateIdConflicts()
{
    App app;
    app.id = QStringLiteral("dup-app");
    app.name = QStringLiteral("first");
    STORE_AWAIT(first, m_apps->create(app));
    STORE_VERIFY(first);
    app.name = QStringLiteral("second");
    STORE_AWAIT(second, m_apps->create(app));
    QVERIFY(!second);
    QCOMPARE(second.error().code, ErrorCode::Conflict);
    STORE_AWAIT(read, m_apps->get(app.id));
    STORE_VERIFY(read);
    QCOMPARE(read->name, QStringLiteral("first"));
}

void tst_AppRepository::getMissingIsNotFound()
{
    STORE_AWAIT(read, m_apps->get(QStringLiteral("no-such-app")));
    QVERIFY(!read);
    QCOMPARE(read.error().code, ErrorCode::NotFound);
}

void tst_AppRepository::update_data()
{
    QTest::addColumn<AppPatch>("patch");
    QTest::addColumn<App>("expected"); // the fields of the base app after the patch

    App base;
    base.name = QStringLiteral("base");
    base.oidcIssuer = QStringLiteral("https://issuer.example");
    base.oidcAudience = QStringLiteral("aud");
    base.limits = QJsonObject{{QStringLiteral("max_conns"), 10}};

    App e = base;
    QTest::addRow("nothing") << AppPatch{} << e;

    AppPatch p;
    p.name = QStringLiteral("renamed");
    e = base;
    e.name = QStringLiteral("renamed");
    QTest::addRow("name") << p << e;

    p = {};
    p.oidcIssuer = QString();
    e = base;
    e.oidcIssuer.clear();
    QTest::addRow("clear issuer") << p << e;

    p = {};
    p.oidcIssuer = QStringLiteral("https://other.example");
    p.oidcAudience = QStringLiteral("aud2");
    e = base;
    e.oidcIssuer = QStringLiteral("https://other.example");
    e.oidcAudience = QStringLiteral("aud2");
    QTest::addRow("issuer and audience") << p << e;

    p = {};
    p.limits = QJsonObject{{QStringLiteral("user_msgs_per_min"), 5}, {QStringLiteral("max_conns"), 3}};
    e = base;
    e.limits = *p.limits;
    QTest::addRow("limits") << p << e;

    p = {};
    p.name = QStringLiteral("all");
    p.oidcIssuer = QString();
    p.oidcAudience = QString();
    p.limits = QJsonObject{};
    e = base;
    e.name = QStringLiteral("all");
    e.oidcIssuer.clear();
    e.oidcAudience.clear();
    e.limits = {};
    QTest::addRow("everything") << p << e;
}

void tst_AppRepository::update()
{
    QFETCH(AppPatch, patch);
    QFETCH(App, expected);

    App base;
    base.name = QStringLiteral("base");
    base.oidcIssuer = QStringLiteral("https://issuer.example");
    base.oidcAudience = QStringLiteral("aud");
    base.limits = QJsonObject{{QStringLiteral("max_conns"), 10}};
    STORE_AWAIT(created, m_apps->create(base));
    STORE_VERIFY(created);

    STORE_AWAIT(updated, m_apps->update(created->id, patch));
    STORE_VERIFY(updated);
    STORE_AWAIT(read, m_apps->get(created->id));
    STORE_VERIFY(read);
    for (const App &a : {*updated, *read}) {
        QCOMPARE(a.id, created->id);
        QCOMPARE(a.name, expected.name);
        QCOMPARE(a.oidcIssuer, expected.oidcIssuer);
        QCOMPARE(a.oidcAudience, expected.oidcAudience);
        QCOMPARE(a.limits, expected.limits);
        QCOMPARE(a.tokenSecret, created->tokenSecret);
        QCOMPARE(a.createdMs, created->createdMs);
    }
}

void tst_AppRepository::updateMissingIsNotFound()
{
    AppPatch p;
    p.name = QStringLiteral("x");
    STORE_AWAIT(withFields, m_apps->update(QStringLiteral("no-such-app"), p));
    QVERIFY(!withFields);
    QCOMPARE(withFields.error().code, ErrorCode::NotFound);
    STORE_AWAIT(empty, m_apps->update(QStringLiteral("no-such-app"), AppPatch{}));
    QVERIFY(!empty);
    QCOMPARE(empty.error().code, ErrorCode::NotFound);
}

void tst_AppRepository::listIsOldestFirst()
{
    STORE_AWAIT(before, m_apps->list());
    STORE_VERIFY(before);
    QStringList ids;
    for (int i = 0; i < 3; ++i) {
        App a;
        a.name = QStringLiteral("listed %1").arg(i);
        STORE_AWAIT(created, m_apps->create(a));
        STORE_VERIFY(created);
        ids << created->id;
    }
    STORE_AWAIT(after, m_apps->list());
    STORE_VERIFY(after);
    QCOMPARE(after->size(), before->size() + 3);
    QStringList tail;
    for (qsizetype i = before->size(); i < after->size(); ++i)
        tail << after->at(i).id;
    QCOMPARE(tail, ids);
    for (qsizetype i = 1; i < after->size(); ++i)
        QVERIFY(after->at(i - 1).createdMs <= after->at(i).createdMs);
}

void tst_AppRepository::findByIssuer()
{
    const QString issuer = QStringLiteral("https://find.example/realms/r");
    QStringList expected;
    for (const QString &iss : {issuer, QStringLiteral("https://elsewhere.example"), issuer, QString()}) {
        App a;
        a.name = QStringLiteral("by issuer");
        a.oidcIssuer = iss;
        STORE_AWAIT(created, m_apps->create(a));
        STORE_VERIFY(created);
        if (iss == issuer)
            expected << created->id;
    }
    STORE_AWAIT(found, m_apps->findByIssuer(issuer));
    STORE_VERIFY(found);
    QStringList ids;
    for (const App &a : *found) {
        QCOMPARE(a.oidcIssuer, issuer);
        ids << a.id;
    }
    QCOMPARE(ids, expected);

    STORE_AWAIT(none, m_apps->findByIssuer(QStringLiteral("https://nobody.example")));
    STORE_VERIFY(none);
    QVERIFY(none->isEmpty());
}

void tst_AppRepository::webhookSecretIsKeptAndRotated()
{
    App app;
    app.name = QStringLiteral("hooks");
    STORE_AWAIT(created, m_apps->create(app));
    STORE_VERIFY(created);
    QVERIFY(created->webhook.url.isEmpty());

    // GIVEN a first webhook: the offered secret is taken
    AppPatch set;
    set.webhook = WebhookPatch{false, QStringLiteral("https://hooks.example.com/a"), {QStringLiteral("member.added")}};
    set.newWebhookSecret = QStringLiteral("whsec_one");
    STORE_AWAIT(first, m_apps->update(created->id, set));
    STORE_VERIFY(first);
    QCOMPARE(first->webhook.url, QStringLiteral("https://hooks.example.com/a"));
    QCOMPARE(first->webhook.events, QStringList{QStringLiteral("member.added")});
    QCOMPARE(first->webhook.secret, QStringLiteral("whsec_one"));
    // WHEN it is set again with another offer, or removed, THEN the secret stays
    set.newWebhookSecret = QStringLiteral("whsec_two");
    set.webhook->events.clear();
    STORE_AWAIT(again, m_apps->update(created->id, set));
    STORE_VERIFY(again);
    QCOMPARE(again->webhook.secret, QStringLiteral("whsec_one"));
    QVERIFY(again->webhook.events.isEmpty());
    AppPatch remove;
    remove.webhook = WebhookPatch{true, {}, {}};
    STORE_AWAIT(removed, m_apps->update(created->id, remove));
    STORE_VERIFY(removed);
    QVERIFY(removed->webhook.url.isEmpty());
    QCOMPARE(removed->webhook.secret, QStringLiteral("whsec_one"));

    // WHEN rotated with a grace THEN the old secret signs until it ends; without, not at all
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    STORE_AWAIT(rotated, m_apps->rotateWebhookSecret(created->id, QStringLiteral("whsec_three"), 3600000));
    STORE_VERIFY(rotated);
    QCOMPARE(rotated->webhook.secret, QStringLiteral("whsec_three"));
    QCOMPARE(rotated->webhook.oldSecret, QStringLiteral("whsec_one"));
    QVERIFY(qAbs(rotated->webhook.oldSecretUntilMs - (before + 3600000)) < 60000);
    STORE_AWAIT(now, m_apps->rotateWebhookSecret(created->id, QStringLiteral("whsec_four"), 0));
    STORE_VERIFY(now);
    QCOMPARE(now->webhook.secret, QStringLiteral("whsec_four"));
    QVERIFY(now->webhook.oldSecret.isEmpty());
    QCOMPARE(now->webhook.oldSecretUntilMs, 0);
    STORE_AWAIT(missing, m_apps->rotateWebhookSecret(QStringLiteral("no-such-app"), QStringLiteral("x"), 0));
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, ErrorCode::NotFound);
}

QTEST_GUILESS_MAIN(tst_AppRepository)
#include "tst_apprepository.moc"

// Per-app policy (issue 11 item 5, docs/security.md): what an app's users may do to
// conversations, stored with the app and set through the admin API; API keys are not bound by it.
#include "harness.h"

#include <QTest>

#include <memory>

using namespace confab::test;

namespace {

QJsonObject conversationBody(const QString &kind, const QStringList &members)
{
    return QJsonObject{{QStringLiteral("kind"), kind}, {QStringLiteral("members"), QJsonArray::fromStringList(members)}};
}

QString errorCode(const HttpResult &r)
{
    return r.json.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString();
}

} // namespace

class TestAppPolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultsKeepUsersFree()
    {
        Cluster cluster;
        QCOMPARE(cluster.startNode(), 0);
        const auto [appId, key] = cluster.createApp();
        // GIVEN an app created without a policy, THEN it shows the permissive defaults
        const HttpResult apps = cluster.rest.call("GET", cluster.admin() + QStringLiteral("/admin/apps"), Cluster::kAdminToken);
        const QJsonObject policy = apps.json.value(QLatin1String("apps")).toArray().first().toObject().value(QLatin1String("policy")).toObject();
        QCOMPARE(policy, (QJsonObject{{QStringLiteral("users_create_groups"), true},
                                      {QStringLiteral("users_add_members"), true},
                                      {QStringLiteral("max_user_group_members"), 1000}}));
        // and a user creates a group of anyone and grows it, as before policies existed
        const QByteArray token = cluster.userToken(key, QStringLiteral("p1"));
        const HttpResult group = cluster.rest.call("POST", cluster.api() + QStringLiteral("/v1/conversations"), token,
                                                   conversationBody(QStringLiteral("group"), {QStringLiteral("p2"), QStringLiteral("p3")}));
        QCOMPARE(group.status, 201);
        QCOMPARE(group.json.value(QLatin1String("owner_id")).toString(), QStringLiteral("p1"));
        const QString members = cluster.api() + QStringLiteral("/v1/conversations/%1/members").arg(group.json.value(QLatin1String("id")).toString());
        QCOMPARE(cluster.rest.call("POST", members, token, QJsonObject{{QStringLiteral("user_id"), QStringLiteral("p4")}}).status, 200);
    }

    void policyRefusesUsersButNotTheBackEnd()
    {
        Cluster cluster;
        QCOMPARE(cluster.startNode(), 0);
        // GIVEN an app whose users may not create groups
        const auto [appId, key] = cluster.createApp(QJsonObject{{QStringLiteral("policy"), QJsonObject{{QStringLiteral("users_create_groups"), false}}}});
        const QString conversations = cluster.api() + QStringLiteral("/v1/conversations");
        const QByteArray token = cluster.userToken(key, QStringLiteral("q1"));
        // WHEN a user creates one, THEN forbidden; a direct conversation is still allowed
        const HttpResult group = cluster.rest.call("POST", conversations, token, conversationBody(QStringLiteral("group"), {QStringLiteral("q2")}));
        QCOMPARE(group.status, 403);
        QCOMPARE(errorCode(group), QStringLiteral("forbidden"));
        QCOMPARE(cluster.rest.call("POST", conversations, token, conversationBody(QStringLiteral("direct"), {QStringLiteral("q2")})).status, 201);
        // and the back end (API key) creates groups as before
        const HttpResult byKey = cluster.rest.call("POST", conversations, key,
                                                   conversationBody(QStringLiteral("group"), {QStringLiteral("q1"), QStringLiteral("q2"), QStringLiteral("q3")}));
        QCOMPARE(byKey.status, 201);
        const QString convo = byKey.json.value(QLatin1String("id")).toString();

        // GIVEN the policy changed: groups of at most 3 by users, owners may not add members
        const HttpResult patched = cluster.rest.call("PATCH", cluster.admin() + QStringLiteral("/admin/apps/") + appId, Cluster::kAdminToken,
                                                     QJsonObject{{QStringLiteral("policy"), QJsonObject{{QStringLiteral("users_add_members"), false},
                                                                                                        {QStringLiteral("max_user_group_members"), 3}}}});
        QCOMPARE(patched.status, 200);
        QCOMPARE(patched.json.value(QLatin1String("policy")).toObject().value(QLatin1String("users_create_groups")).toBool(), true);
        QCOMPARE(patched.json.value(QLatin1String("policy")).toObject().value(QLatin1String("max_user_group_members")).toInt(), 3);
        // THEN a user's group of 4 is forbidden, of 3 created
        const HttpResult big = cluster.rest.call("POST", conversations, token,
                                                 conversationBody(QStringLiteral("group"), {QStringLiteral("q2"), QStringLiteral("q3"), QStringLiteral("q4")}));
        QCOMPARE(big.status, 403);
        QCOMPARE(errorCode(big), QStringLiteral("forbidden"));
        const HttpResult small = cluster.rest.call("POST", conversations, token,
                                                   conversationBody(QStringLiteral("group"), {QStringLiteral("q2"), QStringLiteral("q3")}));
        QCOMPARE(small.status, 201);
        // and its owner may not add members, while the back end may
        const QString ownMembers = conversations + QLatin1Char('/') + small.json.value(QLatin1String("id")).toString() + QStringLiteral("/members");
        const HttpResult add = cluster.rest.call("POST", ownMembers, token, QJsonObject{{QStringLiteral("user_id"), QStringLiteral("q9")}});
        QCOMPARE(add.status, 403);
        QCOMPARE(errorCode(add), QStringLiteral("forbidden"));
        QCOMPARE(cluster.rest.call("POST", ownMembers, key, QJsonObject{{QStringLiteral("user_id"), QStringLiteral("q9")}}).status, 200);
        // The owner of a back-end group of 3 that may add members still stops at the size.
        QCOMPARE(cluster.rest.call("PATCH", cluster.admin() + QStringLiteral("/admin/apps/") + appId, Cluster::kAdminToken,
                                   QJsonObject{{QStringLiteral("policy"), QJsonObject{{QStringLiteral("max_user_group_members"), 3}}}})
                     .status,
                 200);
        const HttpResult grow = cluster.rest.call("POST", conversations + QLatin1Char('/') + convo + QStringLiteral("/members"), token,
                                                  QJsonObject{{QStringLiteral("user_id"), QStringLiteral("q5")}});
        QCOMPARE(grow.status, 403);
        QCOMPARE(errorCode(grow), QStringLiteral("forbidden"));
        // Removing members is not restricted.
        QCOMPARE(cluster.rest.call("DELETE", conversations + QLatin1Char('/') + convo + QStringLiteral("/members/q3"), token).status, 204);
        QCOMPARE(cluster.rest.call("POST", conversations + QLatin1Char('/') + convo + QStringLiteral("/members"), token,
                                   QJsonObject{{QStringLiteral("user_id"), QStringLiteral("q5")}})
                     .status,
                 200);
    }

    void badPoliciesAreRefused_data()
    {
        QTest::addColumn<QJsonValue>("policy");
        QTest::addRow("not an object") << QJsonValue(QStringLiteral("strict"));
        QTest::addRow("unknown key") << QJsonValue(QJsonObject{{QStringLiteral("users_create_channels"), false}});
        QTest::addRow("not a boolean") << QJsonValue(QJsonObject{{QStringLiteral("users_add_members"), 0}});
        QTest::addRow("size not a number") << QJsonValue(QJsonObject{{QStringLiteral("max_user_group_members"), QStringLiteral("10")}});
        QTest::addRow("size too small") << QJsonValue(QJsonObject{{QStringLiteral("max_user_group_members"), 1}});
        QTest::addRow("size over the ceiling") << QJsonValue(QJsonObject{{QStringLiteral("max_user_group_members"), 1001}});
        QTest::addRow("size not whole") << QJsonValue(QJsonObject{{QStringLiteral("max_user_group_members"), 2.5}});
    }

    void badPoliciesAreRefused()
    {
        QFETCH(QJsonValue, policy);
        if (!m_shared) {
            m_shared = std::make_unique<Cluster>();
            QCOMPARE(m_shared->startNode(), 0);
        }
        Cluster *cluster = m_shared.get();
        const HttpResult created = cluster->rest.call("POST", cluster->admin() + QStringLiteral("/admin/apps"), Cluster::kAdminToken,
                                                      QJsonObject{{QStringLiteral("name"), QStringLiteral("bad")}, {QStringLiteral("policy"), policy}});
        QCOMPARE(created.status, 400);
        QCOMPARE(errorCode(created), QStringLiteral("bad_request"));
    }

    void cleanupTestCase() { m_shared.reset(); }

private:
    std::unique_ptr<Cluster> m_shared; // one node for the data-driven rows
};

QTEST_MAIN(TestAppPolicy)
#include "tst_apppolicy.moc"

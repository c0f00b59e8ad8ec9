#include "storetest.h"

#include "store/apikeys.h"
#include "store/apps.h"

using namespace confab;
using namespace confab::store;
using confab::test::TestEnv;

namespace {

constexpr qint64 kHourMs = 3600 * 1000;

ApiKey keyOf(const QString &appId, const QString &label = QString())
{
    ApiKey k;
    k.appId = appId;
    k.label = label;
    k.secretHash = QByteArray(64, 'a');
    return k;
}

} // namespace

class tst_ApiKeyRepository : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void createGeneratesId();
    void createForMissingAppIsNotFound();
    void createDuplicateIdConflicts();
    void getMissingIsNotFound();
    void rotateSetsGraceAndInsertsNewKey();
    void rotateNeverExtendsAnExpiry();
    void rotateInheritsLabel();
    void rotateUnusableOldKeyIsNotFound_data();
    void rotateUnusableOldKeyIsNotFound();
    void rotateIsAtomic();
    void revoke();
    void revokeUnknownIsNotFound_data();
    void revokeUnknownIsNotFound();

private:
    [[nodiscard]] QString newApp();

    TestEnv m_env;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<AppRepository> m_apps;
    std::unique_ptr<ApiKeyRepository> m_keys;
    QString m_app;
    QString m_otherApp;
};

QString tst_ApiKeyRepository::newApp()
{
    App a;
    a.name = QStringLiteral("keys test");
    auto f = m_apps->create(a);
    if (!confab::test::finish(f) || !f.result())
        return QString();
    return f.result()->id;
}

void tst_ApiKeyRepository::initTestCase()
{
    STORE_MIGRATED_DATABASE(db, m_env, 2);
    m_db = std::move(db);
    m_apps = std::make_unique<AppRepository>(m_db.get());
    m_keys = std::make_unique<ApiKeyRepository>(m_db.get());
    m_app = newApp();
    m_otherApp = newApp();
    QVERIFY(!m_app.isEmpty());
    QVERIFY(!m_otherApp.isEmpty());
}

void tst_ApiKeyRepository::createGeneratesId()
{
    STORE_AWAIT(created, m_keys->create(keyOf(m_app, QStringLiteral("backend"))));
    STORE_VERIFY(created);
    QVERIFY(created->id.startsWith(QLatin1String("k_")));
    QCOMPARE(created->appId, m_app);
    QCOMPARE(created->label, QStringLiteral("backend"));
    QCOMPARE(created->secretHash, QByteArray(64, 'a'));
    QVERIFY(created->createdMs > 0);
    QCOMPARE(created->expiresMs, qint64(0));
    QCOMPARE(created->revokedMs, qint64(0));

    STORE_AWAIT(read, m_keys->get(created->id));
    STORE_VERIFY(read);
    QCOMPARE(read->id, created->id);
    QCOMPARE(read->appId, m_app);
    QCOMPARE(read->label, created->label);
    QCOMPARE(read->secretHash, created->secretHash);
    QCOMPARE(read->createdMs, created->createdMs);
    QCOMPARE(read->expiresMs, qint64(0));
    QCOMPARE(read->revokedMs, qint64(0));
}

void tst_ApiKeyRepository::createForMissingAppIsNotFound()
{
    STORE_AWAIT(created, m_keys->create(keyOf(QStringLiteral("no-such-app"))));
    QVERIFY(!created);
    QCOMPARE(created.error().code, ErrorCode::NotFound);
}

void tst_ApiKeyRepository::createDuplicateIdConflicts()
{
    ApiKey k = keyOf(m_app);
    k.id = QStringLiteral("ck_dup");
    STORE_AWAIT(first, m_keys->create(k));
    STORE_VERIFY(first);
    STORE_AWAIT(second, m_keys->create(k));
    QVERIFY(!second);
    QCOMPARE(second.error().code, ErrorCode::Conflict);
}

void tst_ApiKeyRepository::getMissingIsNotFound()
{
    STORE_AWAIT(read, m_keys->get(QStringLiteral("k_missing")));
    QVERIFY(!read);
    QCOMPARE(read.error().code, ErrorCode::NotFound);
}

void tst_ApiKeyRepository::rotateSetsGraceAndInsertsNewKey()
{
    STORE_AWAIT(old, m_keys->create(keyOf(m_app, QStringLiteral("old"))));
    STORE_VERIFY(old);
    ApiKey fresh = keyOf(QString(), QStringLiteral("new"));
    fresh.secretHash = QByteArray(64, 'b');
    STORE_AWAIT(rotated, m_keys->rotate(m_app, old->id, fresh, kHourMs));
    STORE_VERIFY(rotated);
    QVERIFY(rotated->id != old->id);
    QCOMPARE(rotated->appId, m_app);
    QCOMPARE(rotated->label, QStringLiteral("new"));
    QCOMPARE(rotated->secretHash, QByteArray(64, 'b'));
    QCOMPARE(rotated->expiresMs, qint64(0));

    STORE_AWAIT(oldAfter, m_keys->get(old->id));
    STORE_VERIFY(oldAfter);
    // One transaction, one now(): the old key expires exactly a grace after the new one's birth.
    QCOMPARE(oldAfter->expiresMs, rotated->createdMs + kHourMs);
    QCOMPARE(oldAfter->revokedMs, qint64(0));
    STORE_AWAIT(newRead, m_keys->get(rotated->id));
    STORE_VERIFY(newRead);
}

void tst_ApiKeyRepository::rotateNeverExtendsAnExpiry()
{
    STORE_AWAIT(old, m_keys->create(keyOf(m_app)));
    STORE_VERIFY(old);
    STORE_AWAIT(first, m_keys->rotate(m_app, old->id, keyOf(m_app), kHourMs));
    STORE_VERIFY(first);
    STORE_AWAIT(afterFirst, m_keys->get(old->id));
    STORE_VERIFY(afterFirst);

    // A longer grace keeps the earlier expiry...
    STORE_AWAIT(longer, m_keys->rotate(m_app, old->id, keyOf(m_app), 24 * kHourMs));
    STORE_VERIFY(longer);
    STORE_AWAIT(afterLonger, m_keys->get(old->id));
    STORE_VERIFY(afterLonger);
    QCOMPARE(afterLonger->expiresMs, afterFirst->expiresMs);

    // ...a shorter one brings it forward.
    STORE_AWAIT(shorter, m_keys->rotate(m_app, old->id, keyOf(m_app), 0));
    STORE_VERIFY(shorter);
    STORE_AWAIT(afterShorter, m_keys->get(old->id));
    STORE_VERIFY(afterShorter);
    QCOMPARE(afterShorter->expiresMs, shorter->createdMs);
    QVERIFY(afterShorter->expiresMs < afterFirst->expiresMs);
}

void tst_ApiKeyRepository::rotateInheritsLabel()
{
    STORE_AWAIT(old, m_keys->create(keyOf(m_app, QStringLiteral("mobile backend"))));
    STORE_VERIFY(old);
    STORE_AWAIT(rotated, m_keys->rotate(m_app, old->id, keyOf(m_app), kHourMs));
    STORE_VERIFY(rotated);
    QCOMPARE(rotated->label, QStringLiteral("mobile backend"));
}

void tst_ApiKeyRepository::rotateUnusableOldKeyIsNotFound_data()
{
    QTest::addColumn<QString>("problem");
    QTest::newRow("missing") << QStringLiteral("missing");
    QTest::newRow("revoked") << QStringLiteral("revoked");
    QTest::newRow("of another app") << QStringLiteral("other app");
}

void tst_ApiKeyRepository::rotateUnusableOldKeyIsNotFound()
{
    QFETCH(QString, problem);
    STORE_AWAIT(old, m_keys->create(keyOf(m_app)));
    STORE_VERIFY(old);
    QString oldId = old->id;
    QString appId = m_app;
    if (problem == QLatin1String("missing")) {
        oldId = QStringLiteral("k_missing");
    } else if (problem == QLatin1String("revoked")) {
        STORE_AWAIT(revoked, m_keys->revoke(m_app, old->id));
        STORE_VERIFY(revoked);
    } else {
        appId = m_otherApp;
    }
    ApiKey fresh = keyOf(appId);
    fresh.id = QStringLiteral("k_fresh_") + QString::fromLatin1(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('_'));
    STORE_AWAIT(rotated, m_keys->rotate(appId, oldId, fresh, kHourMs));
    QVERIFY(!rotated);
    QCOMPARE(rotated.error().code, ErrorCode::NotFound);
    // Nothing was inserted.
    STORE_AWAIT(freshRead, m_keys->get(fresh.id));
    QVERIFY(!freshRead);
    QCOMPARE(freshRead.error().code, ErrorCode::NotFound);
}

void tst_ApiKeyRepository::rotateIsAtomic()
{
    // GIVEN a key to rotate, and a new key whose id is taken
    STORE_AWAIT(old, m_keys->create(keyOf(m_app)));
    STORE_VERIFY(old);
    STORE_AWAIT(taken, m_keys->create(keyOf(m_app)));
    STORE_VERIFY(taken);
    ApiKey clash = keyOf(m_app);
    clash.id = taken->id;
    // WHEN the rotation fails on the insert
    STORE_AWAIT(rotated, m_keys->rotate(m_app, old->id, clash, kHourMs));
    QVERIFY(!rotated);
    QCOMPARE(rotated.error().code, ErrorCode::Conflict);
    // THEN the old key was not touched either
    STORE_AWAIT(oldAfter, m_keys->get(old->id));
    STORE_VERIFY(oldAfter);
    QCOMPARE(oldAfter->expiresMs, qint64(0));
}

void tst_ApiKeyRepository::revoke()
{
    STORE_AWAIT(key, m_keys->create(keyOf(m_app)));
    STORE_VERIFY(key);
    STORE_AWAIT(revoked, m_keys->revoke(m_app, key->id));
    STORE_VERIFY(revoked);
    STORE_AWAIT(read, m_keys->get(key->id));
    STORE_VERIFY(read);
    QVERIFY(read->revokedMs >= key->createdMs);

    // Revoking again succeeds and keeps the first time.
    STORE_AWAIT(again, m_keys->revoke(m_app, key->id));
    STORE_VERIFY(again);
    STORE_AWAIT(readAgain, m_keys->get(key->id));
    STORE_VERIFY(readAgain);
    QCOMPARE(readAgain->revokedMs, read->revokedMs);
}

void tst_ApiKeyRepository::revokeUnknownIsNotFound_data()
{
    QTest::addColumn<bool>("otherApp");
    QTest::newRow("missing key") << false;
    QTest::newRow("key of another app") << true;
}

void tst_ApiKeyRepository::revokeUnknownIsNotFound()
{
    QFETCH(bool, otherApp);
    STORE_AWAIT(key, m_keys->create(keyOf(m_app)));
    STORE_VERIFY(key);
    const QString keyId = otherApp ? key->id : QStringLiteral("k_missing");
    STORE_AWAIT(revoked, m_keys->revoke(otherApp ? m_otherApp : m_app, keyId));
    QVERIFY(!revoked);
    QCOMPARE(revoked.error().code, ErrorCode::NotFound);
    STORE_AWAIT(read, m_keys->get(key->id));
    STORE_VERIFY(read);
    QCOMPARE(read->revokedMs, qint64(0));
}

QTEST_GUILESS_MAIN(tst_ApiKeyRepository)
#include "tst_apikeyrepository.moc"

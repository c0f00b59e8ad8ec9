// A confabd node's PostgreSQL pool in front of a primary and a streaming standby, reached
// through one libpq multi-host URL with target_session_attrs=read-write: it finds the primary
// wherever it is listed, and follows a failover (primary crashes, standby promoted) without a
// restart. Issue 14, item 5; ctest label `cluster`.

#include "storetest.h"

#include "support/postgrespair.h"

#include <QCoreApplication>

using namespace confab;
using namespace confab::store;
using confab::test::PostgresPair;
using confab::test::scalar;

class tst_PgFailover : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void findsThePrimaryWhereverItIsListed();
    void followsAFailoverWithoutRestart();

private:
    PostgresPair m_pair;
};

void tst_PgFailover::initTestCase()
{
    QVERIFY2(m_pair.start(), qPrintable(m_pair.why()));
}

void tst_PgFailover::findsThePrimaryWhereverItIsListed()
{
    // GIVEN the standby listed first
    Database db({QStringLiteral("postgresql://postgres@127.0.0.1:%1,127.0.0.1:%2/postgres?target_session_attrs=read-write")
                     .arg(m_pair.standbyPort())
                     .arg(m_pair.primaryPort()),
                 2});
    // THEN every connection lands on the primary, and migrations (writes) run
    STORE_AWAIT(recovery, scalar(&db, QStringLiteral("SELECT pg_is_in_recovery()")));
    STORE_VERIFY(recovery);
    QCOMPARE(*recovery, QStringLiteral("false"));
    STORE_AWAIT(migrated, db.migrate());
    STORE_VERIFY(migrated);
}

void tst_PgFailover::followsAFailoverWithoutRestart()
{
    // GIVEN a migrated schema and an app written through the multi-host URL
    Database db({m_pair.url(), 2});
    STORE_AWAIT(migrated, db.migrate());
    STORE_VERIFY(migrated);
    STORE_AWAIT(before, scalar(&db, QStringLiteral("INSERT INTO apps (id, name, token_secret) "
                                                   "VALUES ('before', 'n', 'x') RETURNING id")));
    STORE_VERIFY(before);

    // WHEN the primary crashes and the standby is promoted, as Patroni would
    QVERIFY2(m_pair.stopPrimary(), qPrintable(m_pair.why()));
    STORE_AWAIT(during, db.ping());
    QVERIFY(!during);
    QCOMPARE(during.error().code, ErrorCode::Unavailable);
    QVERIFY2(m_pair.promoteStandby(), qPrintable(m_pair.why()));

    // THEN the same pool reaches the new primary within seconds, with everything committed
    // before the crash (commits were synchronous to the standby) and takes writes again
    bool writable = false;
    for (int attempt = 0; attempt < 60 && !writable; ++attempt) {
        STORE_AWAIT(after, scalar(&db, QStringLiteral("INSERT INTO apps (id, name, token_secret) "
                                                      "VALUES ('after', 'n', 'x') ON CONFLICT DO NOTHING RETURNING id")));
        writable = bool(after);
        if (!writable) {
            QCOMPARE(after.error().code, ErrorCode::Unavailable);
            QTest::qWait(500);
        }
    }
    QVERIFY2(writable, "the pool never reached the promoted standby");
    STORE_AWAIT(count, scalar(&db, QStringLiteral("SELECT count(*) FROM apps WHERE id IN ('before', 'after')")));
    STORE_VERIFY(count);
    QCOMPARE(*count, QStringLiteral("2"));
    STORE_AWAIT(recovery, scalar(&db, QStringLiteral("SELECT pg_is_in_recovery()")));
    STORE_VERIFY(recovery);
    QCOMPARE(*recovery, QStringLiteral("false"));
}

QTEST_GUILESS_MAIN(tst_PgFailover)
#include "tst_pgfailover.moc"

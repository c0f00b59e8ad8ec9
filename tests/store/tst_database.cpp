#include "storetest.h"

#include "store/migrations.h"
#include "store/sql.h"

#include <QCoreApplication>
#include <QTcpServer>
#include <QThread>

#include <atomic>

using namespace confab;
using namespace confab::store;
using confab::test::scalar;
using confab::test::TestEnv;

namespace {

// The rows of schema_migrations, in order.
QFuture<Expected<QList<int>>> recordedVersions(Database *db)
{
    return db->run<QList<int>>([](QSqlDatabase &conn) -> Expected<QList<int>> {
        auto q = sql::exec(conn, QStringLiteral("SELECT version FROM schema_migrations ORDER BY version"), {},
                           QStringLiteral("reading schema_migrations"));
        if (!q)
            return q.error();
        QList<int> versions;
        while (q->next())
            versions.append(q->value(0).toInt());
        return versions;
    });
}

QList<int> allVersions()
{
    QList<int> versions;
    for (int v = 1; v <= Database::latestSchemaVersion(); ++v)
        versions.append(v);
    return versions;
}

} // namespace

class tst_Database : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void migrationsAreNumberedWithoutGaps();
    void migrateEmptyDatabase();
    void migrateTwiceIsNoop();
    void concurrentMigrations();
    void newerSchemaIsRefused();
    void migrationCreatesSchema_data();
    void migrationCreatesSchema();
    void runExecutesOffTheCallingThread();
    void ping();
    void unusableUrlIsUnavailable_data();
    void unusableUrlIsUnavailable();
    void brokenConnectionIsReopened();
    void readOnlyConnectionIsReopened();
    void sqlErrorsMapToCodes();
    void destructorFinishesQueuedWork();
    void hangingServerFailsEveryJobFast();
    void fullQueueFailsAtOnce();

private:
    TestEnv m_env;
};

void tst_Database::initTestCase()
{
    QVERIFY2(m_env.isValid(), "no test services; run through ctest");
}

void tst_Database::migrationsAreNumberedWithoutGaps()
{
    const QList<Migration> &all = migrations();
    QVERIFY(!all.isEmpty());
    for (qsizetype i = 0; i < all.size(); ++i) {
        QCOMPARE(all.at(i).version, int(i + 1));
        QVERIFY(qstrlen(all.at(i).name) > 0);
        QVERIFY(qstrlen(all.at(i).sql) > 0);
    }
    QCOMPARE(Database::latestSchemaVersion(), all.last().version);
}

void tst_Database::migrateEmptyDatabase()
{
    // GIVEN an empty database
    Database db({m_env.createDatabase(), 2});
    // WHEN it is migrated
    STORE_AWAIT(migrated, db.migrate());
    STORE_VERIFY(migrated);
    // THEN every migration is recorded
    STORE_AWAIT(versions, recordedVersions(&db));
    STORE_VERIFY(versions);
    QCOMPARE(*versions, allVersions());
}

void tst_Database::migrateTwiceIsNoop()
{
    Database db({m_env.createDatabase(), 2});
    STORE_AWAIT(first, db.migrate());
    STORE_VERIFY(first);
    const QString appliedAt = QStringLiteral("SELECT string_agg(applied_at::text, ',' ORDER BY version) FROM schema_migrations");
    STORE_AWAIT(before, scalar(&db, appliedAt));
    STORE_VERIFY(before);

    STORE_AWAIT(second, db.migrate());
    STORE_VERIFY(second);
    STORE_AWAIT(after, scalar(&db, appliedAt));
    STORE_VERIFY(after);
    QCOMPARE(*after, *before);
    STORE_AWAIT(versions, recordedVersions(&db));
    STORE_VERIFY(versions);
    QCOMPARE(*versions, allVersions());
}

void tst_Database::newerSchemaIsRefused()
{
    // GIVEN a database a newer confabd migrated (one version past this binary's last)
    const QString url = m_env.createDatabase();
    Database db({ url, 1 });
    STORE_AWAIT(first, db.migrate());
    STORE_VERIFY(first);
    const int newer = migrations().last().version + 1;
    confab::test::psql(url,
        QStringLiteral(
            "INSERT INTO schema_migrations (version, name) VALUES (%1, 'from the future')")
            .arg(newer));
    // WHEN this binary migrates it
    STORE_AWAIT(second, db.migrate());
    // THEN it refuses with one line naming both versions, and applies nothing
    QVERIFY(!second);
    QCOMPARE(second.error().code, ErrorCode::Conflict);
    QVERIFY2(second.error().message.contains(QString::number(newer)),
        qPrintable(second.error().message));
    QVERIFY(!second.error().message.contains(u'\n'));
}

void tst_Database::concurrentMigrations()
{
    // GIVEN two nodes starting on the same empty database
    const QString url = m_env.createDatabase();
    Database a({url, 1});
    Database b({url, 1});
    // WHEN both migrate at once
    const QFuture<Status> fa = a.migrate();
    const QFuture<Status> fb = b.migrate();
    QVERIFY(confab::test::finish(fa));
    QVERIFY(confab::test::finish(fb));
    // THEN both succeed and each migration ran once
    STORE_VERIFY(fa.result());
    STORE_VERIFY(fb.result());
    STORE_AWAIT(versions, recordedVersions(&a));
    STORE_VERIFY(versions);
    QCOMPARE(*versions, allVersions());
}

void tst_Database::migrationCreatesSchema_data()
{
    QTest::addColumn<int>("version");
    QTest::addColumn<QString>("check");
    QTest::addColumn<QString>("expected");

    const auto column = [](const char *table, const char *col) {
        return QStringLiteral("SELECT data_type FROM information_schema.columns WHERE table_name = '%1' AND column_name = '%2'")
            .arg(QLatin1String(table), QLatin1String(col));
    };
    const auto index = [](const char *name) {
        return QStringLiteral("SELECT indexdef FROM pg_indexes WHERE indexname = '%1'").arg(QLatin1String(name));
    };
    QTest::addRow("1: schema_migrations.applied_at") << 1 << column("schema_migrations", "applied_at") << "timestamp with time zone";
    QTest::addRow("1: apps.limits") << 1 << column("apps", "limits") << "jsonb";
    QTest::addRow("1: apps.token_secret") << 1 << column("apps", "token_secret") << "bytea";
    QTest::addRow("1: api_keys.expires_at") << 1 << column("api_keys", "expires_at") << "timestamp with time zone";
    QTest::addRow("1: conversations.direct_key") << 1 << column("conversations", "direct_key") << "text";
    QTest::addRow("1: members.joined_at") << 1 << column("members", "joined_at") << "timestamp with time zone";
    QTest::addRow("1: members by user")
        << 1 << index("members_by_user")
        << "CREATE INDEX members_by_user ON public.members USING btree (app_id, user_id)";
    QTest::addRow("1: direct pair unique")
        << 1 << index("conversations_app_id_direct_key_key")
        << "CREATE UNIQUE INDEX conversations_app_id_direct_key_key ON public.conversations USING btree (app_id, direct_key)";
    QTest::addRow("2: segment_blocks.byte_offset") << 2 << column("segment_blocks", "byte_offset") << "bigint";
    QTest::addRow("2: flush_state.flushed_seq") << 2 << column("flush_state", "flushed_seq") << "bigint";
    QTest::addRow("2: dead_letters.resolved_at")
        << 2 << column("dead_letters", "resolved_at") << "timestamp with time zone";
    QTest::addRow("3: apps.policy") << 3 << column("apps", "policy") << "jsonb";
    QTest::addRow("3: an app's policy defaults to empty")
        << 3
        << QStringLiteral("WITH a AS (INSERT INTO apps (id, name, token_secret) VALUES ('p3', 'n', decode('00', 'hex'))"
                          " RETURNING policy) SELECT policy::text FROM a")
        << "{}";
    QTest::addRow("2: blocks by last seq")
        << 2 << index("segment_blocks_by_last_seq")
        << "CREATE INDEX segment_blocks_by_last_seq ON public.segment_blocks USING btree (app_id, convo_id, last_seq)";
    // Constraints, exercised: each statement answers the SQLSTATE it fails with.
    const auto fails = [](const char *statement) {
        return QStringLiteral("DO $$ BEGIN %1; RAISE EXCEPTION 'accepted'; EXCEPTION WHEN OTHERS THEN"
                              " RAISE EXCEPTION 'state %' , SQLSTATE; END $$")
            .arg(QLatin1String(statement));
    };
    QTest::addRow("1: kind is direct or group")
        << 1 << fails("INSERT INTO conversations (app_id, id, kind) VALUES ('a', 'c', 'channel')") << "state 23514";
    QTest::addRow("1: a direct conversation has a key")
        << 1 << fails("INSERT INTO conversations (app_id, id, kind) VALUES ('a', 'c', 'direct')") << "state 23514";
    QTest::addRow("1: members need their conversation")
        << 1 << fails("INSERT INTO members (app_id, convo_id, user_id) VALUES ('a', 'nope', 'u')") << "state 23503";
    QTest::addRow("2: blocks need their segment")
        << 2
        << fails("INSERT INTO segment_blocks (app_id, convo_id, first_seq, last_seq, first_ts, last_ts,"
                 " segment_key, byte_offset, byte_length) VALUES ('a', 'c', 1, 1, 0, 0, 'nope', 0, 1)")
        << "state 23503";
    QTest::addRow("2: one open dead letter per stream")
        << 2
        << fails("INSERT INTO dead_letters (id, kind, app_id, convo_id, first_seq, last_seq, attempts, error)"
                 " VALUES ('d1', 'flush', 'a', 'c', 1, 2, 1, 'e'), ('d2', 'flush', 'a', 'c', 3, 4, 1, 'e')")
        << "state 23505";
    QTest::addRow("1: keys need their app")
        << 1 << fails("INSERT INTO api_keys (id, app_id, secret_hash) VALUES ('k', 'nope', 'h')") << "state 23503";
    QTest::addRow("4: apps.webhook_events") << 4 << column("apps", "webhook_events") << "ARRAY";
    QTest::addRow("4: webhook_deliveries.data") << 4 << column("webhook_deliveries", "data") << "jsonb";
    QTest::addRow("4: webhook_deliveries.lease_until")
        << 4 << column("webhook_deliveries", "lease_until") << "timestamp with time zone";
    QTest::addRow("4: one coalescing event per user and conversation")
        << 4
        << fails("INSERT INTO webhook_deliveries (id, app_id, type, user_id, convo_id, data, coalescing)"
                 " VALUES ('e1', 'a', 'message.offline', 'u', 'c', '{}', true),"
                 " ('e2', 'a', 'message.offline', 'u', 'c', '{}', true)")
        << "state 23505";
    QTest::addRow("4: delivered and coalescing events may share a pair")
        << 4
        << QStringLiteral("WITH d AS (INSERT INTO webhook_deliveries (id, app_id, type, user_id, convo_id, data, coalescing)"
                          " VALUES ('e3', 'a', 'message.offline', 'u', 'c', '{}', false),"
                          " ('e4', 'a', 'message.offline', 'u', 'c', '{}', true) RETURNING seq) SELECT count(*)::text FROM d")
        << "2";
}

void tst_Database::migrationCreatesSchema()
{
    QFETCH(int, version);
    QFETCH(QString, check);
    QFETCH(QString, expected);
    QVERIFY(version <= Database::latestSchemaVersion());

    STORE_MIGRATED_DATABASE(db, m_env, 1);
    STORE_AWAIT(result, scalar(db.get(), check));
    if (expected.startsWith(QLatin1String("state "))) {
        QVERIFY(!result);
        QVERIFY2(result.error().message.contains(expected), qPrintable(result.error().message));
    } else {
        STORE_VERIFY(result);
        QCOMPARE(*result, expected);
    }
}

void tst_Database::runExecutesOffTheCallingThread()
{
    Database db({m_env.createDatabase(), 2});
    STORE_AWAIT(thread, db.run<QThread *>([](QSqlDatabase &conn) -> Expected<QThread *> {
        if (!conn.isOpen())
            return Error::internal(QStringLiteral("connection not open"));
        return QThread::currentThread();
    }));
    STORE_VERIFY(thread);
    QVERIFY(*thread != QThread::currentThread());
    QVERIFY(*thread != QCoreApplication::instance()->thread());
}

void tst_Database::ping()
{
    Database db({m_env.createDatabase(), 1});
    STORE_AWAIT(pinged, db.ping());
    STORE_VERIFY(pinged);
}

void tst_Database::unusableUrlIsUnavailable_data()
{
    QTest::addColumn<QString>("url");
    const quint16 closedPort = confab::test::freePort();
    QTest::addRow("nothing listening")
        << QStringLiteral("postgresql://postgres@127.0.0.1:%1/postgres").arg(closedPort);
    QTest::addRow("not a URL") << QStringLiteral("::nonsense::");
    QTest::addRow("wrong scheme") << QStringLiteral("mysql://root@127.0.0.1/db");
    QTest::addRow("parameter that would inject options")
        << QStringLiteral("postgresql://postgres@127.0.0.1/db?sslmode=disable%3Bhost%3Devil");
    QTest::addRow("host list with an empty host")
        << QStringLiteral("postgresql://postgres@127.0.0.1:%1,:5432/postgres").arg(closedPort);
    QTest::addRow("host list with a bad port")
        << QStringLiteral("postgresql://postgres@127.0.0.1:%1,127.0.0.1:99999/postgres").arg(closedPort);
    QTest::addRow("host list where nothing listens")
        << QStringLiteral("postgresql://postgres@127.0.0.1:%1,127.0.0.1:%1/postgres?target_session_attrs=read-write")
               .arg(closedPort);
    QUrl missingDb(m_env.pgAdminUrl());
    missingDb.setPath(QStringLiteral("/no_such_database"));
    QTest::addRow("no such database") << missingDb.toString();
}

void tst_Database::unusableUrlIsUnavailable()
{
    QFETCH(QString, url);
    Database db({url, 1});
    STORE_AWAIT(pinged, db.ping());
    QVERIFY(!pinged);
    QCOMPARE(pinged.error().code, ErrorCode::Unavailable);
    STORE_AWAIT(migrated, db.migrate());
    QVERIFY(!migrated);
    QCOMPARE(migrated.error().code, ErrorCode::Unavailable);
    QVERIFY(!pinged.error().message.contains(QLatin1String("postgres@")));
}

void tst_Database::brokenConnectionIsReopened()
{
    // GIVEN a pool of one connection that works
    Database db({m_env.createDatabase(), 1});
    STORE_AWAIT(pid, scalar(&db, QStringLiteral("SELECT pg_backend_pid()")));
    STORE_VERIFY(pid);
    // WHEN the server drops that connection
    const QString admin = m_env.pgAdminUrl();
    confab::test::psql(admin, QStringLiteral("SELECT pg_terminate_backend(%1)").arg(*pid));
    QTRY_VERIFY_WITH_TIMEOUT(
        confab::test::psql(admin, QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE pid = %1").arg(*pid))
            == "0",
        10000);
    // THEN the next use reports it as Unavailable, and the one after works on a new connection
    STORE_AWAIT(broken, db.ping());
    QVERIFY(!broken);
    QCOMPARE(broken.error().code, ErrorCode::Unavailable);
    STORE_AWAIT(newPid, scalar(&db, QStringLiteral("SELECT pg_backend_pid()")));
    STORE_VERIFY(newPid);
    QVERIFY(*newPid != *pid);
}

void tst_Database::readOnlyConnectionIsReopened()
{
    // GIVEN a pool of one connection that has turned read-only, as a primary demoted under an
    // open connection does
    STORE_MIGRATED_DATABASE(db, m_env, 1);
    STORE_AWAIT(pid, scalar(db.get(), QStringLiteral("SELECT pg_backend_pid()")));
    STORE_VERIFY(pid);
    STORE_AWAIT(readOnly, scalar(db.get(), QStringLiteral("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")));
    STORE_VERIFY(readOnly);
    // WHEN a write is refused for it (SQLSTATE 25006)
    STORE_AWAIT(refused, scalar(db.get(), QStringLiteral("INSERT INTO apps (id, name, token_secret) VALUES ('a', 'n', 'x') RETURNING id")));
    // THEN the write is Unavailable (not applied, try again) and the next job runs on a new
    // connection, which takes writes
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::Unavailable);
    STORE_AWAIT(newPid, scalar(db.get(), QStringLiteral("SELECT pg_backend_pid()")));
    STORE_VERIFY(newPid);
    QVERIFY(*newPid != *pid);
    STORE_AWAIT(written, scalar(db.get(), QStringLiteral("INSERT INTO apps (id, name, token_secret) VALUES ('a', 'n', 'x') RETURNING id")));
    STORE_VERIFY(written);
}

void tst_Database::sqlErrorsMapToCodes()
{
    STORE_MIGRATED_DATABASE(db, m_env, 1);
    STORE_AWAIT(syntax, scalar(db.get(), QStringLiteral("SELEC 1")));
    QVERIFY(!syntax);
    QCOMPARE(syntax.error().code, ErrorCode::Internal);
    QVERIFY(syntax.error().message.startsWith(QLatin1String("test query")));

    STORE_AWAIT(first, scalar(db.get(), QStringLiteral("INSERT INTO apps (id, name, token_secret) VALUES ('a', 'n', 'x') RETURNING id")));
    STORE_VERIFY(first);
    STORE_AWAIT(dup, scalar(db.get(), QStringLiteral("INSERT INTO apps (id, name, token_secret) VALUES ('a', 'n', 'x') RETURNING id")));
    QVERIFY(!dup);
    QCOMPARE(dup.error().code, ErrorCode::Conflict);

    // A failed statement leaves the connection usable.
    STORE_AWAIT(pinged, db->ping());
    STORE_VERIFY(pinged);
}

void tst_Database::destructorFinishesQueuedWork()
{
    auto ran = std::make_shared<std::atomic<int>>(0);
    QList<QFuture<Expected<int>>> futures;
    {
        Database db({m_env.createDatabase(), 2});
        for (int i = 0; i < 20; ++i) {
            futures.append(db.run<int>([ran, i](QSqlDatabase &conn) -> Expected<int> {
                QSqlQuery q(conn);
                if (!q.exec(QStringLiteral("SELECT pg_sleep(0.01)")))
                    return Error::internal(q.lastError().text());
                ++*ran;
                return i;
            }));
        }
    }
    QCOMPARE(ran->load(), 20);
    for (int i = 0; i < futures.size(); ++i) {
        QVERIFY(futures.at(i).isFinished());
        STORE_VERIFY(futures.at(i).result());
        QCOMPARE(*futures.at(i).result(), i);
    }
}

void tst_Database::hangingServerFailsEveryJobFast()
{
    // GIVEN a "PostgreSQL" that accepts TCP connections and never answers (a host that hangs)
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    Database db({QStringLiteral("postgresql://postgres@127.0.0.1:%1/postgres").arg(silent.serverPort()), 1});
    // WHEN 20 jobs are queued behind a connect that times out
    QList<QFuture<Status>> pings;
    for (int i = 0; i < 20; ++i)
        pings.append(db.ping());
    // THEN they all fail with the first timeout (5 s), not one timeout each (100 s)
    for (QFuture<Status> &f : pings) {
        QVERIFY(confab::test::finish(f, 15000));
        QVERIFY(!f.result());
        QCOMPARE(f.result().error().code, ErrorCode::Unavailable);
    }
    // AND while it is down, a new job fails at once instead of waiting (a probe goes through
    // once a second)
    QFuture<Status> next = db.ping();
    QVERIFY(next.isFinished());
    QCOMPARE(next.result().error().code, ErrorCode::Unavailable);
}

void tst_Database::fullQueueFailsAtOnce()
{
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    Database::Options options{QStringLiteral("postgresql://postgres@127.0.0.1:%1/postgres").arg(silent.serverPort()), 1};
    options.maxQueue = 5;
    Database db(options);
    // GIVEN the only thread stuck connecting and 5 jobs waiting behind it
    QList<QFuture<Status>> pings;
    pings.append(db.ping());
    QThread::msleep(200); // the worker has taken the first job and is stuck connecting
    for (int i = 0; i < 5; ++i)
        pings.append(db.ping());
    // WHEN more come, THEN they fail at once: the queue has a bound
    for (int i = 0; i < 10; ++i) {
        QFuture<Status> f = db.ping();
        QVERIFY(f.isFinished());
        QCOMPARE(f.result().error().code, ErrorCode::Unavailable);
        QVERIFY2(f.result().error().message.contains(QLatin1String("waiting")), qPrintable(f.result().error().message));
    }
    for (QFuture<Status> &f : pings)
        QVERIFY(confab::test::finish(f, 15000));
}

QTEST_GUILESS_MAIN(tst_Database)
#include "tst_database.moc"

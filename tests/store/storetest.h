#pragma once

// Shared by the store tests: waiting for a QFuture from the pool without blocking the test's
// event loop, and a freshly migrated database.

#include "store/database.h"
#include "store/sql.h"
#include "support/testenv.h"

#include <QFuture>
#include <QFutureWatcher>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

#include <memory>

namespace confab::test {

template<typename T>
[[nodiscard]] bool finish(const QFuture<T> &future, int timeoutMs = 30000)
{
    if (future.isFinished())
        return true;
    QFutureWatcher<T> watcher;
    QSignalSpy spy(&watcher, &QFutureWatcherBase::finished);
    watcher.setFuture(future);
    return spy.wait(timeoutMs) || future.isFinished();
}

// Runs one statement on the pool and answers the first column of its first row ("" when it
// returns no row). Not prepared: DO blocks cannot be.
[[nodiscard]] inline QFuture<Expected<QString>> scalar(store::Database *db, const QString &statement)
{
    return db->run<QString>([statement](QSqlDatabase &conn) -> Expected<QString> {
        QSqlQuery q(conn);
        if (!q.exec(statement))
            return store::sql::toError(q.lastError(), QStringLiteral("test query"), conn);
        if (!q.next())
            return QString();
        return q.value(0).toString();
    });
}

[[nodiscard]] inline QByteArray describe(const Error &e)
{
    return errorCodeName(e.code) + ": " + e.message.toUtf8();
}

} // namespace confab::test

// Waits for a QFuture and binds its result to var; fails the test on a timeout.
#define STORE_AWAIT(var, expr)                                                                     \
    auto var##Future = (expr);                                                                     \
    QVERIFY2(::confab::test::finish(var##Future), "timed out waiting for " #expr);                 \
    auto var = var##Future.result()

// Fails the test with the error's code and message unless the Expected holds a value.
#define STORE_VERIFY(expected)                                                                     \
    QVERIFY2(bool(expected),                                                                       \
             (expected) ? "" : ::confab::test::describe((expected).error()).constData())

// A new database on the test server, migrated, behind a Database with the given threads.
#define STORE_MIGRATED_DATABASE(var, env, threads)                                                 \
    QVERIFY2((env).isValid(), "no test services; run through ctest");                              \
    auto var = std::make_unique<::confab::store::Database>(                                        \
        ::confab::store::Database::Options{(env).createDatabase(), (threads)});                    \
    {                                                                                              \
        STORE_AWAIT(migrated, var->migrate());                                                     \
        STORE_VERIFY(migrated);                                                                    \
    }

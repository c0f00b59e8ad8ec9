#pragma once

#include "confab/expected.h"

#include <QFuture>
#include <QObject>
#include <QPromise>
#include <QSqlDatabase>
#include <QString>

#include <functional>
#include <memory>

namespace confab::store {

// PostgreSQL behind a small pool of threads. QSqlDatabase is synchronous and a connection
// belongs to the thread that opened it, so each pool thread owns one connection (named per
// thread, as Cutelyst's databaseNameThread() does) and the event loop threads only ever
// see QFutures.
class Database : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        QString url; // postgresql://user:pass@host:port/db[?sslmode=...]
        int threads = 2;
        // Jobs waiting for a thread; past this a job fails at once with Unavailable.
        int maxQueue = 2000;
    };

    explicit Database(Options options, QObject *parent = nullptr);
    // Finishes the queued work, closes the connections and joins the threads.
    ~Database() override;

    // Runs fn on one of the pool's threads with that thread's open connection. A broken
    // connection is reopened on next use; if it cannot be opened the future holds
    // ErrorCode::Unavailable and fn is not called. It fails fast, without queueing, while the
    // queue is full or while PostgreSQL is known to be down (then one job a second probes it).
    template<typename T>
    QFuture<Expected<T>> run(std::function<Expected<T>(QSqlDatabase &)> fn);

    // Applies the pending migrations, each in its own transaction under a transaction-level
    // advisory lock, so nodes starting together are safe. Idempotent.
    QFuture<Status> migrate();
    // SELECT 1, for /readyz.
    QFuture<Status> ping();

    [[nodiscard]] static int latestSchemaVersion();

private:
    // db is null when the connection could not be opened; openError then says why.
    using Job = std::function<void(QSqlDatabase *db, const Error &openError)>;
    void enqueue(Job job);

    class Private;
    std::unique_ptr<Private> d;
};

template<typename T>
QFuture<Expected<T>> Database::run(std::function<Expected<T>(QSqlDatabase &)> fn)
{
    auto promise = std::make_shared<QPromise<Expected<T>>>();
    QFuture<Expected<T>> future = promise->future();
    promise->start();
    enqueue([promise, fn = std::move(fn)](QSqlDatabase *db, const Error &openError) {
        promise->addResult(db ? fn(*db) : Expected<T>(openError));
        promise->finish();
    });
    return future;
}

} // namespace confab::store

#pragma once

#include "admin/statscollector.h"
#include "confab/config.h"
#include "confab/expected.h"
#include "http/router.h"

#include <QCoro/QCoroTask>
#include <QObject>

#include <memory>

namespace confab::node {

// One confabd node: creates and wires every component (the one place that does), starts
// them in dependency order and stops them gracefully.
class Node : public QObject
{
    Q_OBJECT
public:
    explicit Node(Config config, QObject *parent = nullptr);
    ~Node() override;

    // Migrates the schema, connects Redis, opens both listeners. An error is one line.
    QCoro::Task<Status> start();
    // The shutdown (docs/operations.md, "Shutdown"): stops accepting, sends every client a
    // system.notice, lets requests in flight finish for up to [server] shutdown_grace, closes
    // every client with 1001, then ends the Redis client so whatever still awaits it resumes
    // now, while everything it runs on exists. Acknowledged messages are already durable (the
    // ack follows the Redis script), so nothing is left to flush here.
    QCoro::Task<> stop();
    // Ends the drain of a running stop() now (a second SIGTERM or SIGINT).
    void hurry();

    // SIGHUP: reads [tls] cert and key again; new connections get the new pair, open ones keep
    // theirs. A pair that cannot be used is logged and the current one stays.
    void reloadTls();

    [[nodiscard]] quint16 publicPort() const;
    [[nodiscard]] quint16 internalPort() const;
    [[nodiscard]] const QString &nodeId() const;
    // Whether the public listener's client frames wait for [server] write_coalesce windows now.
    [[nodiscard]] bool clientWritesCoalescing() const;
    // The REST routes each listener serves, as registered (docs/openapi.yaml documents them).
    [[nodiscard]] QList<http::Router::Entry> publicRoutes() const;
    [[nodiscard]] QList<http::Router::Entry> internalRoutes() const;

private:
    void collectRedisStats();
    QCoro::Task<Expected<QByteArray>> listDeadLetters(int limit);
    // A dead letter goes to its owner by kind: segment_flush to the flush worker, webhook to the
    // webhook dispatcher.
    QCoro::Task<Status> retryDeadLetter(QString id);
    QCoro::Task<Status> discardDeadLetter(QString id);
    QCoro::Task<Expected<qint64>> flushNow();
    QCoro::Task<admin::PipelineStats> pipelineStats();
    class Private;
    std::unique_ptr<Private> d;
};

// Runs `confabd migrate`: the schema only.
QCoro::Task<Status> migrateOnly(Config config);

} // namespace confab::node

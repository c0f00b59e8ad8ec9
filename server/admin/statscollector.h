#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QCoro/QCoroTask>
#include <QObject>
#include <QTimer>

#include <functional>

namespace confab::redis {
class Client;
}

namespace confab::admin {

// The storage pipeline's figures for a stats frame; supplied by the flush worker.
struct PipelineStats {
    qint64 streamDepth = 0;
    QByteArray streamsJson = "[]";   // [{"app_id","convo_id","depth","oldest_unflushed_ms"}...], deepest first
    double flushLastMs = 0, flushP50Ms = 0, flushP95Ms = 0, flushP99Ms = 0;
    qint64 segmentsTotal = 0;
    qint64 bytesTotal = 0;
    qint64 deadLetters = 0;
    // Every app (id, name, open dead letters), for the frame's "apps" (docs/protocol.md).
    struct App {
        QString id;
        QString name;
        qint64 deadLetters = 0;
    };
    QList<App> apps;
};

// Builds PROTOCOL.md section 6 "stats" frames. Every node announces itself in the Redis hash
// `confab:nodes` once a second ("connections ingest_per_s ts"), so any node can list every
// live node of the deployment; entries older than kNodeTtlMs are dropped. The per-app figures
// go to `confab:nodes:apps` the same way ("ts" then a line "app_id connections ingest_per_s"
// per app with connections or traffic), summed over live nodes into the frame's "apps".
class StatsCollector : public QObject
{
    Q_OBJECT
public:
    static constexpr qint64 kNodeTtlMs = 5000;

    StatsCollector(redis::Client *redis, QString nodeId, QObject *parent = nullptr);

    void setConnections(qint64 n) { m_connections = n; }
    // Whether this node's /readyz checks passed last time (announced with its figures).
    void setReady(bool ready) { m_ready = ready; }
    void messageIngested(const QString &appId = {});
    // This node's authenticated connections per app, read once a second.
    void setConnectionsByApp(std::function<QHash<QString, qint64>()> source) { m_connectionsByApp = std::move(source); }
    void setRedisMemory(qint64 bytes) { m_redisMemory = bytes; }
    void setPipeline(std::function<QCoro::Task<PipelineStats>()> source) { m_pipeline = std::move(source); }
    void start();

    QCoro::Task<QByteArray> statsFrame();
    [[nodiscard]] double ingestPerSecond() const { return m_ingestPerS; }

private:
    void announce();

    redis::Client *m_redis;
    QString m_nodeId;
    QTimer m_tick;
    qint64 m_connections = 0;
    bool m_ready = true;
    quint64 m_ingested = 0;
    quint64 m_ingestedAtLastTick = 0;
    qint64 m_lastTickMs = 0;
    double m_ingestPerS = 0;
    qint64 m_redisMemory = 0;
    std::function<QCoro::Task<PipelineStats>()> m_pipeline;
    std::function<QHash<QString, qint64>()> m_connectionsByApp;
    QHash<QString, quint64> m_ingestedByApp; // since the last tick
    QByteArray m_appsLine;                   // this node's latest per-app announcement
};

} // namespace confab::admin

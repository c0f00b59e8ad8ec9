#pragma once

#include <QByteArray>
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
};

// Builds PROTOCOL.md section 6 "stats" frames. Every node announces itself in the Redis hash
// `confab:nodes` once a second ("connections ingest_per_s ts"), so any node can list every
// live node of the deployment; entries older than kNodeTtlMs are dropped.
class StatsCollector : public QObject
{
    Q_OBJECT
public:
    static constexpr qint64 kNodeTtlMs = 5000;

    StatsCollector(redis::Client *redis, QString nodeId, QObject *parent = nullptr);

    void setConnections(qint64 n) { m_connections = n; }
    void messageIngested() { ++m_ingested; }
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
    quint64 m_ingested = 0;
    quint64 m_ingestedAtLastTick = 0;
    qint64 m_lastTickMs = 0;
    double m_ingestPerS = 0;
    qint64 m_redisMemory = 0;
    std::function<QCoro::Task<PipelineStats>()> m_pipeline;
};

} // namespace confab::admin

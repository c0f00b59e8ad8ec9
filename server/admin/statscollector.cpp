#include "admin/statscollector.h"

#include "confab/jsonwriter.h"
#include "schema/keys.h"
#include "redis/client.h"

#include <QDateTime>

namespace confab::admin {

namespace {
const QByteArray kNodesKey = QByteArrayLiteral("confab:nodes");

QCoro::Task<PipelineStats> noPipeline()
{
    co_return PipelineStats{};
}
} // namespace

StatsCollector::StatsCollector(redis::Client *redis, QString nodeId, QObject *parent)
    : QObject(parent), m_redis(redis), m_nodeId(std::move(nodeId)), m_pipeline(&noPipeline)
{
    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, this, &StatsCollector::announce);
}

void StatsCollector::start()
{
    m_lastTickMs = QDateTime::currentMSecsSinceEpoch();
    m_tick.start();
    announce();
}

void StatsCollector::announce()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 elapsed = std::max<qint64>(1, now - m_lastTickMs);
    m_ingestPerS = double(m_ingested - m_ingestedAtLastTick) * 1000.0 / double(elapsed);
    m_ingestedAtLastTick = m_ingested;
    m_lastTickMs = now;
    const QByteArray value = QByteArray::number(m_connections) + ' ' + QByteArray::number(m_ingestPerS, 'f', 2) + ' '
        + QByteArray::number(now);
    m_redis->command(schema::keys::cmd("HSET", kNodesKey, m_nodeId.toUtf8(), value), this, [](redis::Reply) {});
}

QCoro::Task<QByteArray> StatsCollector::statsFrame()
{
    auto reading = m_redis->exec(schema::keys::cmd("HGETALL", kNodesKey));
    const redis::Reply nodes = co_await reading;
    auto gathering = m_pipeline();
    const PipelineStats p = co_await gathering;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();

    JsonWriter w(1024);
    w.beginObject().field("type", "stats").field("ts", now).field("node_id", m_nodeId).key("nodes").beginArray();
    qint64 connections = 0;
    double ingest = 0;
    bool sawSelf = false;
    if (nodes) {
        const QList<redis::Value> &kv = nodes->elements;
        for (qsizetype i = 0; i + 1 < kv.size(); i += 2) {
            const QList<QByteArray> parts = kv[i + 1].str.split(' ');
            if (parts.size() != 3)
                continue;
            if (now - parts[2].toLongLong() > kNodeTtlMs) {
                m_redis->command(schema::keys::cmd("HDEL", kNodesKey, kv[i].str), this, [](redis::Reply) {});
                continue;
            }
            const bool self = kv[i].str == m_nodeId.toUtf8();
            sawSelf = sawSelf || self;
            // This node's own figures are the freshest; the others' are at most a second old.
            const qint64 c = self ? m_connections : parts[0].toLongLong();
            const double in = self ? m_ingestPerS : parts[1].toDouble();
            connections += c;
            ingest += in;
            w.beginObject().field("node_id", QByteArrayView(kv[i].str)).field("connections", c).field("ingest_per_s", in).endObject();
        }
    }
    if (!sawSelf) {
        connections += m_connections;
        ingest += m_ingestPerS;
        w.beginObject().field("node_id", m_nodeId).field("connections", m_connections).field("ingest_per_s", m_ingestPerS).endObject();
    }
    w.endArray()
        .field("connections", connections)
        .field("ingest_per_s", ingest)
        .field("stream_depth", p.streamDepth)
        .rawField("streams", p.streamsJson)
        .key("flush")
        .beginObject()
        .field("last_ms", p.flushLastMs)
        .field("p50_ms", p.flushP50Ms)
        .field("p95_ms", p.flushP95Ms)
        .field("p99_ms", p.flushP99Ms)
        .field("segments_total", p.segmentsTotal)
        .field("bytes_total", p.bytesTotal)
        .endObject()
        .key("dead_letters")
        .beginObject()
        .field("count", p.deadLetters)
        .endObject()
        .key("redis")
        .beginObject()
        .field("used_memory_bytes", m_redisMemory)
        .endObject()
        .endObject();
    co_return w.take();
}

} // namespace confab::admin

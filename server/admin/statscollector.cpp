#include "admin/statscollector.h"

#include "confab/jsonwriter.h"
#include "schema/keys.h"
#include "redis/client.h"

#include <QDateTime>

namespace confab::admin {

namespace {
const QByteArray kNodesKey = QByteArrayLiteral("confab:nodes");
const QByteArray kNodeAppsKey = QByteArrayLiteral("confab:nodes:apps");

struct AppFigures {
    qint64 connections = 0;
    double ingest = 0;
};

// Adds one node's per-app announcement ("ts\napp conns ingest\n...") to sums, if it is fresh.
void addAppFigures(const QByteArray &value, qint64 now, QHash<QString, AppFigures> &sums)
{
    const QList<QByteArray> lines = value.split('\n');
    if (lines.isEmpty() || now - lines.first().toLongLong() > StatsCollector::kNodeTtlMs)
        return;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QList<QByteArray> parts = lines[i].split(' ');
        if (parts.size() != 3)
            continue;
        AppFigures &f = sums[QString::fromUtf8(parts[0])];
        f.connections += parts[1].toLongLong();
        f.ingest += parts[2].toDouble();
    }
}

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

void StatsCollector::messageIngested(const QString &appId)
{
    ++m_ingested;
    if (!appId.isEmpty())
        ++m_ingestedByApp[appId]; // bounded: cleared every tick
}

void StatsCollector::announce()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 elapsed = std::max<qint64>(1, now - m_lastTickMs);
    m_ingestPerS = double(m_ingested - m_ingestedAtLastTick) * 1000.0 / double(elapsed);
    m_ingestedAtLastTick = m_ingested;
    m_lastTickMs = now;
    const QByteArray value = QByteArray::number(m_connections) + ' ' + QByteArray::number(m_ingestPerS, 'f', 2) + ' '
        + QByteArray::number(now) + (m_ready ? " 1" : " 0");
    m_redis->command(schema::keys::cmd("HSET", kNodesKey, m_nodeId.toUtf8(), value), this, [](redis::Reply) {});

    QHash<QString, qint64> conns = m_connectionsByApp ? m_connectionsByApp() : QHash<QString, qint64>{};
    for (auto it = m_ingestedByApp.cbegin(); it != m_ingestedByApp.cend(); ++it)
        if (!conns.contains(it.key()))
            conns.insert(it.key(), 0);
    QByteArray apps = QByteArray::number(now);
    for (auto it = conns.cbegin(); it != conns.cend(); ++it) {
        const double in = double(m_ingestedByApp.value(it.key())) * 1000.0 / double(elapsed);
        apps += '\n' + it.key().toUtf8() + ' ' + QByteArray::number(it.value()) + ' ' + QByteArray::number(in, 'f', 2);
    }
    m_ingestedByApp.clear();
    m_appsLine = apps;
    m_redis->command(schema::keys::cmd("HSET", kNodeAppsKey, m_nodeId.toUtf8(), apps), this, [](redis::Reply) {});
}

QCoro::Task<QByteArray> StatsCollector::statsFrame()
{
    auto reading = m_redis->exec(schema::keys::cmd("HGETALL", kNodesKey));
    const redis::Reply nodes = co_await reading;
    auto readingApps = m_redis->exec(schema::keys::cmd("HGETALL", kNodeAppsKey));
    const redis::Reply nodeApps = co_await readingApps;
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
            // "connections ingest_per_s ts ready"; nodes of before readiness sent three fields.
            const QList<QByteArray> parts = kv[i + 1].str.split(' ');
            if (parts.size() != 3 && parts.size() != 4)
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
            const bool ready = self ? m_ready : parts.value(3, "1") != "0";
            w.beginObject().field("node_id", QByteArrayView(kv[i].str)).field("connections", c).field("ingest_per_s", in).field("ready", ready).endObject();
        }
    }
    QHash<QString, AppFigures> appSums;
    bool sawSelfApps = false;
    if (nodeApps) {
        const QList<redis::Value> &kv = nodeApps->elements;
        for (qsizetype i = 0; i + 1 < kv.size(); i += 2) {
            const bool self = kv[i].str == m_nodeId.toUtf8();
            sawSelfApps = sawSelfApps || self;
            addAppFigures(self ? m_appsLine : kv[i + 1].str, now, appSums);
            if (!self && now - kv[i + 1].str.split('\n').first().toLongLong() > kNodeTtlMs)
                m_redis->command(schema::keys::cmd("HDEL", kNodeAppsKey, kv[i].str), this, [](redis::Reply) {});
        }
    }
    if (!sawSelfApps)
        addAppFigures(m_appsLine, now, appSums);
    if (!sawSelf) {
        connections += m_connections;
        ingest += m_ingestPerS;
        w.beginObject().field("node_id", m_nodeId).field("connections", m_connections).field("ingest_per_s", m_ingestPerS).field("ready", m_ready).endObject();
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
        .key("apps")
        .beginArray();
    for (const PipelineStats::App &a : p.apps) {
        const AppFigures f = appSums.value(a.id);
        w.beginObject()
            .field("app_id", a.id)
            .field("name", a.name)
            .field("connections", f.connections)
            .field("ingest_per_s", f.ingest)
            .field("dead_letters", a.deadLetters)
            .endObject();
    }
    w.endArray().endObject();
    co_return w.take();
}

} // namespace confab::admin

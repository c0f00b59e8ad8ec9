#include "core/stats.h"

#include <QJsonArray>

#include <algorithm>

namespace confab::console
{

namespace
{

// 1973-03-03: no stream is older than this, so larger values are epoch times, not ages.
constexpr qint64 kEpochThresholdMs = 100'000'000'000;

// JSON numbers arrive as doubles; integers the server writes fit in 2^53.
bool readInt(const QJsonObject &o, QLatin1String key, qint64 &out, bool required = true)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined() || v.isNull())
        return !required;
    if (!v.isDouble())
        return false;
    out = static_cast<qint64>(v.toDouble());
    return true;
}

bool readDouble(const QJsonObject &o, QLatin1String key, double &out, bool required = true)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined() || v.isNull())
        return !required;
    if (!v.isDouble())
        return false;
    out = v.toDouble();
    return true;
}

bool readString(const QJsonObject &o, QLatin1String key, QString &out, bool required = true)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined() || v.isNull())
        return !required;
    if (!v.isString())
        return false;
    out = v.toString();
    return true;
}

Error badField(const char *what, QLatin1String field)
{
    return Error::badRequest(QStringLiteral("reading %1: field '%2' missing or of the wrong type")
                                 .arg(QLatin1String(what), field));
}

} // namespace

Expected<Stats> parseStats(const QJsonObject &frame)
{
    Stats s;
    if (!readInt(frame, QLatin1String("ts"), s.ts))
        return badField("stats frame", QLatin1String("ts"));
    if (!readString(frame, QLatin1String("node_id"), s.nodeId, false))
        return badField("stats frame", QLatin1String("node_id"));
    if (!readInt(frame, QLatin1String("connections"), s.connections))
        return badField("stats frame", QLatin1String("connections"));
    if (!readDouble(frame, QLatin1String("ingest_per_s"), s.ingestPerS))
        return badField("stats frame", QLatin1String("ingest_per_s"));
    if (!readInt(frame, QLatin1String("stream_depth"), s.streamDepth))
        return badField("stats frame", QLatin1String("stream_depth"));

    const QJsonArray nodes = frame.value(QLatin1String("nodes")).toArray();
    for (const QJsonValue &v : nodes) {
        const QJsonObject o = v.toObject();
        NodeStats n;
        if (!readString(o, QLatin1String("node_id"), n.nodeId))
            return badField("stats node", QLatin1String("node_id"));
        if (!readInt(o, QLatin1String("connections"), n.connections, false))
            return badField("stats node", QLatin1String("connections"));
        const QJsonValue ready = o.value(QLatin1String("ready"));
        if (!ready.isUndefined() && !ready.isBool())
            return badField("stats node", QLatin1String("ready"));
        n.ready = ready.toBool(true);
        s.nodes.append(n);
    }

    const QJsonArray streams = frame.value(QLatin1String("streams")).toArray();
    for (const QJsonValue &v : streams) {
        const QJsonObject o = v.toObject();
        StreamStats st;
        if (!readString(o, QLatin1String("app_id"), st.appId))
            return badField("stats stream", QLatin1String("app_id"));
        if (!readString(o, QLatin1String("convo_id"), st.convoId))
            return badField("stats stream", QLatin1String("convo_id"));
        if (!readInt(o, QLatin1String("depth"), st.depth))
            return badField("stats stream", QLatin1String("depth"));
        if (!readInt(o, QLatin1String("oldest_unflushed_ms"), st.oldestUnflushedAgeMs, false))
            return badField("stats stream", QLatin1String("oldest_unflushed_ms"));
        // PROTOCOL.md's example gives an age (5000); a server sending the record's epoch time
        // instead would still be shown correctly.
        if (st.oldestUnflushedAgeMs > kEpochThresholdMs)
            st.oldestUnflushedAgeMs = std::max<qint64>(0, s.ts - st.oldestUnflushedAgeMs);
        s.streams.append(st);
    }

    const QJsonObject flush = frame.value(QLatin1String("flush")).toObject();
    if (!readDouble(flush, QLatin1String("last_ms"), s.flush.lastMs, false)
        || !readDouble(flush, QLatin1String("p50_ms"), s.flush.p50Ms, false)
        || !readDouble(flush, QLatin1String("p95_ms"), s.flush.p95Ms, false)
        || !readDouble(flush, QLatin1String("p99_ms"), s.flush.p99Ms, false)
        || !readInt(flush, QLatin1String("segments_total"), s.flush.segmentsTotal, false)
        || !readInt(flush, QLatin1String("bytes_total"), s.flush.bytesTotal, false))
        return badField("stats frame", QLatin1String("flush"));

    const QJsonObject dl = frame.value(QLatin1String("dead_letters")).toObject();
    if (!readInt(dl, QLatin1String("count"), s.deadLetterCount, false))
        return badField("stats frame", QLatin1String("dead_letters.count"));
    const QJsonObject redis = frame.value(QLatin1String("redis")).toObject();
    if (!readInt(redis, QLatin1String("used_memory_bytes"), s.redisUsedMemoryBytes, false))
        return badField("stats frame", QLatin1String("redis.used_memory_bytes"));
    const QJsonArray apps = frame.value(QLatin1String("apps")).toArray();
    for (const QJsonValue &v : apps) {
        const QJsonObject o = v.toObject();
        AppStats a;
        if (!readString(o, QLatin1String("app_id"), a.appId) || !readString(o, QLatin1String("name"), a.name, false)
            || !readInt(o, QLatin1String("connections"), a.connections, false)
            || !readDouble(o, QLatin1String("ingest_per_s"), a.ingestPerS, false)
            || !readInt(o, QLatin1String("dead_letters"), a.deadLetters, false))
            return badField("stats frame", QLatin1String("apps"));
        s.apps.append(a);
    }
    return s;
}

Expected<DeadLetter> parseDeadLetter(const QJsonObject &o)
{
    DeadLetter d;
    if (!readString(o, QLatin1String("id"), d.id))
        return badField("dead letter", QLatin1String("id"));
    if (!readString(o, QLatin1String("kind"), d.kind))
        return badField("dead letter", QLatin1String("kind"));
    if (!readString(o, QLatin1String("app_id"), d.appId, false))
        return badField("dead letter", QLatin1String("app_id"));
    if (!readString(o, QLatin1String("convo_id"), d.convoId, false))
        return badField("dead letter", QLatin1String("convo_id"));
    if (!readInt(o, QLatin1String("first_seq"), d.firstSeq, false))
        return badField("dead letter", QLatin1String("first_seq"));
    if (!readInt(o, QLatin1String("last_seq"), d.lastSeq, false))
        return badField("dead letter", QLatin1String("last_seq"));
    if (!readInt(o, QLatin1String("attempts"), d.attempts, false))
        return badField("dead letter", QLatin1String("attempts"));
    if (!readString(o, QLatin1String("error"), d.error, false))
        return badField("dead letter", QLatin1String("error"));
    if (!readInt(o, QLatin1String("created_ms"), d.createdMs, false))
        return badField("dead letter", QLatin1String("created_ms"));
    if (!readInt(o, QLatin1String("last_attempt_ms"), d.lastAttemptMs, false))
        return badField("dead letter", QLatin1String("last_attempt_ms"));
    return d;
}

} // namespace confab::console

#pragma once

#include <QJsonDocument>
#include <QJsonObject>

// Frames shaped exactly like the examples of PROTOCOL.md section 6.
namespace confab::console::test
{

inline QJsonObject protocolStatsFrame()
{
    return QJsonDocument::fromJson(
        R"({"type":"stats","ts":1732240000000,"node_id":"n1","nodes":[{"node_id":"n1","connections":12}],
 "connections":12,"ingest_per_s":350.5,
 "stream_depth":1234,"streams":[{"app_id":"a","convo_id":"c1","depth":300,"oldest_unflushed_ms":5000}],
 "flush":{"last_ms":12.5,"p50_ms":10.1,"p95_ms":30.2,"p99_ms":44.0,"segments_total":88,"bytes_total":1048576},
 "dead_letters":{"count":2},"redis":{"used_memory_bytes":12345678}})")
        .object();
}

inline QJsonObject protocolDeadLetter(const QString &id, qint64 firstSeq = 1, qint64 lastSeq = 40)
{
    QJsonObject o
        = QJsonDocument::fromJson(R"({"id":"","kind":"segment_flush","app_id":"a","convo_id":"c1",
 "first_seq":0,"last_seq":0,"attempts":5,"error":"PUT segments/a/01J: connection refused",
 "created_ms":1732240000000,"last_attempt_ms":1732240090000})")
              .object();
    o.insert(QStringLiteral("id"), id);
    o.insert(QStringLiteral("first_seq"), firstSeq);
    o.insert(QStringLiteral("last_seq"), lastSeq);
    return o;
}

} // namespace confab::console::test

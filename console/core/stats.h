#pragma once

#include "confab/expected.h"

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

namespace confab::console
{

// The figures of one admin WebSocket `stats` frame (PROTOCOL.md section 6).
struct NodeStats {
    QString nodeId;
    qint64 connections = 0;
    bool ready = true; // its /readyz checks passed last time (absent from older servers: true)
};

struct StreamStats {
    QString appId;
    QString convoId;
    qint64 depth = 0;
    qint64 oldestUnflushedAgeMs = 0; // age of the oldest record not yet in a segment
};

struct FlushStats {
    double lastMs = 0;
    double p50Ms = 0;
    double p95Ms = 0;
    double p99Ms = 0;
    qint64 segmentsTotal = 0;
    qint64 bytesTotal = 0;
};

// One app's figures over the deployment (docs/protocol.md, stats "apps", an addition).
struct AppStats {
    QString appId;
    QString name;
    qint64 connections = 0;
    double ingestPerS = 0;
    qint64 deadLetters = 0;
};

struct Stats {
    qint64 ts = 0;
    QString nodeId;
    QList<NodeStats> nodes;
    qint64 connections = 0;
    double ingestPerS = 0;
    qint64 streamDepth = 0;
    QList<StreamStats> streams;
    FlushStats flush;
    qint64 deadLetterCount = 0;
    qint64 redisUsedMemoryBytes = 0;
    QList<AppStats> apps; // empty from a server without the addition
};

// One batch the server could not write to object storage (PROTOCOL.md section 6).
struct DeadLetter {
    QString id;
    QString kind;
    QString appId;
    QString convoId;
    qint64 firstSeq = 0;
    qint64 lastSeq = 0;
    qint64 attempts = 0;
    QString error;
    qint64 createdMs = 0;
    qint64 lastAttemptMs = 0;
};

// Fields the protocol may add later are ignored; a missing required field is bad_request.
[[nodiscard]] Expected<Stats> parseStats(const QJsonObject &frame);
[[nodiscard]] Expected<DeadLetter> parseDeadLetter(const QJsonObject &item);

} // namespace confab::console

Q_DECLARE_METATYPE(confab::console::Stats)
Q_DECLARE_METATYPE(confab::console::DeadLetter)

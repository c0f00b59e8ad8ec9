#pragma once

#include "core/stats.h"

#include <QHash>
#include <QList>

namespace confab::console
{

// One app's part of a sample: depth of its streams listed in the frame, its ingest rate.
struct AppSample {
    qint64 streamDepth = 0;
    double ingestPerS = 0;
    qint64 connections = 0;
};

// The figures the Overview charts plot, one sample per stats frame.
struct StatsSample {
    qint64 ts = 0;
    qint64 streamDepth = 0;
    double ingestPerS = 0;
    double flushP50Ms = 0;
    double flushP95Ms = 0;
    double flushP99Ms = 0;
    QHash<QString, AppSample> apps; // by app id, for charts narrowed to one app

    // This sample narrowed to one app (flush latency stays the node's: it is not per app).
    [[nodiscard]] StatsSample forApp(const QString &appId) const;
};

// A fixed-size ring of the latest samples: memory stays bounded however long the console runs.
class StatsHistory
{
public:
    explicit StatsHistory(qsizetype capacity = 600);

    void append(const Stats &stats);
    void append(const StatsSample &sample);
    void clear();

    [[nodiscard]] qsizetype capacity() const { return m_capacity; }
    [[nodiscard]] qsizetype size() const { return m_size; }
    [[nodiscard]] bool isEmpty() const { return m_size == 0; }
    // Oldest first.
    [[nodiscard]] QList<StatsSample> samples() const;
    // Samples with ts >= sinceMs, oldest first.
    [[nodiscard]] QList<StatsSample> samplesSince(qint64 sinceMs) const;
    [[nodiscard]] StatsSample latest() const;

private:
    QList<StatsSample> m_ring;
    qsizetype m_capacity;
    qsizetype m_start = 0;
    qsizetype m_size = 0;
};

} // namespace confab::console

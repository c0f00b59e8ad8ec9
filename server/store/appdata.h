#pragma once

#include "confab/expected.h"

#include <QFuture>
#include <QList>
#include <QString>
#include <QStringList>

namespace confab::store {

class Database;

// What an app holds in PostgreSQL, for the console's "delete app" confirmation.
struct AppDataCounts
{
    qint64 conversations = 0;
    qint64 members = 0;
    qint64 keys = 0;          // usable keys (not revoked, not expired)
    qint64 messages = 0;      // messages in the history index (flushed to object storage)
    qint64 segments = 0;
    qint64 deadLetters = 0;   // open ones
};

// What a removal took away, and what the caller still has to clean outside PostgreSQL.
struct RemovedApp
{
    AppDataCounts counts;
    QStringList keyIds;         // every key of the app, so sessions using them can be ended
    QStringList segmentKeys;    // objects to delete from object storage
    QStringList conversationIds; // Redis tails to delete
};

// One row of the stats frame's per-app figures that PostgreSQL knows.
struct AppSummary
{
    QString id;
    QString name;
    qint64 deadLetters = 0;
};

// Reads and removes an app's data across the tables (apps, api_keys, conversations, members,
// segments, segment_blocks, flush_state, dead_letters).
class AppDataRepository
{
public:
    explicit AppDataRepository(Database *db);

    QFuture<Expected<AppDataCounts>> counts(QString appId); // NotFound
    // In one transaction; NotFound if the app does not exist.
    QFuture<Expected<RemovedApp>> remove(QString appId);
    // Every app (oldest first, at most kMaxSummaries) with its open dead letters.
    QFuture<Expected<QList<AppSummary>>> summaries();

    static constexpr int kMaxSummaries = 1000;

private:
    Database *m_db;
};

} // namespace confab::store

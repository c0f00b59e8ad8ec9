#pragma once

#include "confab/expected.h"

#include <QCoro/QCoroTask>
#include <QList>
#include <QObject>

namespace confab::redis {
class Client;
}

namespace confab::messaging {

// One page of a conversation's history: envelopes (JSON bytes) in ascending seq_no.
struct Page {
    QList<QByteArray> messages;
    qint64 firstSeq = 0;   // of the page, 0 when empty
    qint64 lastSeq = 0;
    bool hasMore = false;  // more in the direction read
};

// Reads history from the Redis tail, whose stream entry ids are the seq_no (docs/redis.md).
class HistoryReader : public QObject
{
    Q_OBJECT
public:
    explicit HistoryReader(redis::Client *redis, QObject *parent = nullptr);

    static constexpr int kMaxLimit = 200;

    // seq_no > afterSeq, ascending.
    QCoro::Task<Expected<Page>> after(QString appId, QByteArray convoId, qint64 afterSeq, int limit);
    // The `limit` messages just before beforeSeq, ascending; hasMore if older ones exist.
    QCoro::Task<Expected<Page>> before(QString appId, QByteArray convoId, qint64 beforeSeq, int limit);
    // The newest `limit` messages.
    QCoro::Task<Expected<Page>> latest(QString appId, QByteArray convoId, int limit);

private:
    QCoro::Task<Expected<Page>> read(QList<QByteArray> command, int limit, bool reverse);
    redis::Client *m_redis;
};

} // namespace confab::messaging

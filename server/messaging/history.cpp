#include "messaging/history.h"

#include "messaging/keys.h"
#include "redis/client.h"

#include <algorithm>

namespace confab::messaging {

HistoryReader::HistoryReader(redis::Client *redis, QObject *parent) : QObject(parent), m_redis(redis) { }

QCoro::Task<Expected<Page>> HistoryReader::after(QString appId, QByteArray convoId, qint64 afterSeq, int limit)
{
    limit = std::clamp(limit, 1, kMaxLimit);
    auto pending1 = read(keys::cmd("XRANGE", keys::log(appId, convoId), QByteArray::number(afterSeq + 1) + "-0", "+",
                                      "COUNT", QByteArray::number(limit + 1)),
                            limit, false);
    co_return co_await pending1;
}

QCoro::Task<Expected<Page>> HistoryReader::before(QString appId, QByteArray convoId, qint64 beforeSeq, int limit)
{
    limit = std::clamp(limit, 1, kMaxLimit);
    if (beforeSeq <= 1)
        co_return Page{};
    auto pending2 = read(keys::cmd("XREVRANGE", keys::log(appId, convoId), QByteArray::number(beforeSeq - 1) + "-0", "-",
                                      "COUNT", QByteArray::number(limit + 1)),
                            limit, true);
    co_return co_await pending2;
}

QCoro::Task<Expected<Page>> HistoryReader::latest(QString appId, QByteArray convoId, int limit)
{
    limit = std::clamp(limit, 1, kMaxLimit);
    auto pending3 = read(keys::cmd("XREVRANGE", keys::log(appId, convoId), "+", "-", "COUNT", QByteArray::number(limit + 1)),
                            limit, true);
    co_return co_await pending3;
}

QCoro::Task<Expected<Page>> HistoryReader::read(QList<QByteArray> command, int limit, bool reverse)
{
    auto pending4 = m_redis->exec(std::move(command));
    const redis::Reply r = co_await pending4;
    if (!r)
        co_return Error::unavailable(QStringLiteral("reading history: %1").arg(r.error().message));
    Page page;
    QList<redis::Value> entries = r->elements;
    if (entries.size() > limit) {
        page.hasMore = true;
        entries.resize(limit);
    }
    if (reverse)
        std::reverse(entries.begin(), entries.end());
    page.messages.reserve(entries.size());
    for (const redis::Value &entry : entries) {
        if (entry.elements.size() != 2)
            continue;
        const QByteArray &id = entry.elements[0].str;
        const qint64 seq = id.left(id.indexOf('-')).toLongLong();
        const QList<redis::Value> &fields = entry.elements[1].elements;
        for (qsizetype i = 0; i + 1 < fields.size(); i += 2) {
            if (fields[i].str == "m") {
                page.messages.append(fields[i + 1].str);
                break;
            }
        }
        if (page.firstSeq == 0)
            page.firstSeq = seq;
        page.lastSeq = seq;
    }
    co_return page;
}

} // namespace confab::messaging

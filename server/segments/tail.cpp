#include "segments/tail.h"

#include "redis/client.h"

#include <QPromise>

#include <memory>

namespace confab::segments::tail
{

namespace
{

struct Collector {
    QPromise<QList<redis::Reply>> promise;
    QList<std::optional<redis::Reply>> replies;
    qsizetype outstanding = 0;

    void deliver(qsizetype i, redis::Reply r)
    {
        replies[i] = std::move(r);
        if (--outstanding > 0)
            return;
        QList<redis::Reply> out;
        out.reserve(replies.size());
        for (std::optional<redis::Reply> &reply : replies)
            out.append(std::move(*reply));
        promise.addResult(std::move(out));
        promise.finish();
    }
};

std::shared_ptr<Collector> makeCollector(qsizetype n)
{
    auto c = std::make_shared<Collector>();
    c->replies.resize(n);
    c->outstanding = n;
    c->promise.start();
    if (n == 0) {
        c->promise.addResult(QList<redis::Reply> {});
        c->promise.finish();
    }
    return c;
}

} // namespace

qint64 envelopeTs(QByteArrayView envelope)
{
    static constexpr QByteArrayView needle = ",\"ts\":";
    const qsizetype at = envelope.indexOf(needle);
    if (at < 0)
        return 0;
    qint64 ts = 0;
    for (qsizetype i = at + needle.size(); i < envelope.size(); ++i) {
        const char c = envelope[i];
        if (c < '0' || c > '9')
            break;
        ts = ts * 10 + (c - '0');
    }
    return ts;
}

QList<segment::Record> toRecords(const redis::Value &reply)
{
    QList<segment::Record> out;
    out.reserve(reply.elements.size());
    for (const redis::Value &entry : reply.elements) {
        if (entry.elements.size() != 2)
            continue;
        const QByteArray &id = entry.elements[0].str;
        bool ok = false;
        const qint64 seq = id.left(id.indexOf('-')).toLongLong(&ok);
        if (!ok)
            continue;
        const QList<redis::Value> &fields = entry.elements[1].elements;
        for (qsizetype i = 0; i + 1 < fields.size(); i += 2) {
            if (fields[i].str == "m") {
                const QByteArray &payload = fields[i + 1].str;
                out.append(segment::Record { seq, envelopeTs(payload), payload });
                break;
            }
        }
    }
    return out;
}

QFuture<QList<redis::Reply>> batch(redis::Client *client, QList<QList<QByteArray>> commands)
{
    auto c = makeCollector(commands.size());
    for (qsizetype i = 0; i < commands.size(); ++i)
        client->command(
            commands[i], nullptr, [c, i](redis::Reply r) { c->deliver(i, std::move(r)); });
    return c->promise.future();
}

QFuture<QList<redis::Reply>> batchEval(
    redis::Client *client, const redis::Script &script, QList<ScriptCall> calls)
{
    auto c = makeCollector(calls.size());
    for (qsizetype i = 0; i < calls.size(); ++i)
        client->evalScript(script, calls[i].keys, calls[i].args, nullptr,
            [c, i](redis::Reply r) { c->deliver(i, std::move(r)); });
    return c->promise.future();
}

} // namespace confab::segments::tail

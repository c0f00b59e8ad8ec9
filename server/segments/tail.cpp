#include "segments/tail.h"

#include "redis/client.h"

#include <QPromise>

#include <functional>
#include <memory>
#include <optional>

namespace confab::segments::tail
{

namespace
{

// Hands call i to Redis with the callback that takes its reply.
using SendCall = std::function<void(qsizetype i, std::function<void(redis::Reply)> done)>;

// Sends the batch's calls, `window` at a time (all at once for 0), and collects the replies in
// order. Once a reply says the connection is gone (Unavailable: lost, timed out, closed, or the
// Client being destroyed), the calls not yet sent get that answer without being sent.
struct Collector : std::enable_shared_from_this<Collector> {
    QPromise<QList<redis::Reply>> promise;
    QList<std::optional<redis::Reply>> replies;
    SendCall send;
    qsizetype window = 0;
    qsizetype next = 0; // first call not yet sent
    qsizetype outstanding = 0; // replies not yet in
    std::optional<redis::Reply> gone;

    void start()
    {
        promise.start();
        outstanding = replies.size();
        if (replies.isEmpty()) {
            finish();
            return;
        }
        while (next < replies.size() && (window == 0 || next < window))
            sendNext();
    }

    void sendNext()
    {
        const qsizetype i = next++;
        send(i, [self = shared_from_this(), i](redis::Reply r) { self->deliver(i, std::move(r)); });
    }

    void deliver(qsizetype i, redis::Reply r)
    {
        if (!r && r.error().code == ErrorCode::Unavailable && !gone)
            gone = r;
        replies[i] = std::move(r);
        --outstanding;
        if (next < replies.size()) {
            if (gone) {
                for (; next < replies.size(); ++next, --outstanding)
                    replies[next] = *gone;
            } else {
                sendNext();
            }
        }
        if (outstanding == 0)
            finish();
    }

    void finish()
    {
        send = nullptr;
        QList<redis::Reply> out;
        out.reserve(replies.size());
        for (std::optional<redis::Reply> &reply : replies)
            out.append(std::move(*reply));
        promise.addResult(std::move(out));
        promise.finish();
    }
};

QFuture<QList<redis::Reply>> run(qsizetype n, qsizetype window, SendCall send)
{
    auto c = std::make_shared<Collector>();
    c->replies.resize(n);
    c->window = window;
    c->send = std::move(send);
    QFuture<QList<redis::Reply>> future = c->promise.future();
    c->start();
    return future;
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

QFuture<QList<redis::Reply>> batch(
    redis::Client *client, QList<QList<QByteArray>> commands, qsizetype window)
{
    const qsizetype n = commands.size();
    return run(n, window,
        [client, commands = std::move(commands)](
            qsizetype i, std::function<void(redis::Reply)> done) {
            client->command(commands[i], nullptr, std::move(done));
        });
}

QFuture<QList<redis::Reply>> batchEval(redis::Client *client, const redis::Script &script,
    QList<ScriptCall> calls, qsizetype window)
{
    const qsizetype n = calls.size();
    return run(n, window,
        [client, script, calls = std::move(calls)](
            qsizetype i, std::function<void(redis::Reply)> done) {
            client->evalScript(script, calls[i].keys, calls[i].args, nullptr, std::move(done));
        });
}

} // namespace confab::segments::tail

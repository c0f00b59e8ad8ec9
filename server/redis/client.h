#pragma once

#include "redis/args.h"
#include "redis/options.h"
#include "redis/script.h"
#include "redis/value.h"

#include <QObject>
#include <qcoro/qcorotask.h>

#include <functional>
#include <memory>

namespace confab::redis
{

// Commands and Lua scripts on one pipelined connection. Replies come back in order on the
// thread that owns the Client. A command that times out fails, and so does everything in
// flight with it: the connection is reset, because one that stalls that long cannot be trusted.
// With Options::clusterNodes, a Redis Cluster: one pipelined connection per master, each command
// sent to the master of its key's slot, MOVED/ASK followed (docs/redis.md); keys of one command
// on different slots fail with "redis: CROSSSLOT". PUBLISH to a channel with a hash tag is sent
// as SPUBLISH (sharded pub/sub, what Subscriber listens to for such channels), in both modes.
class Client : public QObject
{
    Q_OBJECT
public:
    explicit Client(Options options, QObject *parent = nullptr);
    ~Client() override; // in-flight callbacks get Unavailable (unless their ctx is gone)

    void start(); // connect; on loss reconnect with backoff, forever
    // For shutdown: answers everything in flight now with Unavailable (so coroutines awaiting a
    // reply resume while their objects still exist), then refuses every later command.
    void close(const QString &reason);
    [[nodiscard]] bool isConnected() const;
    [[nodiscard]] const Options &options() const;

    // Sends one command. cb is called exactly once on this thread (reply, error or timeout),
    // never from inside command(), unless ctx is destroyed first; ctx may be nullptr. Commands
    // issued in one event-loop iteration go out in one write. While disconnected it fails fast
    // with Unavailable: nothing is queued for later.
    void command(const QList<QByteArray> &args, QObject *ctx, std::function<void(Reply)> cb);
    // EVALSHA, and EVAL when Redis answers NOSCRIPT (that retry goes after commands sent since).
    // A script with a module command (Script::moduleCommand) is sent as that command while
    // Options::useModule; where Redis does not know it, the script runs instead, and that command
    // is not tried again until the connection is made again (docs/redis.md, "The accept module").
    // The arguments are written once (Args); a QList converts.
    void evalScript(const Script &script, const QList<QByteArray> &keys, const Args &args,
        QObject *ctx, std::function<void(Reply)> cb);

    // Coroutine forms of the two above. Don't let the Client die while awaiting them from a
    // coroutine of an object that dies with it.
    QCoro::Task<Reply> exec(QList<QByteArray> args);
    QCoro::Task<Reply> eval(const Script &script, QList<QByteArray> keys, Args args);

    // For metrics: commands handed to Redis (handshake and script reloads included), writes
    // held back to go with later commands (Options::writeHoldMs), and connections
    // re-established after a loss.
    [[nodiscard]] quint64 commandsSent() const;
    [[nodiscard]] quint64 writesHeld() const;
    [[nodiscard]] quint64 reconnects() const;

Q_SIGNALS:
    // Connected, authenticated and the database selected; in a cluster: the slot map loaded and
    // every master's connection ready (disconnected() when one of them is lost).
    void connected();
    void disconnected(); // a connected client lost its connection; reconnecting already

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace confab::redis

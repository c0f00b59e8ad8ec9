#include "redis/client.h"

#include "redis/clusterclient_p.h"
#include "redis/connection_p.h"
#include "redis/keyslot.h"
#include "redis/logging.h"

#include <QPointer>
#include <QSet>

#include <coroutine>
#include <optional>

namespace confab::redis
{

using detail::ClusterRouter;
using detail::Connection;
using detail::ReplyFn;

class Client::Private
{
public:
    explicit Private(Options options)
        : conn(options, QStringLiteral("client"))
    {
        if (options.isCluster())
            router = std::make_unique<ClusterRouter>(std::move(options), QStringLiteral("client"));
    }
    // The one connection to a single Redis; in cluster mode it only keeps the options and the
    // router has a connection per master. The single-Redis path stays one call, no allocation.
    Connection conn;
    std::unique_ptr<ClusterRouter> router;
    // Module commands Redis answered "unknown command" (or NOPERM) to since the last connect:
    // their scripts run in Lua until Redis is reached again (it may have been restarted with
    // the module, or another master answers after a failover).
    QSet<QByteArray> missingModuleCommands;

    void send(const QList<QByteArray> &args, ReplyFn fn)
    {
        if (router)
            router->send(args, std::move(fn));
        else
            conn.send(args, std::move(fn));
    }
    // A verb and its arguments, written already (Args): on a cluster the router reads them back
    // (it routes by the keys, and resends on MOVED and ASK).
    void send(const QByteArray &verb, const Args &rest, ReplyFn fn)
    {
        if (router) {
            QList<QByteArray> args = rest.toList();
            args.prepend(verb);
            router->send(args, std::move(fn));
        } else {
            conn.send(verb, rest, std::move(fn));
        }
    }
};

namespace
{

// PUBLISH to a channel with a hash tag goes out as SPUBLISH: the Subscriber listens to such
// channels with SSUBSCRIBE (sharded pub/sub, on the slot's master in a cluster).
bool isTaggedPublish(const QList<QByteArray> &args)
{
    return args.size() == 3 && args.constFirst().size() == 7
        && qstricmp(args.constFirst().constData(), "PUBLISH") == 0 && hasHashTag(args.at(1));
}

ReplyFn guarded(QObject *ctx, std::function<void(Reply)> cb)
{
    if (!ctx)
        return cb;
    return [ctx = QPointer<QObject>(ctx), cb = std::move(cb)](Reply r) {
        if (ctx)
            cb(std::move(r));
    };
}

// Redis did not run the command: it does not know it, or this user may not run it.
bool isMissingCommand(const Error &error)
{
    return error.message.startsWith(QLatin1String("redis: ERR unknown command"))
        || error.message.startsWith(QLatin1String("redis: NOPERM"));
}

// What follows a script's verb: its body (a module command has none: empty), the number of
// keys, the keys, the arguments.
Args scriptArgs(const QByteArray &body, const QList<QByteArray> &keys, const Args &args)
{
    qsizetype size = body.size() + args.resp().size() + 32;
    for (const QByteArray &k : keys)
        size += k.size() + 16;
    Args all;
    all.reserve(size);
    if (!body.isEmpty())
        all.add(body);
    all.addNumber(keys.size());
    for (const QByteArray &k : keys)
        all.add(k);
    all.append(args);
    return all;
}

// Awaits one reply: issue() sends the command with the callback that resumes the coroutine.
class ReplyAwaiter
{
public:
    explicit ReplyAwaiter(std::function<void(ReplyFn)> issue)
        : m_issue(std::move(issue))
    {
    }

    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> handle)
    {
        m_state->handle = handle;
        m_issue([state = m_state](Reply r) {
            state->reply.emplace(std::move(r));
            if (state->suspended)
                state->handle.resume();
        });
        if (m_state->reply)
            return false; // answered synchronously (only while the client is being destroyed)
        m_state->suspended = true;
        return true;
    }
    Reply await_resume() { return std::move(*m_state->reply); }

private:
    struct State {
        std::optional<Reply> reply;
        std::coroutine_handle<> handle;
        bool suspended = false;
    };
    std::function<void(ReplyFn)> m_issue;
    std::shared_ptr<State> m_state = std::make_shared<State>();
};

} // namespace

Client::Client(Options options, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(std::move(options)))
{
    connect(this, &Client::connected, this, [this] { d->missingModuleCommands.clear(); });
    if (d->router) {
        connect(d->router.get(), &ClusterRouter::ready, this, &Client::connected);
        connect(d->router.get(), &ClusterRouter::lost, this, &Client::disconnected);
    } else {
        connect(&d->conn, &Connection::ready, this, &Client::connected);
        connect(&d->conn, &Connection::lost, this, &Client::disconnected);
    }
}

Client::~Client() = default;

void Client::start()
{
    if (d->router)
        d->router->start();
    else
        d->conn.start();
}

void Client::close(const QString &reason)
{
    if (d->router)
        d->router->close(reason);
    else
        d->conn.close(reason);
}

bool Client::isConnected() const
{
    return d->router ? d->router->isReady() : d->conn.isReady();
}

const Options &Client::options() const
{
    return d->conn.options();
}

quint64 Client::commandsSent() const
{
    return d->router ? d->router->commandsSent() : d->conn.commandsSent();
}

quint64 Client::writesHeld() const
{
    return d->router ? d->router->writesHeld() : d->conn.writesHeld();
}

quint64 Client::reconnects() const
{
    return d->router ? d->router->reconnects() : d->conn.reconnects();
}

void Client::command(const QList<QByteArray> &args, QObject *ctx, std::function<void(Reply)> cb)
{
    if (Q_UNLIKELY(isTaggedPublish(args))) {
        QList<QByteArray> sharded = args;
        sharded.first() = QByteArrayLiteral("SPUBLISH");
        d->send(sharded, guarded(ctx, std::move(cb)));
        return;
    }
    d->send(args, guarded(ctx, std::move(cb)));
}

void Client::evalScript(const Script &script, const QList<QByteArray> &keys, const Args &args,
    QObject *ctx, std::function<void(Reply)> cb)
{
    static const QByteArray evalsha = QByteArrayLiteral("EVALSHA");
    static const QByteArray eval = QByteArrayLiteral("EVAL");
    if (!script.moduleCommand().isEmpty() && d->conn.options().useModule
        && !d->missingModuleCommands.contains(script.moduleCommand())) {
        // The module's command, the script where Redis does not have it (it ran nothing then,
        // so running the script instead is safe; like NOSCRIPT's retry, it goes after commands
        // sent since).
        auto onReply = [self = QPointer<Client>(this), script, keys, args,
                           cb = guarded(ctx, std::move(cb))](Reply r) mutable {
            if (!r && self && isMissingCommand(r.error())) {
                if (!self->d->missingModuleCommands.contains(script.moduleCommand())) {
                    self->d->missingModuleCommands.insert(script.moduleCommand());
                    qCInfo(lcRedis).noquote() << "Redis does not run" << script.moduleCommand()
                                              << "(confab-redis.so not loaded, docs/redis.md): its "
                                                 "Lua script runs instead";
                }
                self->evalScript(script, keys, args, nullptr, std::move(cb));
                return;
            }
            cb(std::move(r));
        };
        d->send(script.moduleCommand(), scriptArgs({}, keys, args), std::move(onReply));
        return;
    }
    // After a restart or SCRIPT FLUSH the cache is empty; EVAL runs and caches it again. The
    // retry goes after the commands sent since; on a cluster through the router (EVAL has
    // EVALSHA's keys, so the same master).
    auto onReply = [self = QPointer<Client>(this), source = script.source(), keys, args,
                       cb = guarded(ctx, std::move(cb))](Reply r) mutable {
        if (!r && self && r.error().message.startsWith(QLatin1String("redis: NOSCRIPT"))) {
            self->d->send(eval, scriptArgs(source, keys, args), std::move(cb));
            return;
        }
        cb(std::move(r));
    };
    d->send(evalsha, scriptArgs(script.sha1(), keys, args), std::move(onReply));
}

// The awaiters are named locals: GCC 12 frees temporaries of a co_await expression too early.
QCoro::Task<Reply> Client::exec(QList<QByteArray> args)
{
    ReplyAwaiter awaiter(
        [this, args = std::move(args)](ReplyFn fn) { command(args, nullptr, std::move(fn)); });
    Reply reply = co_await awaiter;
    co_return reply;
}

QCoro::Task<Reply> Client::eval(const Script &script, QList<QByteArray> keys, Args args)
{
    // Copied before the first suspension: the caller's Script may be gone when we resume.
    ReplyAwaiter awaiter(
        [this, script, keys = std::move(keys), args = std::move(args)](
            ReplyFn fn) { evalScript(script, keys, args, nullptr, std::move(fn)); });
    Reply reply = co_await awaiter;
    co_return reply;
}

} // namespace confab::redis

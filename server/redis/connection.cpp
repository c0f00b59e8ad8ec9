// Connection: requests and their replies over hiredis's async API, deadlines, and losing the
// connection and coming back. Getting to a serving master: connectionsetup.cpp.
#include "redis/connection_p.h"

#include "redis/eventadapter_p.h"
#include "redis/logging.h"
#include "redis/masterlocator_p.h"

#include <QPointer>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <poll.h>

#include <algorithm>

namespace confab::redis::detail
{

namespace
{

// How many reads of up to 16 KB one readiness report of a Redis socket takes at most (onReadable).
constexpr int kReadRounds = 64;

// Empties `out` for a command of about `size` bytes, keeping its capacity: past 64 KiB (a
// script's source, a large batch) the buffer is not kept for the next one.
void resetFor(QByteArray &out, qsizetype size)
{
    if (out.capacity() > 65536 && size <= 65536)
        out = QByteArray();
    out.resize(0);
    out.reserve(size);
}

// A command in RESP's multi-bulk form, written over `out` (whose capacity is kept, so a
// connection formats every command in the same buffer; hiredis copies it into its own output
// buffer). hiredis's *CommandArgv functions format into a fresh sds, two allocations a command,
// and needed the argv and length arrays beside it.
void formatCommand(QByteArray &out, const QList<QByteArray> &args)
{
    qsizetype size = 16;
    for (const QByteArray &a : args)
        size += a.size() + 16;
    resetFor(out, size);
    Args::appendCount(out, args.size());
    for (const QByteArray &a : args)
        Args::appendBulk(out, a);
}

// The same for a verb and arguments written already (Args): one copy of them.
void formatCommand(QByteArray &out, const QByteArray &verb, const Args &rest)
{
    resetFor(out, 48 + verb.size() + rest.resp().size());
    Args::appendCount(out, rest.size() + 1);
    Args::appendBulk(out, verb);
    out.append(rest.resp());
}

} // namespace

Connection::Connection(Options options, QString role, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_role(std::move(role))
{
    if (m_options.host.isEmpty() && m_options.socketPath.isEmpty()) {
        // Options filled by hand with only a URL: parse it here so both ways work.
        auto parsed = Options::fromUrl(m_options.url);
        if (parsed) {
            parsed->commandTimeoutMs = m_options.commandTimeoutMs;
            parsed->reconnectMinMs = m_options.reconnectMinMs;
            parsed->reconnectMaxMs = m_options.reconnectMaxMs;
            parsed->name = m_options.name;
            parsed->useModule = m_options.useModule;
            parsed->writeHoldMs = m_options.writeHoldMs;
            parsed->writeHoldAbovePerS = m_options.writeHoldAbovePerS;
            m_options = *parsed;
        } else {
            m_invalidReason = parsed.error().message;
        }
    }
    m_options.commandTimeoutMs = qMax<qint64>(1, m_options.commandTimeoutMs);
    m_options.reconnectMinMs = qMax<qint64>(1, m_options.reconnectMinMs);
    m_options.reconnectMaxMs = qMax(m_options.reconnectMinMs, m_options.reconnectMaxMs);
    m_backoffMs = m_options.reconnectMinMs;
    m_writeRate = RateLatch(m_options.writeHoldAbovePerS);
    m_clock.start();
    m_timer.setSingleShot(true);
    m_reconnectTimer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &Connection::onTimer);
    m_holdTimer.setSingleShot(true);
    m_holdTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_holdTimer, &QTimer::timeout, this, &Connection::writeQueued);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &Connection::connectNow);
    if (m_options.usesSentinel()) {
        m_locator = new MasterLocator(m_options, this);
        connect(m_locator, &MasterLocator::found, this, &Connection::onMasterFound);
        connect(m_locator, &MasterLocator::failed, this, &Connection::onMasterUnknown);
        connect(m_locator, &MasterLocator::switched, this, &Connection::onMasterSwitched);
    }
}

Connection::~Connection()
{
    m_state = State::Closing;
    // Now, while our members live: the Sentinel's in-flight replies find it gone and return.
    delete std::exchange(m_locator, nullptr);
    if (m_lookupId >= 0)
        QHostInfo::abortHostLookup(m_lookupId);
    // Detach first so hiredis's NULL-reply callbacks (now, or deferred when we are being deleted
    // from inside one of its callbacks) no longer reach this object; we answer them below.
    if (m_freeing)
        detach(m_freeing);
    if (m_ac) {
        redisAsyncContext *ac = std::exchange(m_ac, nullptr);
        detach(ac);
        redisAsyncFree(ac);
    }
    const Error gone = Error::unavailable(
        QStringLiteral("redis %1 destroyed with the command in flight").arg(m_role));
    std::deque<Pending> pending;
    pending.swap(m_pending);
    QList<Failure> failures;
    failures.swap(m_failures);
    for (Pending &p : pending)
        p.fn(gone);
    for (Failure &f : failures)
        f.fn(f.error);
}

void Connection::close(const QString &reason)
{
    if (m_state == State::Closed)
        return;
    m_state = State::Closed;
    ++m_generation; // a scheduled dropLater() is void now
    m_timer.stop();
    m_reconnectTimer.stop();
    if (m_locator)
        m_locator->stop();
    if (m_lookupId >= 0) {
        QHostInfo::abortHostLookup(m_lookupId);
        m_lookupId = -1;
    }
    if (m_ac) {
        // As in the destructor: detached first, so hiredis's NULL replies do not reach us.
        redisAsyncContext *ac = std::exchange(m_ac, nullptr);
        detach(ac);
        redisAsyncFree(ac);
    }
    m_connReady = false;
    const Error closed
        = Error::unavailable(QStringLiteral("redis %1 closed: %2").arg(m_role, reason));
    // A callback may send again (a coroutine's next step): that fails into m_failures, which the
    // next round answers. Bounded, in case a callback keeps retrying: the rest is answered from
    // the event loop (drainFailures), as any failure is.
    for (int round = 0; round < 16 && (!m_pending.empty() || !m_failures.isEmpty()); ++round) {
        std::deque<Pending> pending;
        pending.swap(m_pending);
        QList<Failure> failures;
        failures.swap(m_failures);
        for (Pending &p : pending)
            p.fn(closed);
        for (Failure &f : failures)
            f.fn(f.error);
    }
    if (!m_failures.isEmpty() && !m_drainScheduled) {
        m_drainScheduled = true;
        QMetaObject::invokeMethod(this, &Connection::drainFailures, Qt::QueuedConnection);
    }
    qCInfo(lcRedis).noquote() << describe() << "closed:" << reason;
}

QString Connection::describe() const
{
    return m_options.name.isEmpty()
        ? QStringLiteral("%1 %2").arg(m_role, m_options.endpoint())
        : QStringLiteral("%1 \"%2\" %3").arg(m_role, m_options.name, m_options.endpoint());
}

void Connection::attach(redisAsyncContext *ac)
{
    attachToEventLoop(
        ac, this, [this] { onReadable(); }, [this] { onWritable(); },
        [this] { return deferWrite(); });
}

void Connection::detach(redisAsyncContext *ac)
{
    ac->data = nullptr;
    detachFromEventLoop(ac);
}

// Nothing may touch `this` after redisAsyncHandle*(): a callback may have deleted us.
// hiredis reads at most 16 KB a call. The rest of a long reply is read here too, not at the next
// wakeup: under [server] loop_hold that would come a hold later for every 16 KB. Bounded, so that
// a connection that never drains still lets the loop go on.
void Connection::onReadable()
{
    QPointer<Connection> alive(this);
    for (int round = 0; round < kReadRounds && alive && m_ac; ++round) {
        if (round > 0) {
            pollfd p { m_ac->c.fd, POLLIN, 0 };
            if (::poll(&p, 1, 0) != 1 || !(p.revents & POLLIN))
                return;
        }
        if (m_state == State::Ready && m_pushHandler)
            readPushes();
        else
            redisAsyncHandleRead(m_ac);
    }
}

void Connection::readPushes()
{
    redisContext *c = &m_ac->c;
    if (redisBufferRead(c) != REDIS_OK) {
        drop(lossMessage(m_ac));
        return;
    }
    QPointer<Connection> alive(this);
    while (alive && m_ac) {
        void *reply = nullptr;
        if (redisReaderGetReply(m_ac->c.reader, &reply) != REDIS_OK) {
            drop(QStringLiteral("reading from redis at %1: protocol error")
                     .arg(m_options.endpoint()));
            return;
        }
        if (!reply)
            return;
        const Value value = takeValue(reply);
        freeReply(reply);
        ++m_repliesRead;
        m_pushHandler(value);
    }
}

void Connection::armTimer(qint64 ms)
{
    m_timerDueMs = m_clock.elapsed() + ms;
    m_timer.start(int(ms));
}

bool Connection::readPendingReplies()
{
    if (!m_ac)
        return false;
    pollfd p{m_ac->c.fd, POLLIN, 0};
    if (::poll(&p, 1, 0) != 1 || !(p.revents & POLLIN))
        return false;
    const quint64 before = m_repliesRead;
    QPointer<Connection> alive(this);
    redisAsyncHandleRead(m_ac); // a callback may delete us, or drop the connection
    return alive && m_repliesRead != before;
}

void Connection::onWritable()
{
    writeOut();
}

// hiredis asks to write what it has buffered (a command was queued). Once connected, the write
// is made at the end of this loop pass, with every command queued until then, straight to the
// socket: no write notifier is enabled and disabled (two epoll_ctl) and no epoll_wait is spent
// learning that an idle socket is writable. Only a write the socket could not take whole (and
// the connect) waits for the notifier. While the connection is busy (Options::writeHoldAbovePerS)
// the write waits Options::writeHoldMs instead, and takes what later passes queue along: Redis
// then wakes, reads, appends to its AOF and answers once for all of them. A hold is never
// cancelled (a drop leaves it to find no connection), so m_writeQueued always comes back false.
bool Connection::deferWrite()
{
    if (m_writing || !m_ac || !(m_ac->c.flags & REDIS_CONNECTED))
        return false;
    if (!m_writeQueued) {
        m_writeQueued = true;
        if (m_options.writeHoldMs > 0 && m_writeRate.on(m_clock.elapsed())) {
            ++m_writesHeld;
            m_holdTimer.start(int(m_options.writeHoldMs));
        } else {
            QMetaObject::invokeMethod(this, &Connection::writeQueued, Qt::QueuedConnection);
        }
    }
    return true;
}

void Connection::writeQueued()
{
    m_writeQueued = false;
    // A context that replaced the one that asked is written when it says so itself.
    if (m_ac && (m_ac->c.flags & REDIS_CONNECTED))
        writeOut();
}

void Connection::writeOut()
{
    if (!m_ac)
        return;
    m_writing = true; // what hiredis asks for now waits for the socket
    QPointer<Connection> alive(this);
    redisAsyncHandleWrite(m_ac); // a callback may delete us, or drop the connection
    if (alive)
        m_writing = false;
}

void Connection::onDisconnectCb(const redisAsyncContext *ac, int)
{
    auto *self = static_cast<Connection *>(ac->data);
    if (!self || self->m_ac != ac)
        return; // our own drop(), which handles the loss itself
    const QString reason = self->lossMessage(ac);
    self->m_ac = nullptr;
    self->connectionGone(reason);
}

void Connection::onReplyCb(redisAsyncContext *ac, void *reply, void *)
{
    auto *self = static_cast<Connection *>(ac->data);
    if (!self || self->m_pending.empty())
        return;
    Pending p = std::move(self->m_pending.front());
    self->m_pending.pop_front();
    if (!reply) {
        // The connection is going away; whatever the callback sends now must fail fast.
        if (self->m_state == State::Ready || self->m_state == State::Handshake)
            self->m_state = State::Closing;
        p.fn(Error::unavailable(self->lossMessage(ac)));
        return;
    }
    ++self->m_repliesRead;
    Reply r = takeReply(reply); // hiredis frees what is left of it after this returns
    if (!r && self->m_options.usesSentinel() && r.error().message.startsWith(u"redis: READONLY")) {
        // The server we write to became a replica: the master moved. Ask the Sentinels again.
        self->dropLater(QStringLiteral("%1 is a replica now (READONLY)")
                            .arg(self->m_options.endpoint()));
    }
    p.fn(std::move(r));
}

QString Connection::lossMessage(const redisAsyncContext *ac) const
{
    if (!m_lossReason.isEmpty())
        return m_lossReason;
    if (ac->err)
        return QStringLiteral("redis connection to %1 lost: %2")
            .arg(m_options.endpoint(), QString::fromLocal8Bit(ac->errstr));
    return QStringLiteral("redis connection to %1 closed").arg(m_options.endpoint());
}

bool Connection::sendRaw(const QList<QByteArray> &args, ReplyFn fn)
{
    return enqueue(args, fn);
}

bool Connection::enqueue(const QList<QByteArray> &args, ReplyFn &fn)
{
    if (!m_ac || args.isEmpty())
        return false;
    formatCommand(m_command, args);
    return enqueueFormatted(args.constFirst(), fn);
}

bool Connection::enqueueFormatted(const QByteArray &verb, ReplyFn &fn)
{
    if (redisAsyncFormattedCommand(m_ac, &Connection::onReplyCb, nullptr, m_command.constData(),
            size_t(m_command.size()))
        != REDIS_OK)
        return false;
    ++m_commandsSent;
    m_writeRate.count();
    // Every command has the same timeout, so deadlines grow along the queue and one timer
    // aimed at the oldest is enough (re-aimed lazily in onTimer()).
    m_pending.push_back({ std::move(fn), m_clock.elapsed() + m_options.commandTimeoutMs, verb });
    if (!m_timer.isActive())
        armTimer(m_options.commandTimeoutMs);
    return true;
}

bool Connection::refuseUnready(const QByteArray &verb, ReplyFn &fn)
{
    if (m_state == State::Ready)
        return false;
    const QString why = m_state == State::Invalid ? m_invalidReason
        : m_state == State::Closed
        ? QStringLiteral("the redis %1 is closed (shutting down)").arg(m_role)
        : QStringLiteral("redis at %1 is not connected").arg(m_options.endpoint());
    failLater(std::move(fn),
        Error::unavailable(QStringLiteral("sending %1: %2").arg(QString::fromUtf8(verb), why)));
    return true;
}

void Connection::failClosing(const QByteArray &verb, ReplyFn fn)
{
    // enqueue only refuses when hiredis is already tearing the connection down, and then
    // leaves fn to us.
    failLater(std::move(fn),
        Error::unavailable(QStringLiteral("sending %1: redis connection to %2 is closing")
                               .arg(QString::fromUtf8(verb), m_options.endpoint())));
}

void Connection::send(const QList<QByteArray> &args, ReplyFn fn)
{
    if (args.isEmpty()) {
        failLater(std::move(fn), Error::internal(QStringLiteral("sending an empty redis command")));
        return;
    }
    if (!refuseUnready(args.constFirst(), fn) && !enqueue(args, fn))
        failClosing(args.constFirst(), std::move(fn));
}

void Connection::send(const QByteArray &verb, const Args &rest, ReplyFn fn)
{
    if (refuseUnready(verb, fn))
        return;
    bool queued = false;
    if (m_ac) {
        formatCommand(m_command, verb, rest);
        queued = enqueueFormatted(verb, fn);
    }
    if (!queued)
        failClosing(verb, std::move(fn));
}

bool Connection::sendPubSub(const QList<QByteArray> &args)
{
    if (m_state != State::Ready || !m_ac || args.isEmpty())
        return false;
    formatCommand(m_command, args);
    // Straight into the output buffer, with no hiredis callback: readPushes() reads the answers.
    if (redisAppendFormattedCommand(&m_ac->c, m_command.constData(), size_t(m_command.size()))
        != REDIS_OK)
        return false;
    if (m_ac->ev.addWrite)
        m_ac->ev.addWrite(m_ac->ev.data);
    ++m_commandsSent;
    m_writeRate.count();
    return true;
}

void Connection::failLater(ReplyFn fn, Error error)
{
    m_failures.append({ std::move(fn), std::move(error) });
    if (!m_drainScheduled) {
        m_drainScheduled = true;
        QMetaObject::invokeMethod(this, &Connection::drainFailures, Qt::QueuedConnection);
    }
}

void Connection::drainFailures()
{
    m_drainScheduled = false;
    QList<Failure> failures;
    failures.swap(m_failures);
    // Callbacks may delete us; the list is local, so every one of them is still answered.
    for (Failure &f : failures)
        f.fn(f.error);
}

void Connection::onTimer()
{
    const qint64 now = m_clock.elapsed();
    if (m_state == State::Connecting) {
        if (now >= m_connectDeadline)
            drop(QStringLiteral("connecting to redis at %1 timed out after %2 ms")
                     .arg(m_options.endpoint())
                     .arg(m_options.commandTimeoutMs));
        else
            armTimer(m_connectDeadline - now);
        return;
    }
    if (m_pending.empty())
        return;
    if (now - m_timerDueMs > m_options.commandTimeoutMs / 2) {
        // This loop itself stood still (a stopped process, a node far behind): no command was
        // written and no reply read meanwhile, so that time says nothing about Redis. What is
        // in flight gets a whole timeout from now, in which the loop can do that I/O.
        for (Pending &p : m_pending)
            p.deadline = std::max(p.deadline, now + m_options.commandTimeoutMs);
        armTimer(m_options.commandTimeoutMs);
        return;
    }
    if (now >= m_pending.front().deadline && readPendingReplies()) {
        // Replies had arrived but this loop had not read them yet: a node that was busy is not
        // a Redis that failed (PROTOCOL.md section 5, `unavailable`). Look again once read.
        QTimer::singleShot(0, this, &Connection::onTimer);
        return;
    }
    if (m_pending.empty())
        return;
    const Pending &oldest = m_pending.front();
    if (now < oldest.deadline) {
        armTimer(oldest.deadline - now);
        return;
    }
    // The reply may still come, but a server or link that stalls this long is not trusted with
    // later replies either: fail everything in flight and start over on a fresh connection.
    drop(QStringLiteral("redis %1 timed out after %2 ms (%3)")
             .arg(QString::fromUtf8(oldest.name))
             .arg(m_options.commandTimeoutMs)
             .arg(m_options.endpoint()));
}

void Connection::drop(const QString &reason)
{
    redisAsyncContext *ac = m_ac;
    if (!ac)
        return;
    m_lossReason = reason;
    m_ac = nullptr;
    m_freeing = ac;
    m_state = State::Closing;
    QPointer<Connection> alive(this);
    redisAsyncFree(ac); // answers every pending command with a NULL reply, i.e. Unavailable
    if (!alive)
        return;
    m_freeing = nullptr;
    connectionGone(reason);
}

void Connection::dropLater(const QString &reason)
{
    // Called from inside hiredis callbacks, where freeing the context is not allowed.
    QTimer::singleShot(0, this, [this, generation = m_generation, reason] {
        if (generation == m_generation)
            drop(reason);
    });
}

void Connection::connectionGone(const QString &reason)
{
    const bool wasReady = std::exchange(m_connReady, false);
    m_state = State::Waiting;
    m_timer.stop();
    if (wasReady)
        qCWarning(lcRedis).noquote() << describe() << "lost:" << reason << "- reconnecting";
    else if (m_failedAttempts++ == 0)
        qCWarning(lcRedis).noquote()
            << describe() << "not reachable:" << reason << "- retrying with backoff";
    else
        qCDebug(lcRedis).noquote() << describe() << "still not reachable:" << reason;
    m_reconnectTimer.start(int(m_backoffMs));
    m_backoffMs = qMin(m_backoffMs * 2, m_options.reconnectMaxMs);
    if (wasReady)
        Q_EMIT lost(); // last: a slot may delete us
    else
        Q_EMIT unreachable(); // last: a slot may delete us
}

} // namespace confab::redis::detail

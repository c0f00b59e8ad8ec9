#pragma once

// Internal to confab_redis: one hiredis async connection driven by QSocketNotifiers, with the
// AUTH/SELECT handshake, per-command timeouts and reconnection with backoff. Client and
// Subscriber are thin layers over it. Not installed, not for use outside server/redis.

#include "confab/ratelatch.h"
#include "redis/args.h"
#include "redis/options.h"
#include "redis/value.h"

#include <QElapsedTimer>
#include <QHostInfo>
#include <QList>
#include <QObject>
#include <QTimer>

#include <deque>
#include <functional>

struct redisAsyncContext;
struct redisReplyObjectFunctions;

namespace confab::redis::detail
{

class MasterLocator;

using ReplyFn = std::function<void(Reply)>;

// reply.cpp: what a connection's hiredis reader builds replies with, Values rather than
// redisReply trees. A reply it gives (a callback's, or redisReaderGetReply's) is taken as a Value
// (errors as Value::Type::Error) or as a Reply (errors as Error), and freed after: by hiredis
// after a callback, by freeReply() after redisReaderGetReply().
[[nodiscard]] redisReplyObjectFunctions *replyFunctions();
[[nodiscard]] Value takeValue(void *reply);
[[nodiscard]] Reply takeReply(void *reply);
void freeReply(void *reply);

class Connection : public QObject
{
    Q_OBJECT
public:
    Connection(Options options, QString role, QObject *parent = nullptr);
    ~Connection() override;

    void start();
    // Ends the connection for good (shutdown): every command in flight and every failure not
    // yet delivered is answered now, with Unavailable, while the objects whose callbacks they
    // are still exist; later sends fail from the event loop, and it never reconnects. Not to be
    // called from inside a reply callback.
    void close(const QString &reason);
    [[nodiscard]] bool isReady() const { return m_state == State::Ready; }
    [[nodiscard]] const Options &options() const { return m_options; }
    [[nodiscard]] quint64 commandsSent() const { return m_commandsSent; }
    // Writes that waited Options::writeHoldMs (deferWrite()).
    [[nodiscard]] quint64 writesHeld() const { return m_writesHeld; }
    [[nodiscard]] quint64 reconnects() const { return m_reconnects; }

    // Buffers the command for the next write; fn gets its reply, in order. When not ready, fn
    // gets Unavailable from the event loop, never from inside send().
    void send(const QList<QByteArray> &args, ReplyFn fn);
    // The same for a verb and the arguments after it, written already.
    void send(const QByteArray &verb, const Args &rest, ReplyFn fn);
    // (UN)SUBSCRIBE and S(UN)SUBSCRIBE: their confirmations and messages go to the push
    // handler. False if not ready. Once ready, a connection with a push handler reads every
    // reply itself and hands it to the handler (hiredis 0.14 knows SUBSCRIBE but not the sharded
    // SSUBSCRIBE of Redis 7, whose pushes it would take for replies to other commands), so
    // send() is not for such a connection.
    bool sendPubSub(const QList<QByteArray> &args);
    void setPushHandler(std::function<void(const Value &)> handler)
    {
        m_pushHandler = std::move(handler);
    }

Q_SIGNALS:
    void ready(); // connected and handshake done
    void lost(); // a ready connection went away; reconnecting is already scheduled
    void unreachable(); // an attempt to connect failed; retrying is already scheduled

private:
    enum class State {
        Idle,
        Invalid,
        Discovering, // asking the Sentinels for the master (options().usesSentinel())
        Resolving,
        Connecting,
        Handshake,
        Ready,
        Closing,
        Waiting,
        Closed, // close(): for good
    };
    struct Pending {
        ReplyFn fn;
        qint64 deadline;
        QByteArray name;
    };
    struct Failure {
        ReplyFn fn;
        Error error;
    };

    void connectNow();
    // Sentinel (docs/redis.md, "Sentinel"): the MasterLocator names the master, connectNow()
    // goes there, and a failover it hears of moves us.
    void onMasterFound(const HostPort &master);
    void onMasterUnknown(const QString &reason);
    void onMasterSwitched(const HostPort &to);
    void onHostLookedUp(const QHostInfo &info);
    // To ip:port, or to Options::socketPath when ip is empty (a unix:// URL).
    void connectTo(const QString &ip);
    void attach(redisAsyncContext *ac);
    static void detach(redisAsyncContext *ac);
    void onReadable();
    void readPushes();
    void onWritable();
    bool deferWrite();
    void writeQueued();
    void writeOut();
    void startHandshake();
    void finishHandshake(const Reply &pong);
    bool sendRaw(const QList<QByteArray> &args, ReplyFn fn);
    // Queues the command with fn as its callback (moved from only then); false if hiredis
    // refused it, fn untouched.
    bool enqueue(const QList<QByteArray> &args, ReplyFn &fn);
    // Queues m_command, formatted already, the same way.
    bool enqueueFormatted(const QByteArray &verb, ReplyFn &fn);
    // When not ready: fn gets Unavailable from the event loop, and true.
    bool refuseUnready(const QByteArray &verb, ReplyFn &fn);
    void failClosing(const QByteArray &verb, ReplyFn fn);
    void failLater(ReplyFn fn, Error error);
    void drainFailures();
    void onTimer();
    // Reads replies that already arrived; true if any did (they were answered).
    bool readPendingReplies();
    void armTimer(qint64 ms); // m_timer, remembering when it is due

    void drop(const QString &reason);
    void dropLater(const QString &reason);
    void connectionGone(const QString &reason);
    [[nodiscard]] QString lossMessage(const redisAsyncContext *ac) const;
    [[nodiscard]] QString describe() const;

    static void onConnectCb(const redisAsyncContext *ac, int status);
    static void onDisconnectCb(const redisAsyncContext *ac, int status);
    static void onReplyCb(redisAsyncContext *ac, void *reply, void *privdata);

    Options m_options;
    QString m_role;
    QString m_invalidReason;
    State m_state = State::Idle;
    redisAsyncContext *m_ac = nullptr;
    redisAsyncContext *m_freeing = nullptr; // being freed by drop(); callbacks still reach us
    std::deque<Pending> m_pending;
    QList<Failure> m_failures;
    bool m_drainScheduled = false;
    bool m_writeQueued = false; // writeQueued() is posted, or m_holdTimer runs
    bool m_writing = false; // inside redisAsyncHandleWrite()
    std::function<void(const Value &)> m_pushHandler;
    QElapsedTimer m_clock;
    QTimer m_timer; // the oldest pending command's deadline, or the connect deadline
    QTimer m_holdTimer; // a held write's end (deferWrite())
    RateLatch m_writeRate { 0 }; // commands sent, for the hold (set up with m_options)
    QTimer m_reconnectTimer;
    qint64 m_connectDeadline = 0;
    qint64 m_backoffMs = 0;
    int m_lookupId = -1;
    quint64 m_generation = 0;
    QString m_lossReason;
    QString m_handshakeError;
    bool m_connReady = false;
    int m_failedAttempts = 0;
    quint64 m_readyCount = 0;
    quint64 m_commandsSent = 0;
    quint64 m_writesHeld = 0;
    QByteArray m_command; // the command being formatted (formatCommand), its capacity reused
    quint64 m_repliesRead = 0;
    qint64 m_timerDueMs = 0; // m_clock time at which m_timer should fire
    quint64 m_reconnects = 0;
    // Sentinel mode: what finds the master, and whether m_options.host/port hold a master it
    // just named (used once: every reconnect asks again).
    MasterLocator *m_locator = nullptr;
    bool m_haveMaster = false;
};

} // namespace confab::redis::detail

#include "admin/adminsocket.h"

#include "admin/adminframe.h"
#include "admin/operator.h"
#include "auth/crypto.h"
#include "confab/jsonwriter.h"

#include <QTimer>

namespace confab::admin {

namespace {
constexpr qint64 kAuthTimeoutMs = 10000;
constexpr int kMinIntervalMs = 100;
constexpr int kMaxIntervalMs = 60000;
constexpr int kMaxDeadLetters = 1000;
} // namespace

// One admin WebSocket. Like client sessions, it stays alive until its running requests
// finished (m_busy), so no coroutine resumes into a freed object.
class AdminSession : public QObject, private websocket::Handler
{
public:
    AdminSession(websocket::Connection *ws, AdminSocketServer *server) : QObject(server), m_ws(ws), m_server(server)
    {
        m_statsTimer.setSingleShot(false);
        connect(&m_statsTimer, &QTimer::timeout, this, &AdminSession::tick);
        m_authTimer.setSingleShot(true);
        connect(&m_authTimer, &QTimer::timeout, this, [this] {
            if (!m_authed)
                close(4001, QStringLiteral("no auth frame within 10 s"));
        });

    }

    ~AdminSession() override
    {
        if (m_ws)
            m_ws->abort();
    }

    void start(const websocket::Upgrade &upgrade)
    {
        const QByteArray credential = upgrade.credential();
        if (!credential.isEmpty())
            authenticate(credential);
        else
            m_authTimer.start(int(kAuthTimeoutMs));
        if (m_ws)
            m_ws->start(this);
    }

    void close(int code, const QString &reason)
    {
        if (m_closed)
            return;
        if (websocket::Connection *ws = std::exchange(m_ws, nullptr))
            ws->close(code, reason.toUtf8());
        onClosed();
    }

private:
    void authenticate(const QByteArray &credential)
    {
        if (!m_server->tokenMatches(credential)) {
            Q_EMIT m_server->authFailed(QByteArrayLiteral("bad_admin_token"));
            close(4001, QStringLiteral("invalid admin token"));
            return;
        }
        m_authed = true;
        m_authTimer.stop();
        send(R"({"type":"connection.ack","role":"admin"})");
    }

    void send(const QByteArray &json)
    {
        if (!m_closed && m_ws)
            m_ws->sendText(json); // may close with 4008 (onClosed)
    }

    void onBinary(QByteArrayView) override { close(4000, QStringLiteral("binary frame")); }

    void onClosed(int, bool) override
    {
        m_ws = nullptr;
        onClosed();
    }

    void reply(const QString &req, bool hasReq, const QByteArray &type, const std::function<void(JsonWriter &)> &fields)
    {
        JsonWriter w;
        w.beginObject().field("type", QByteArrayView(type));
        if (hasReq)
            w.field("req", req);
        fields(w);
        w.endObject();
        send(w.bytes());
    }

    void replyError(const QString &req, bool hasReq, const Error &e)
    {
        reply(req, hasReq, "error", [&e](JsonWriter &w) {
            w.field("code", QByteArrayView(errorCodeName(e.code))).field("message", e.message);
            if (e.code == ErrorCode::RateLimited) // PROTOCOL.md section 7: says when to retry
                w.field("retry_after_ms", e.retryAfterMs);
        });
    }

    void onText(QByteArrayView utf8) override
    {
        if (m_closed)
            return;
        const ParsedAdminFrame parsed = parseAdminFrame(utf8);
        if (parsed.error == AdminFrameError::Protocol) {
            close(4000, parsed.message);
            return;
        }
        const AdminFrame &f = parsed.frame;
        if (!m_authed) {
            if (parsed.error == AdminFrameError::None && f.type == QLatin1String("auth") && !m_authPending) {
                m_authPending = true;
                authenticate(f.token);
            } else {
                close(4001, QStringLiteral("authenticate first"));
            }
            return;
        }
        const QString &type = f.type;
        const QString &req = f.req;
        const bool hasReq = f.hasReq;
        if (parsed.error == AdminFrameError::BadRequest) {
            replyError(req, hasReq, Error::badRequest(parsed.message));
            return;
        }
        if (type == QLatin1String("stats.subscribe")) {
            const int interval = f.intervalMs < 0 ? 1000 : f.intervalMs;
            m_statsTimer.start(std::clamp(interval, kMinIntervalMs, kMaxIntervalMs));
            tick();
        } else if (type == QLatin1String("stats.unsubscribe")) {
            m_statsTimer.stop();
        } else if (type == QLatin1String("ping")) {
            reply(req, hasReq, "pong", [](JsonWriter &) {});
        } else if (type == QLatin1String("dead_letters.list") || type == QLatin1String("dead_letters.retry")
                   || type == QLatin1String("dead_letters.discard") || type == QLatin1String("flush.now")
                   || type == QLatin1String("retention.run")
                   || (isOperatorFrame(type) && m_server->operatorActions())) {
            if (m_busy >= 8) {
                replyError(req, hasReq, Error::rateLimited(QStringLiteral("too many admin requests in flight"), 1000));
                return;
            }
            ++m_busy;
            auto task = run(f);
            Q_UNUSED(task);
        } else {
            replyError(req, hasReq, Error::badRequest(QStringLiteral("unknown type '%1'").arg(type.left(64))));
        }
    }

    QCoro::Task<> run(AdminFrame f)
    {
        const AdminHooks &h = m_server->hooks();
        const QString &type = f.type;
        const QString &req = f.req;
        const bool hasReq = f.hasReq;
        const QString &id = f.id;
        if (isOperatorFrame(type)) {
            auto acting = runOperatorFrame(m_server->operatorActions(), f);
            const QByteArray answer = co_await acting;
            if (!m_closed)
                send(answer);
        } else if (type == QLatin1String("dead_letters.list")) {
            const int limit = std::clamp(f.limit < 0 ? 100 : f.limit, 1, kMaxDeadLetters);
            auto listing = h.deadLetters(limit);
            const Expected<QByteArray> items = co_await listing;
            if (!m_closed) {
                if (items)
                    reply(req, hasReq, "dead_letters", [&items](JsonWriter &w) { w.rawField("items", *items); });
                else
                    replyError(req, hasReq, items.error());
            }
        } else if (type == QLatin1String("dead_letters.retry") || type == QLatin1String("dead_letters.discard")) {
            if (id.isEmpty()) {
                replyError(req, hasReq, Error::badRequest(QStringLiteral("missing field 'id'")));
            } else {
                auto acting = type == QLatin1String("dead_letters.retry") ? h.retryDeadLetter(id) : h.discardDeadLetter(id);
                const Status s = co_await acting;
                if (!m_closed) {
                    if (s)
                        reply(req, hasReq, "result", [](JsonWriter &w) { w.field("ok", true); });
                    else
                        replyError(req, hasReq, s.error());
                }
            }
        } else {
            const bool flush = type == QLatin1String("flush.now");
            auto acting = flush ? h.flushNow() : h.runRetention();
            const Expected<qint64> n = co_await acting;
            if (!m_closed) {
                if (n)
                    reply(req, hasReq, "result", [&](JsonWriter &w) {
                        w.field("ok", true).field(flush ? QByteArrayView("segments_written") : QByteArrayView("segments_deleted"), *n);
                    });
                else
                    replyError(req, hasReq, n.error());
            }
        }
        finish();
    }

    void tick()
    {
        // A client that does not read gets no new frames: memory stays bounded.
        if (m_closed || !m_ws || m_statsInFlight || m_ws->unsentBytes() > AdminSocketServer::kMaxUnsentBytes)
            return;
        m_statsInFlight = true;
        ++m_busy;
        auto task = sendStats();
        Q_UNUSED(task);
    }

    QCoro::Task<> sendStats()
    {
        auto building = m_server->hooks().stats();
        const QByteArray frame = co_await building;
        m_statsInFlight = false;
        send(frame);
        finish();
    }

    void finish()
    {
        --m_busy;
        if (m_closed && m_busy == 0)
            deleteLater();
    }

    void onClosed()
    {
        if (m_closed)
            return;
        m_closed = true;
        m_statsTimer.stop();
        m_authTimer.stop();
        m_server->sessionClosed(this);
        if (m_busy == 0)
            deleteLater();
    }

    websocket::Connection *m_ws; // null once closed: the Hub owns it
    AdminSocketServer *m_server;
    QTimer m_statsTimer;
    QTimer m_authTimer;
    int m_busy = 0;
    bool m_authed = false;
    bool m_authPending = false;
    bool m_closed = false;
    bool m_statsInFlight = false;
};

AdminSocketServer::AdminSocketServer(QByteArray adminToken, AdminHooks hooks, QObject *parent)
    : QObject(parent), m_token(std::move(adminToken)), m_hooks(std::move(hooks))
{
}

AdminSocketServer::~AdminSocketServer() = default;

bool AdminSocketServer::tokenMatches(QByteArrayView presented) const
{
    return !m_token.isEmpty() && auth::constantTimeEquals(presented, m_token);
}

void AdminSocketServer::accept(websocket::Connection *connection, const websocket::Upgrade &upgrade)
{
    if (m_sessions.size() >= kMaxSessions) {
        connection->close(4029, "too many admin connections");
        return;
    }
    auto *session = new AdminSession(connection, this);
    m_sessions.insert(session);
    session->start(upgrade);
}

void AdminSocketServer::shutdown()
{
    const QSet<AdminSession *> sessions = m_sessions;
    for (AdminSession *s : sessions)
        s->close(websocket::close_code::kGoingAway, QStringLiteral("server shutting down"));
}

} // namespace confab::admin

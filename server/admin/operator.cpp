#include "admin/operator.h"

#include "access/appdirectory.h"
#include "auth/crypto.h"
#include "confab/ids.h"
#include "confab/jsonwriter.h"
#include "redis/client.h"
#include "schema/keys.h"
#include "schema/pending.h"
#include "segments/historystore.h"
#include "segments/segmentindex.h"
#include "store/conversations.h"

#include <QCoro/QCoroFuture>
#include <QDateTime>
#include <QHash>
#include <QLoggingCategory>
#include <QSet>

#include <algorithm>
#include <map>

// The audit trail of operator reads and actions: one line each, with who asked.
Q_LOGGING_CATEGORY(lcAudit, "confab.admin.audit", QtInfoMsg)

namespace confab::admin {

namespace keys = schema::keys;

namespace {

constexpr char kNoticeMark[] = "confab:notice:last";

Status checkUser(const QString &userId)
{
    if (!isValidUserId(QStringView(userId)))
        return Error::badRequest(QStringLiteral("'user_id' is not a valid user id"));
    return Ok{};
}

Status checkConvo(const QString &convoId)
{
    if (!isValidId(QByteArrayView(convoId.toUtf8())))
        return Error::badRequest(QStringLiteral("'convo_id' is not a valid conversation id"));
    return Ok{};
}

bool isNoticeCode(const QString &code)
{
    if (code.isEmpty() || code.size() > 64 || !code.at(0).isLower())
        return false;
    return std::all_of(code.begin(), code.end(), [](QChar c) {
        return (c >= QLatin1Char('a') && c <= QLatin1Char('z')) || (c >= QLatin1Char('0') && c <= QLatin1Char('9'))
            || c == QLatin1Char('_');
    });
}

// A HGETALL reply as user -> seq.
QHash<QByteArray, qint64> watermarks(const redis::Reply &r)
{
    QHash<QByteArray, qint64> out;
    if (!r)
        return out;
    const QList<redis::Value> &kv = r->elements;
    for (qsizetype i = 0; i + 1 < kv.size(); i += 2)
        out.insert(kv[i].str, kv[i + 1].toInteger());
    return out;
}

} // namespace

Operator::Operator(OperatorDeps deps, const QByteArray &adminToken)
    : m_deps(deps), m_fingerprint(auth::sha256Hex(adminToken).left(16))
{
}

QString Operator::cleanOperatorName(const QString &name)
{
    QString out;
    for (QChar c : name.left(64)) {
        if (c.isPrint())
            out.append(c);
    }
    out = out.trimmed();
    return out.isEmpty() ? QStringLiteral("unnamed") : out;
}

bool Operator::isOperatorCloseCode(int code)
{
    return code == 4009 || code == 4001 || code == 4003;
}

QCoro::Task<Status> Operator::checkApp(const QString &appId)
{
    if (appId.isEmpty() || !isValidId(QByteArrayView(appId.toUtf8())))
        co_return Error::badRequest(QStringLiteral("'app_id' is not a valid app id"));
    auto reading = m_deps.apps->app(appId);
    const Expected<store::App> app = co_await reading;
    if (!app)
        co_return app.error();
    co_return Ok{};
}

QCoro::Task<Expected<QByteArray>> Operator::lookupUser(QString appId, QString userId)
{
    if (auto s = checkUser(userId); !s)
        co_return s.error();
    auto checking = checkApp(appId);
    if (const Status s = co_await checking; !s)
        co_return s.error();
    const QByteArray user = userId.toUtf8();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    // Scores are expiry times: a member above now is a live session (a dead node's ones expire).
    auto ranging = m_deps.redis->exec(keys::cmd("ZRANGEBYSCORE", keys::presence(appId, user), "(" + QByteArray::number(now), "+inf"));
    const redis::Reply members = co_await ranging;
    auto seeing = m_deps.redis->exec(keys::cmd("GET", keys::lastSeen(appId, user)));
    const redis::Reply seen = co_await seeing;
    if (!members || !seen)
        co_return Error::unavailable(QStringLiteral("reading presence"));

    struct Row {
        QByteArray session;
        QByteArray node;
        qint64 connectedMs = 0;
    };
    QList<Row> rows;
    for (const redis::Value &v : members->elements) {
        // "<session_id> <connected_ms> <node_id>"; a bare session id from an older node.
        const QList<QByteArray> parts = v.str.split(' ');
        Row row;
        row.session = parts.value(0);
        row.connectedMs = parts.value(1).toLongLong();
        row.node = parts.size() > 2 ? v.str.mid(parts[0].size() + parts[1].size() + 2) : QByteArray();
        rows.append(row);
    }
    std::sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) { return a.connectedMs < b.connectedMs; });
    QList<QByteArray> nodes;
    for (const Row &r : std::as_const(rows)) {
        if (!r.node.isEmpty() && !nodes.contains(r.node))
            nodes.append(r.node);
    }
    std::sort(nodes.begin(), nodes.end());

    const bool online = !rows.isEmpty();
    JsonWriter w(512);
    w.beginObject().field("app_id", appId).field("user_id", userId).field("online", online);
    w.field("session_count", qint64(rows.size())).key("connected_since_ms");
    if (online && rows.first().connectedMs > 0)
        w.value(rows.first().connectedMs);
    else
        w.null();
    w.key("last_seen_ms");
    if (online)
        w.value(now);
    else if (!seen->isNil())
        w.value(seen->toInteger());
    else
        w.null();
    w.key("nodes").beginArray();
    for (const QByteArray &n : std::as_const(nodes))
        w.value(QByteArrayView(n));
    w.endArray().key("sessions").beginArray();
    for (const Row &r : std::as_const(rows)) {
        w.beginObject().field("session_id", QByteArrayView(r.session)).key("node_id");
        if (r.node.isEmpty())
            w.null();
        else
            w.value(QByteArrayView(r.node));
        w.key("connected_ms");
        if (r.connectedMs > 0)
            w.value(r.connectedMs);
        else
            w.null();
        w.endObject();
    }
    w.endArray().endObject();
    co_return w.take();
}

QCoro::Task<Expected<QByteArray>> Operator::disconnectUser(QString appId, QString userId, int closeCode, QString reason)
{
    if (auto s = checkUser(userId); !s)
        co_return s.error();
    if (!isOperatorCloseCode(closeCode))
        co_return Error::badRequest(QStringLiteral("'close_code' must be 4009, 4001 or 4003"));
    if (reason.isEmpty())
        reason = QStringLiteral("disconnected by an operator");
    if (reason.toUtf8().size() > kMaxReasonBytes)
        co_return Error::badRequest(QStringLiteral("'reason' must be at most %1 bytes of UTF-8").arg(kMaxReasonBytes));
    auto checking = checkApp(appId);
    if (const Status s = co_await checking; !s)
        co_return s.error();
    const QByteArray user = userId.toUtf8();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    auto counting = m_deps.redis->exec(keys::cmd("ZCOUNT", keys::presence(appId, user), "(" + QByteArray::number(now), "+inf"));
    const redis::Reply count = co_await counting;
    JsonWriter event;
    event.beginObject().field("user_id", userId).field("close_code", qint64(closeCode)).field("reason", reason).endObject();
    auto publishing = m_deps.redis->exec(keys::cmd("PUBLISH", keys::controlChannel(), "x " + appId.toUtf8() + '\n' + event.bytes()));
    const redis::Reply reached = co_await publishing;
    if (!reached)
        co_return Error::unavailable(QStringLiteral("publishing the disconnect"));
    qCInfo(lcAudit).noquote() << "operator disconnect: user" << userId << "of app" << appId << "close" << closeCode
                              << "token" << m_fingerprint;
    JsonWriter w;
    w.beginObject().field("ok", true).field("sessions", count ? count->toInteger() : qint64(0))
        .field("nodes_reached", reached->toInteger()).endObject();
    co_return w.take();
}

QCoro::Task<Expected<QByteArray>> Operator::inspectConversation(QString appId, QString convoId)
{
    if (auto s = checkConvo(convoId); !s)
        co_return s.error();
    auto checking = checkApp(appId);
    if (const Status s = co_await checking; !s)
        co_return s.error();
    auto getting = m_deps.conversations->get(appId, convoId);
    const Expected<store::Conversation> c = co_await getting;
    if (!c)
        co_return c.error();
    const QByteArray convo = convoId.toUtf8();
    auto seqReading = m_deps.redis->exec(keys::cmd("GET", keys::seq(appId, convo)));
    const redis::Reply seq = co_await seqReading;
    auto dlReading = m_deps.redis->exec(keys::cmd("HGETALL", keys::delivered(appId, convo)));
    const redis::Reply dl = co_await dlReading;
    auto rdReading = m_deps.redis->exec(keys::cmd("HGETALL", keys::read(appId, convo)));
    const redis::Reply rd = co_await rdReading;
    auto depthReading = m_deps.redis->exec(keys::cmd("XLEN", keys::log(appId, convo)));
    const redis::Reply depth = co_await depthReading;
    auto pendingReading = m_deps.redis->exec(keys::cmd("ZSCORE", schema::pendingKeyOf(appId, convo), schema::pendingMember(appId, convo)));
    const redis::Reply pending = co_await pendingReading;
    if (!seq || !dl || !rd || !depth || !pending)
        co_return Error::unavailable(QStringLiteral("reading the conversation's state in Redis"));
    segments::SegmentIndex index(m_deps.db);
    auto flushedReading = index.flushedSeqs(appId, QStringList{convoId});
    const Expected<QHash<QString, qint64>> flushed = co_await flushedReading;
    if (!flushed)
        co_return flushed.error();

    const qint64 lastSeq = seq->toInteger();
    const qint64 flushedSeq = flushed->value(convoId);
    const QHash<QByteArray, qint64> delivered = watermarks(dl);
    const QHash<QByteArray, qint64> readMarks = watermarks(rd);
    JsonWriter w(1024);
    w.beginObject().field("app_id", appId).field("convo_id", convoId).field("kind", c->kind).field("title", c->title)
        .field("owner_id", c->ownerId).field("created_ms", c->createdMs).field("last_seq", lastSeq)
        .field("members_total", qint64(c->members.size())).key("members").beginArray();
    for (const QString &m : c->members.mid(0, kMaxMembers)) {
        const QByteArray u = m.toUtf8();
        w.beginObject().field("user_id", m).field("delivered_seq", delivered.value(u)).field("read_seq", readMarks.value(u)).endObject();
    }
    w.endArray().key("flush").beginObject().field("flushed_seq", flushedSeq)
        .field("unflushed", std::max<qint64>(0, lastSeq - flushedSeq)).field("stream_depth", depth->toInteger())
        .key("oldest_unflushed_ms");
    if (pending->isNil())
        w.null();
    else
        w.value(std::max<qint64>(0, QDateTime::currentMSecsSinceEpoch() - qint64(pending->str.toDouble())));
    w.endObject().endObject();
    co_return w.take();
}

QCoro::Task<Expected<QByteArray>> Operator::messages(QString appId, QString convoId, qint64 beforeSeq, int limit,
                                                     OperatorIdentity who)
{
    if (auto s = checkConvo(convoId); !s)
        co_return s.error();
    if (beforeSeq < 0)
        co_return Error::badRequest(QStringLiteral("'before_seq' must be a positive integer"));
    limit = std::clamp(limit <= 0 ? kDefaultMessages : limit, 1, segments::HistoryStore::kMaxLimit);
    auto checking = checkApp(appId);
    if (const Status s = co_await checking; !s)
        co_return s.error();
    auto getting = m_deps.conversations->get(appId, convoId);
    const Expected<store::Conversation> c = co_await getting;
    if (!c)
        co_return c.error();
    const QByteArray convo = convoId.toUtf8();
    auto reading = beforeSeq > 0 ? m_deps.history->before(appId, convo, beforeSeq, limit)
                                 : m_deps.history->latest(appId, convo, limit);
    const Expected<segments::Page> page = co_await reading;
    if (!page)
        co_return page.error();
    // Reading messages is an operator action on users' content: logged with who asked.
    qCInfo(lcAudit).noquote() << "operator read" << page->messages.size() << "message(s)"
                              << QStringLiteral("(seq %1..%2)").arg(page->firstSeq).arg(page->lastSeq) << "of conversation"
                              << convoId << "of app" << appId << "by" << cleanOperatorName(who.name) << "token"
                              << who.tokenFingerprint;
    JsonWriter w(4096);
    w.beginObject().field("app_id", appId).field("convo_id", convoId).key("messages").beginArray();
    for (const QByteArray &m : page->messages)
        w.raw(m);
    w.endArray().key("next_before_seq");
    if (page->hasMore && !page->messages.isEmpty())
        w.value(page->firstSeq);
    else
        w.null();
    w.endObject();
    co_return w.take();
}

QCoro::Task<Expected<QByteArray>> Operator::sendNotice(QString appId, QString code, QString message)
{
    if (code.isEmpty())
        code = QStringLiteral("operator");
    if (!isNoticeCode(code) || code == QLatin1String("shutting_down"))
        co_return Error::badRequest(QStringLiteral("'code' must be a-z, 0-9 and _ (at most 64, not shutting_down)"));
    if (message.trimmed().isEmpty() || message.size() > kMaxNoticeChars)
        co_return Error::badRequest(QStringLiteral("'message' must be 1..%1 characters").arg(kMaxNoticeChars));
    if (!appId.isEmpty()) {
        auto checking = checkApp(appId);
        if (const Status s = co_await checking; !s)
            co_return s.error();
    }
    // One notice per interval across the deployment: the mark lives kNoticeIntervalMs.
    auto marking = m_deps.redis->exec(keys::cmd("SET", kNoticeMark, "1", "PX", QByteArray::number(kNoticeIntervalMs), "NX"));
    const redis::Reply mark = co_await marking;
    if (!mark)
        co_return Error::unavailable(QStringLiteral("rate-limiting the notice"));
    if (mark->isNil()) {
        auto ttlReading = m_deps.redis->exec(keys::cmd("PTTL", kNoticeMark));
        const redis::Reply ttl = co_await ttlReading;
        co_return Error::rateLimited(QStringLiteral("one notice per second"),
                                     std::max<qint64>(1, ttl ? ttl->toInteger(kNoticeIntervalMs) : kNoticeIntervalMs));
    }
    JsonWriter frame;
    frame.beginObject().field("type", "system.notice").field("code", code).field("message", message).endObject();
    const QByteArray scope = appId.isEmpty() ? QByteArrayLiteral("*") : appId.toUtf8();
    auto publishing = m_deps.redis->exec(keys::cmd("PUBLISH", keys::controlChannel(), "n " + scope + '\n' + frame.bytes()));
    const redis::Reply reached = co_await publishing;
    if (!reached)
        co_return Error::unavailable(QStringLiteral("publishing the notice"));
    qCInfo(lcAudit).noquote() << "operator notice" << code << "to" << (appId.isEmpty() ? QStringLiteral("every app") : appId)
                              << "token" << m_fingerprint;
    JsonWriter w;
    w.beginObject().field("ok", true).field("nodes_reached", reached->toInteger()).endObject();
    co_return w.take();
}

} // namespace confab::admin

// The admin WebSocket's operator frames (docs/protocol.md, "Operator actions"), answered by
// admin::Operator like the REST routes of api/adminopsapi.cpp.
#include "admin/adminframe.h"
#include "admin/operator.h"

#include "confab/jsonwriter.h"

namespace confab::admin {

namespace {

// {"type":<type>,"req":<req>, + the fields of body (a JSON object).
QByteArray answer(const AdminFrame &f, QByteArrayView type, const QByteArray &body)
{
    JsonWriter w(body.size() + 64);
    w.beginObject().field("type", type);
    if (f.hasReq)
        w.field("req", f.req);
    QByteArray out = w.take(); // "{"type":..,"req":.."
    if (body.size() > 2)
        out += ',' + body.mid(1);
    else
        out += '}';
    return out;
}

QByteArray errorFrame(const AdminFrame &f, const Error &e)
{
    JsonWriter w;
    w.beginObject().field("type", "error");
    if (f.hasReq)
        w.field("req", f.req);
    w.field("code", QByteArrayView(errorCodeName(e.code))).field("message", e.message);
    if (e.code == ErrorCode::RateLimited)
        w.field("retry_after_ms", e.retryAfterMs);
    w.endObject();
    return w.take();
}

} // namespace

bool isOperatorFrame(const QString &type)
{
    return type == QLatin1String("user.lookup") || type == QLatin1String("user.disconnect")
        || type == QLatin1String("conversation.inspect") || type == QLatin1String("conversation.messages")
        || type == QLatin1String("notice.send");
}

QCoro::Task<QByteArray> runOperatorFrame(Operator *op, AdminFrame f)
{
    const QString &t = f.type;
    QByteArrayView answerType = "result";
    Expected<QByteArray> body = Error::internal(QStringLiteral("not run"));
    if (t == QLatin1String("user.lookup")) {
        answerType = "user";
        auto running = op->lookupUser(f.appId, f.userId);
        body = co_await running;
    } else if (t == QLatin1String("user.disconnect")) {
        auto running = op->disconnectUser(f.appId, f.userId, f.closeCode < 0 ? Operator::kDefaultCloseCode : f.closeCode, f.reason);
        body = co_await running;
    } else if (t == QLatin1String("conversation.inspect")) {
        answerType = "conversation";
        auto running = op->inspectConversation(f.appId, f.convoId);
        body = co_await running;
    } else if (t == QLatin1String("conversation.messages")) {
        answerType = "messages";
        auto running = op->messages(f.appId, f.convoId, std::max<qint64>(0, f.beforeSeq), f.limit,
                                    OperatorIdentity{f.operatorName, op->tokenFingerprint()});
        body = co_await running;
    } else {
        auto running = op->sendNotice(f.appId, f.code, f.message);
        body = co_await running;
    }
    if (!body)
        co_return errorFrame(f, body.error());
    co_return answer(f, answerType, *body);
}

} // namespace confab::admin

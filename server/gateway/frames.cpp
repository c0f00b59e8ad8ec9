#include "gateway/frames.h"

#include "confab/ids.h"
#include "json/strictjson.h"
#include "json/strictjson_p.h"

#include <simdjson.h>

#include <string_view>

namespace confab::gateway {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr qsizetype kMaxClientMsgId = 128;
constexpr qsizetype kMaxReq = 128;
constexpr qsizetype kMaxPresenceIds = 1000;
constexpr qsizetype kMaxToken = 16 * 1024;

QByteArray bytes(std::string_view s)
{
    return QByteArray(s.data(), qsizetype(s.size()));
}

// simdjson::minify(e), without its eight allocations a call: the builder (simdjson's own, the one
// minify uses; internal to simdjson but fixed by the packaged version) keeps its buffer between
// frames, so what is left is the QByteArray the frame keeps.
QByteArray minified(element e)
{
    thread_local simdjson::internal::string_builder<> builder;
    builder.clear();
    builder.append(e);
    return bytes(builder.str());
}

struct Reader {
    simdjson::dom::object obj;
    ParsedFrame &out;

    bool fail(const QString &message)
    {
        out.error = FrameError::BadRequest;
        out.message = message;
        return false;
    }

    // A required or optional string field; absent optional fields leave `to` empty.
    bool string(const char *name, QByteArray &to, bool required, qsizetype maxLen)
    {
        element e;
        if (obj[name].get(e) != simdjson::SUCCESS) {
            if (required)
                return fail(QStringLiteral("missing field '%1'").arg(QLatin1String(name)));
            return true;
        }
        std::string_view s;
        if (e.get_string().get(s) != simdjson::SUCCESS)
            return fail(QStringLiteral("field '%1' must be a string").arg(QLatin1String(name)));
        if (qsizetype(s.size()) > maxLen || (required && s.empty()))
            return fail(QStringLiteral("field '%1' must have 1 to %2 bytes")
                            .arg(QLatin1String(name)).arg(maxLen));
        to = bytes(s);
        return true;
    }

    bool id(const char *name, QByteArray &to)
    {
        if (!string(name, to, true, 128))
            return false;
        if (!isValidId(to))
            return fail(QStringLiteral("field '%1' is not a valid id").arg(QLatin1String(name)));
        return true;
    }

    bool integer(const char *name, qint64 &to, bool required, qint64 min, qint64 max)
    {
        element e;
        if (obj[name].get(e) != simdjson::SUCCESS) {
            if (required)
                return fail(QStringLiteral("missing field '%1'").arg(QLatin1String(name)));
            return true;
        }
        int64_t v = 0;
        if (e.is_uint64() && !e.is_int64())
            return fail(QStringLiteral("field '%1' is out of range").arg(QLatin1String(name)));
        if (e.get_int64().get(v) != simdjson::SUCCESS)
            return fail(QStringLiteral("field '%1' must be an integer").arg(QLatin1String(name)));
        if (v < min || v > max)
            return fail(QStringLiteral("field '%1' is out of range").arg(QLatin1String(name)));
        to = v;
        return true;
    }
};

bool validAttachments(element arr)
{
    simdjson::dom::array a;
    if (arr.get_array().get(a) != simdjson::SUCCESS || a.size() > 32)
        return false;
    for (element item : a) {
        simdjson::dom::object o;
        if (item.get_object().get(o) != simdjson::SUCCESS)
            return false;
        std::string_view key;
        if (o["key"].get_string().get(key) != simdjson::SUCCESS || key.empty())
            return false;
    }
    return true;
}


// The fields of a message.send (also the body of POST /v1/conversations/{id}/messages).
bool readSendFields(Reader &r, qsizetype maxContentBytes)
{
    ParsedFrame &out = r.out;
    ClientFrame &f = out.frame;
    if (!r.string("client_msg_id", f.clientMsgId, true, kMaxClientMsgId) || !r.string("sender_id", f.senderId, false, 255))
        return false;
    element content;
    if (r.obj["content"].get(content) != simdjson::SUCCESS)
        return r.fail(QStringLiteral("missing field 'content'"));
    f.content = minified(content);
    if (f.content.size() > maxContentBytes) {
        out.error = FrameError::TooLarge;
        out.message = QStringLiteral("content is %1 bytes, the limit is %2").arg(f.content.size()).arg(maxContentBytes);
        return false;
    }
    element att;
    if (r.obj["attachments"].get(att) == simdjson::SUCCESS && !att.is_null()) {
        if (!validAttachments(att))
            return r.fail(QStringLiteral("field 'attachments' must be an array of objects with a string 'key'"));
        f.attachments = minified(att);
    }
    return true;
}

// A text simdjson refused for a number out of range: a BadRequest naming the field (with the
// frame's `req` when a scan finds one), not "not JSON". False when the text is broken otherwise.
bool numberOutOfRange(QByteArrayView utf8, simdjson::error_code error, ParsedFrame &out)
{
    if (!json::isNumberError(error))
        return false;
    const std::optional<QString> field = json::outOfRangeNumberField(utf8);
    if (!field)
        return false;
    out.error = FrameError::BadRequest;
    out.message = json::numberOutOfRangeMessage(*field);
    if (const std::optional<QByteArray> req = json::scanTopLevelReq(utf8); req && req->size() <= kMaxReq) {
        out.frame.req = *req;
        out.frame.hasReq = true;
    }
    return true;
}

} // namespace

ParsedFrame parseMessageBody(QByteArrayView utf8, qsizetype maxContentBytes)
{
    ParsedFrame out;
    out.frame.type = FrameType::MessageSend;
    thread_local simdjson::dom::parser parser;
    const simdjson::padded_string padded(utf8.data(), size_t(utf8.size()));
    element root;
    simdjson::dom::object obj;
    const simdjson::error_code error = parser.parse(padded).get(root);
    if (error != simdjson::SUCCESS && numberOutOfRange(utf8, error, out))
        return out;
    if (error != simdjson::SUCCESS || root.get_object().get(obj) != simdjson::SUCCESS) {
        out.error = FrameError::BadRequest;
        out.message = QStringLiteral("body is not a JSON object");
        return out;
    }
    if (const std::optional<QByteArray> dup = json::findDuplicateKey(root)) {
        out.error = FrameError::BadRequest;
        out.message = json::duplicateKeyMessage(*dup);
        return out;
    }
    Reader r{obj, out};
    readSendFields(r, maxContentBytes);
    return out;
}

ParsedFrame parseClientFrame(QByteArrayView utf8, qsizetype maxContentBytes)
{
    ParsedFrame out;
    thread_local simdjson::dom::parser parser;
    const simdjson::padded_string padded(utf8.data(), size_t(utf8.size()));
    element root;
    simdjson::dom::object obj;
    const simdjson::error_code error = parser.parse(padded).get(root);
    if (error != simdjson::SUCCESS && numberOutOfRange(utf8, error, out))
        return out;
    if (error != simdjson::SUCCESS || root.get_object().get(obj) != simdjson::SUCCESS) {
        out.error = FrameError::Protocol;
        out.message = QStringLiteral("frame is not a JSON object");
        return out;
    }
    std::string_view type;
    if (obj["type"].get_string().get(type) != simdjson::SUCCESS) {
        out.error = FrameError::Protocol;
        out.message = QStringLiteral("frame has no string 'type'");
        return out;
    }

    // A key named twice is refused, but the answer still carries the `req` if that one is not
    // the key in doubt.
    const std::optional<QByteArray> duplicate = json::findDuplicateKey(root);
    Reader r{obj, out};
    ClientFrame &f = out.frame;
    if (!(duplicate && *duplicate == "req")) {
        element reqEl;
        if (obj["req"].get(reqEl) == simdjson::SUCCESS) {
            std::string_view req;
            if (reqEl.get_string().get(req) != simdjson::SUCCESS || qsizetype(req.size()) > kMaxReq) {
                r.fail(QStringLiteral("field 'req' must be a string of at most %1 bytes").arg(kMaxReq));
                return out;
            }
            f.req = bytes(req);
            f.hasReq = true;
        }
    }
    if (duplicate) {
        r.fail(json::duplicateKeyMessage(*duplicate));
        return out;
    }

    if (type == "auth" || type == "auth.refresh") {
        f.type = type == "auth" ? FrameType::Auth : FrameType::AuthRefresh;
        r.string("token", f.token, true, kMaxToken);
    } else if (type == "message.send") {
        f.type = FrameType::MessageSend;
        if (r.id("convo_id", f.convoId))
            readSendFields(r, maxContentBytes);
    } else if (type == "message.delivered" || type == "message.read") {
        f.type = type == "message.read" ? FrameType::MessageRead : FrameType::MessageDelivered;
        if (r.id("convo_id", f.convoId))
            r.integer("seq_no", f.seqNo, true, 0, std::numeric_limits<qint64>::max());
    } else if (type == "typing.start" || type == "typing.stop") {
        f.type = type == "typing.start" ? FrameType::TypingStart : FrameType::TypingStop;
        r.id("convo_id", f.convoId);
    } else if (type == "presence.subscribe") {
        f.type = FrameType::PresenceSubscribe;
        simdjson::dom::array ids;
        if (obj["user_ids"].get_array().get(ids) != simdjson::SUCCESS) {
            r.fail(QStringLiteral("field 'user_ids' must be an array of strings"));
            return out;
        }
        if (qsizetype(ids.size()) > kMaxPresenceIds) {
            r.fail(QStringLiteral("at most %1 user_ids per frame").arg(kMaxPresenceIds));
            return out;
        }
        for (element e : ids) {
            std::string_view s;
            if (e.get_string().get(s) != simdjson::SUCCESS || !isValidUserId(bytes(s))) {
                r.fail(QStringLiteral("field 'user_ids' must hold valid user ids"));
                return out;
            }
            f.userIds.append(bytes(s));
        }
    } else if (type == "sync") {
        f.type = FrameType::Sync;
        if (r.id("convo_id", f.convoId) && r.integer("after_seq", f.afterSeq, true, 0, std::numeric_limits<qint64>::max()))
            r.integer("limit", f.limit, false, 1, std::numeric_limits<qint64>::max());
    } else if (type == "ping") {
        f.type = FrameType::Ping;
    } else {
        r.fail(QStringLiteral("unknown type '%1'").arg(QString::fromUtf8(type.data(), qsizetype(type.size())).left(64)));
    }
    return out;
}

} // namespace confab::gateway

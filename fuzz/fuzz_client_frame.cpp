// libFuzzer target for what a client sends on /v1/ws: the RFC 6455 frame reader (masking,
// fragments, control frames, limits, UTF-8) fed the bytes in two pieces, and the JSON frame
// parser (PROTOCOL.md section 5) fed every text message it reports and the raw bytes too, as a
// frame and as a REST message body. Any bytes must give frames or errors, never a crash, a
// hang or undefined behaviour, and what is accepted must respect the limits. Seeds:
// fuzz/corpus/client_frame (JSON frames, and the same wrapped in masked WebSocket frames).

#include "confab/ids.h"
#include "gateway/frames.h"
#include "websocket/framereader.h"

#include <cstdint>
#include <cstdlib>

using namespace confab;

namespace {

constexpr qsizetype kMaxContent = 512;
constexpr qint64 kMaxMessage = 4096;

// A REST message body has no convo_id (the path names the conversation).
void checkFrame(const gateway::ParsedFrame &p, bool restBody = false)
{
    using gateway::FrameError;
    using gateway::FrameType;
    if (p.error != FrameError::None) {
        if (p.message.isEmpty())
            std::abort();
        return;
    }
    const gateway::ClientFrame &f = p.frame;
    if (f.content.size() > kMaxContent || f.req.size() > 128 || f.seqNo < 0 || f.afterSeq < 0 || f.limit < 0)
        std::abort();
    switch (f.type) {
    case FrameType::MessageSend:
    case FrameType::MessageDelivered:
    case FrameType::MessageRead:
    case FrameType::TypingStart:
    case FrameType::TypingStop:
    case FrameType::Sync:
        if (!restBody && !isValidId(f.convoId))
            std::abort();
        break;
    case FrameType::PresenceSubscribe:
        for (const QByteArray &u : f.userIds) {
            if (!isValidUserId(u))
                std::abort();
        }
        break;
    default:
        break;
    }
}

class Sink : public websocket::FrameSink
{
public:
    void onMessage(websocket::Opcode opcode, QByteArrayView payload) override
    {
        if (payload.size() > kMaxMessage)
            std::abort();
        if (opcode == websocket::Opcode::Text) {
            if (!websocket::isValidUtf8(payload))
                std::abort();
            checkFrame(gateway::parseClientFrame(payload, kMaxContent));
        }
    }
    void onPing(QByteArrayView payload) override
    {
        if (payload.size() > 125)
            std::abort();
    }
    void onPong(QByteArrayView payload) override
    {
        if (payload.size() > 125)
            std::abort();
    }
    void onCloseFrame(int, QByteArrayView reason) override
    {
        if (reason.size() > 123)
            std::abort();
    }
    void onProtocolError(int code, QByteArrayView) override
    {
        if (code < 1000 || code > 4999)
            std::abort();
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    checkFrame(gateway::parseClientFrame(input, kMaxContent));
    checkFrame(gateway::parseMessageBody(input, kMaxContent), true);

    // The reader unmasks in place: give it a copy, in two feeds split at a point the input picks.
    QByteArray stream = input.toByteArray();
    const qsizetype split = stream.isEmpty() ? 0 : qsizetype(data[0]) % (stream.size() + 1);
    websocket::FrameReader reader(kMaxMessage);
    Sink sink;
    const qsizetype first = reader.feed(stream.data(), split, sink);
    if (first < 0 || first > split)
        std::abort();
    if (first == split && !reader.closeReceived()) {
        const qsizetype second = reader.feed(stream.data() + split, stream.size() - split, sink);
        if (second < 0 || second > stream.size() - split)
            std::abort();
    }
    if (reader.bufferedBytes() > kMaxMessage)
        std::abort();
    return 0;
}

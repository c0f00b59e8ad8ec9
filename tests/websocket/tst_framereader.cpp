// The server's frame reader on bytes, split every way (RFC 6455 sections 5 and 7).
#include "websocket/framereader.h"
#include "wsbytes.h"

#include <QTest>

using namespace confab::websocket;
using namespace confab::test;

namespace
{

// Records what the reader reports as short strings, e.g. "text:Hello", "error:1002".
class Recorder : public FrameSink
{
public:
    QStringList events;
    std::function<void()> onMessageHook;

    void onMessage(Opcode opcode, QByteArrayView payload) override
    {
        events.append((opcode == Opcode::Text ? QStringLiteral("text:") : QStringLiteral("binary:"))
            + QString::fromLatin1(payload.toByteArray().toHex()).left(64));
        if (onMessageHook)
            onMessageHook();
    }
    void onPing(QByteArrayView payload) override
    {
        events.append(QStringLiteral("ping:") + QString::fromLatin1(payload.toByteArray()));
    }
    void onPong(QByteArrayView payload) override
    {
        events.append(QStringLiteral("pong:") + QString::fromLatin1(payload.toByteArray()));
    }
    void onCloseFrame(int code, QByteArrayView reason) override
    {
        events.append(QStringLiteral("close:%1:%2").arg(code).arg(QString::fromUtf8(reason)));
    }
    void onProtocolError(int closeCode, QByteArrayView) override
    {
        events.append(QStringLiteral("error:%1").arg(closeCode));
    }
};

QString text(const QByteArray &utf8)
{
    return QStringLiteral("text:") + QString::fromLatin1(utf8.toHex()).left(64);
}

// Feeds all of bytes in pieces of `step` (0: at once); returns the events.
QStringList feed(const QByteArray &bytes, qsizetype step = 0, qint64 max = 1 << 20)
{
    FrameReader reader(max);
    Recorder sink;
    QByteArray copy = bytes; // feed() unmasks in place
    if (step <= 0)
        step = copy.size();
    for (qsizetype at = 0; at < copy.size(); at += step)
        reader.feed(copy.data() + at, std::min(step, copy.size() - at), sink);
    return sink.events;
}

} // namespace

class TestFrameReader : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void rfcMaskedHello()
    {
        // RFC 6455 section 5.7: "A single-frame masked text message".
        const QByteArray bytes = QByteArray::fromHex("818537fa213d7f9f4d5158");
        QCOMPARE(feed(bytes), QStringList { text("Hello") });
    }

    void rfcMaskedPong()
    {
        // RFC 6455 section 5.7: "Unmasked Ping request and masked Ping response" (the response).
        const QByteArray bytes = QByteArray::fromHex("8a8537fa213d7f9f4d5158");
        QCOMPARE(feed(bytes), QStringList { QStringLiteral("pong:Hello") });
    }

    void rfcUnmaskedFramesAreRefused_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        // RFC 6455 section 5.7, server-to-client forms: a client must never send them.
        QTest::addRow("unmasked text") << QByteArray::fromHex("810548656c6c6f");
        QTest::addRow("fragmented unmasked") << QByteArray::fromHex("010348656c80026c6f");
        QTest::addRow("unmasked ping") << QByteArray::fromHex("890548656c6c6f");
        QTest::addRow("256 bytes unmasked")
            << QByteArray::fromHex("827e0100") + QByteArray(256, 'b');
        QTest::addRow("64 KiB unmasked")
            << QByteArray::fromHex("827f0000000000010000") + QByteArray(65536, 'b');
    }
    void rfcUnmaskedFramesAreRefused()
    {
        QFETCH(QByteArray, bytes);
        QCOMPARE(feed(bytes), QStringList { QStringLiteral("error:1002") });
    }

    void everySplitGivesTheSameEvents_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QStringList>("events");
        QTest::addRow("hello") << QByteArray::fromHex("818537fa213d7f9f4d5158")
                               << QStringList { text("Hello") };
        QTest::addRow("fragmented with a ping between")
            << clientFrame(0x1, "Hel", false) + clientFrame(0x9, "p") + clientFrame(0x0, "lo")
            << QStringList { QStringLiteral("ping:p"), text("Hello") };
        QTest::addRow("three fragments, empty last")
            << clientFrame(0x1, "a", false) + clientFrame(0x0, "b", false) + clientFrame(0x0, "")
            << QStringList { text("ab") };
        const QByteArray medium(300, 'm');
        QTest::addRow("16-bit length") << clientFrame(0x1, medium) << QStringList { text(medium) };
        const QByteArray big(70000, 'g');
        QTest::addRow("64-bit length") << clientFrame(0x2, big)
                                       << QStringList { QStringLiteral("binary:")
                                              + QString::fromLatin1(big.toHex()).left(64) };
        QTest::addRow("empty text")
            << clientFrame(0x1, "") << QStringList { QStringLiteral("text:") };
        QTest::addRow("two messages") << clientFrame(0x1, "one") + clientFrame(0x1, "two")
                                      << QStringList { text("one"), text("two") };
        QTest::addRow("UTF-8 split across fragments") << clientFrame(0x1, "\xe2\x82", false)
                + clientFrame(0x0, "\xac") << QStringList { text("\xe2\x82\xac") };
    }
    void everySplitGivesTheSameEvents()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QStringList, events);
        QCOMPARE(feed(bytes), events);
        for (qsizetype step : { 1, 2, 3, 5, 7, 13, 127, 4096 })
            QCOMPARE(feed(bytes, step), events);
    }

    void protocolErrors_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("code");
        QTest::addRow("rsv1") << clientFrame(0x1, "x", true, "abcd", 0x40) << 1002;
        QTest::addRow("rsv2") << clientFrame(0x1, "x", true, "abcd", 0x20) << 1002;
        QTest::addRow("rsv3") << clientFrame(0x1, "x", true, "abcd", 0x10) << 1002;
        for (int op : { 0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF })
            QTest::addRow("opcode %x", op) << clientFrame(quint8(op), "x") << 1002;
        QTest::addRow("control over 125") << clientFrame(0x9, QByteArray(126, 'p')) << 1002;
        QTest::addRow("fragmented ping") << clientFrame(0x9, "p", false) << 1002;
        QTest::addRow("fragmented close") << clientFrame(0x8, closePayload(1000), false) << 1002;
        QTest::addRow("continuation first") << clientFrame(0x0, "x") << 1002;
        QTest::addRow("text inside fragmented")
            << clientFrame(0x1, "a", false) + clientFrame(0x1, "b") << 1002;
        QTest::addRow("invalid UTF-8") << clientFrame(0x1, "\xff\xfe") << 1007;
        QTest::addRow("overlong UTF-8") << clientFrame(0x1, "\xc0\xaf") << 1007;
        QTest::addRow("surrogate") << clientFrame(0x1, "\xed\xa0\x80") << 1007;
        QTest::addRow("truncated UTF-8") << clientFrame(0x1, "a\xe2\x82") << 1007;
        QTest::addRow("close of 1 byte") << clientFrame(0x8, "\x03") << 1002;
        QTest::addRow("close code 1005") << clientFrame(0x8, closePayload(1005)) << 1002;
        QTest::addRow("close code 999") << clientFrame(0x8, closePayload(999)) << 1002;
        QTest::addRow("close code 5000") << clientFrame(0x8, closePayload(5000)) << 1002;
        QTest::addRow("close reason not UTF-8")
            << clientFrame(0x8, closePayload(1000, "\xff")) << 1007;
    }
    void protocolErrors()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, code);
        const QStringList expected { QStringLiteral("error:%1").arg(code) };
        QCOMPARE(feed(bytes), expected);
        QCOMPARE(feed(bytes, 1), expected);
    }

    void tooBigIsRefusedAtTheHeader()
    {
        // GIVEN a 100-byte limit, WHEN only the header of a 4 MiB frame has arrived,
        // THEN 1009 is reported at once and nothing is buffered.
        FrameReader reader(100);
        Recorder sink;
        QByteArray head = clientFrame(0x1, QByteArray(4 << 20, 'x')).first(14);
        reader.feed(head.data(), head.size(), sink);
        QCOMPARE(sink.events, QStringList { QStringLiteral("error:1009") });
        QCOMPARE(reader.bufferedBytes(), 0);
        // THEN the rest of that frame is skipped unread, and a later close is still seen
        QByteArray rest = QByteArray(4 << 20, 'x') + clientFrame(0x8, closePayload(1000, "bye"));
        reader.feed(rest.data(), rest.size(), sink);
        QCOMPARE(sink.events,
            (QStringList { QStringLiteral("error:1009"), QStringLiteral("close:1000:bye") }));
        QCOMPARE(reader.bufferedBytes(), 0);
    }

    void tooBigCountsEveryFragment()
    {
        // 60 + 60 bytes of one message against a 100-byte limit: the second header is refused.
        QStringList events = feed(
            clientFrame(0x1, QByteArray(60, 'a'), false) + clientFrame(0x0, QByteArray(60, 'b')), 0,
            100);
        QCOMPARE(events, QStringList { QStringLiteral("error:1009") });
        // exactly at the limit is fine
        events = feed(
            clientFrame(0x1, QByteArray(60, 'a'), false) + clientFrame(0x0, QByteArray(40, 'b')), 0,
            100);
        QCOMPARE(events, QStringList { text(QByteArray(60, 'a') + QByteArray(40, 'b')) });
    }

    void hugeLengthIs1009()
    {
        // A 64-bit length of 2^63 (and of 2^64 - 1).
        for (const char *len : { "8000000000000000", "ffffffffffffffff" }) {
            const QByteArray bytes
                = QByteArray::fromHex("81ff") + QByteArray::fromHex(len) + QByteArray("abcd");
            QCOMPARE(feed(bytes), QStringList { QStringLiteral("error:1009") });
        }
    }

    void closeFrames_data()
    {
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<QString>("event");
        QTest::addRow("no code") << QByteArray() << QStringLiteral("close:1005:");
        QTest::addRow("1000") << closePayload(1000) << QStringLiteral("close:1000:");
        QTest::addRow("with reason")
            << closePayload(1001, "gone \xe2\x82\xac") << QStringLiteral("close:1001:gone \u20ac");
        QTest::addRow("private code") << closePayload(4321) << QStringLiteral("close:4321:");
    }
    void closeFrames()
    {
        QFETCH(QByteArray, payload);
        QFETCH(QString, event);
        QCOMPARE(feed(clientFrame(0x8, payload)), QStringList { event });
    }

    void nothingIsReadAfterClose()
    {
        FrameReader reader(1000);
        Recorder sink;
        const QByteArray close = clientFrame(0x8, closePayload(1000));
        QByteArray bytes = close + clientFrame(0x1, "late");
        const qsizetype consumed = reader.feed(bytes.data(), bytes.size(), sink);
        QCOMPARE(consumed, close.size());
        QVERIFY(reader.closeReceived());
        QCOMPARE(sink.events, QStringList { QStringLiteral("close:1000:") });
    }

    void afterAnErrorOnlyCloseCounts()
    {
        // GIVEN an unmasked frame (1002), THEN messages and pings after it are skipped, and the
        // peer's close frame is still recognised.
        const QByteArray bytes = clientFrame(0x1, "bad", true, QByteArray())
            + clientFrame(0x1, "ignored") + clientFrame(0x9, "ignored")
            + clientFrame(0x2, QByteArray(5000, 'z')) + clientFrame(0x8, closePayload(1002));
        const QStringList expected { QStringLiteral("error:1002"), QStringLiteral("close:1002:") };
        QCOMPARE(feed(bytes), expected);
        QCOMPARE(feed(bytes, 3), expected);
    }

    void discardDropsTheMessageInProgress()
    {
        FrameReader reader(1 << 20);
        Recorder sink;
        QByteArray first = clientFrame(0x1, QByteArray(1000, 'a'), false);
        reader.feed(first.data(), first.size(), sink);
        QCOMPARE(reader.bufferedBytes(), 1000);
        reader.discard();
        QCOMPARE(reader.bufferedBytes(), 0);
        QByteArray more
            = clientFrame(0x0, "b") + clientFrame(0x1, "c") + clientFrame(0x8, closePayload(1000));
        reader.feed(more.data(), more.size(), sink);
        QCOMPARE(sink.events, QStringList { QStringLiteral("close:1000:") });
    }

    void discardInsideOnMessageKeepsThePayload()
    {
        // A handler that closes while handling a message must still see all of it.
        FrameReader reader(1 << 20);
        Recorder sink;
        sink.onMessageHook = [&reader] { reader.discard(); };
        QByteArray bytes
            = clientFrame(0x1, "a", false) + clientFrame(0x0, "bc") + clientFrame(0x1, "after");
        reader.feed(bytes.data(), bytes.size(), sink);
        QCOMPARE(sink.events, QStringList { text("abc") });
        QCOMPARE(reader.bufferedBytes(), 0);
    }

    void bufferIsReleasedAfterEachMessage()
    {
        FrameReader reader(1 << 20);
        Recorder sink;
        QByteArray bytes = clientFrame(0x1, QByteArray(5000, 'q'));
        reader.feed(bytes.data(), 2500, sink);
        QVERIFY(reader.bufferedBytes() > 0);
        QVERIFY(reader.bufferedBytes() <= 5000);
        reader.feed(bytes.data() + 2500, bytes.size() - 2500, sink);
        QCOMPARE(sink.events.size(), 1);
        QCOMPARE(reader.bufferedBytes(), 0);
    }

    void unmaskMatchesBytewise()
    {
        const unsigned char key[4] = { 0x01, 0x82, 0x43, 0xf4 };
        QByteArray data(37, Qt::Uninitialized);
        for (int i = 0; i < data.size(); ++i)
            data[i] = char(i * 7);
        for (quint32 offset = 0; offset < 4; ++offset) {
            QByteArray fast = data;
            unmask(fast.data(), fast.size(), key, offset);
            for (int i = 0; i < data.size(); ++i)
                QCOMPARE(quint8(fast[i]), quint8(data[i] ^ key[(i + offset) % 4]));
        }
    }
};

QTEST_APPLESS_MAIN(TestFrameReader)
#include "tst_framereader.moc"

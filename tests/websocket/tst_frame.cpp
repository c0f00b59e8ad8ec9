// The server's frame writer, against RFC 6455 section 5.7's examples, and read back.
#include "websocket/frame.h"
#include "websocket/framereader.h"

#include <QTest>

using namespace confab::websocket;

class TestFrame : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void rfcExamples()
    {
        // "A single-frame unmasked text message"
        QCOMPARE(textFrame("Hello"), QByteArray::fromHex("810548656c6c6f"));
        // "Unmasked Ping request"
        QCOMPARE(serverFrame(Opcode::Ping, "Hello"), QByteArray::fromHex("890548656c6c6f"));
        // "256 bytes binary message in a single unmasked frame"
        const QByteArray b256(256, 'b');
        QCOMPARE(serverFrame(Opcode::Binary, b256), QByteArray::fromHex("827e0100") + b256);
        // "64KiB binary message in a single unmasked frame"
        const QByteArray b64k(65536, 'k');
        QCOMPARE(
            serverFrame(Opcode::Binary, b64k), QByteArray::fromHex("827f0000000000010000") + b64k);
    }

    void lengthBoundaries_data()
    {
        QTest::addColumn<int>("size");
        QTest::addColumn<QByteArray>("head");
        QTest::addRow("0") << 0 << QByteArray::fromHex("8100");
        QTest::addRow("125") << 125 << QByteArray::fromHex("817d");
        QTest::addRow("126") << 126 << QByteArray::fromHex("817e007e");
        QTest::addRow("65535") << 65535 << QByteArray::fromHex("817effff");
        QTest::addRow("65536") << 65536 << QByteArray::fromHex("817f0000000000010000");
    }
    void lengthBoundaries()
    {
        QFETCH(int, size);
        QFETCH(QByteArray, head);
        const QByteArray f = textFrame(QByteArray(size, 'x'));
        QCOMPARE(f.size(), head.size() + size);
        QCOMPARE(f.first(head.size()), head);
        QCOMPARE(serverHeaderSize(size), head.size());
    }

    void closeFrames()
    {
        QCOMPARE(closeFrame(1009, "too big"), QByteArray::fromHex("880903f1") + "too big");
        QCOMPARE(closeFrame(4008), QByteArray::fromHex("8802") + QByteArray::fromHex("0fa8"));
        // A long reason is cut to 125 bytes of payload, never inside a character.
        QByteArray reason;
        for (int i = 0; i < 60; ++i)
            reason += "\xe2\x82\xac"; // 3 bytes each
        const QByteArray f = closeFrame(1000, reason);
        const qsizetype payload = quint8(f[1]);
        QVERIFY(payload <= 125);
        QCOMPARE(f.size(), 2 + payload);
        QCOMPARE((payload - 2) % 3, 0);
        QVERIFY(isValidUtf8(QByteArrayView(f).sliced(4)));
    }

    void pingIsShared()
    {
        QCOMPARE(pingFrame(), QByteArray::fromHex("8900"));
        // the same bytes every time, not rebuilt
        QCOMPARE(pingFrame().constData(), pingFrame().constData());
    }

    void validCloseCodes()
    {
        for (int c : { 1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4000, 4999 })
            QVERIFY2(isValidCloseCode(c), qPrintable(QString::number(c)));
        for (int c : { 0, 999, 1004, 1005, 1006, 1012, 1015, 2000, 2999, 5000, 65535 })
            QVERIFY2(!isValidCloseCode(c), qPrintable(QString::number(c)));
    }
};

QTEST_APPLESS_MAIN(TestFrame)
#include "tst_frame.moc"

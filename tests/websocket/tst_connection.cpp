// Connection and Hub on a real loopback socket pair: what a peer sees of closes, pongs, limits
// and deadlines. The client side is raw bytes (wsbytes.h), so it can misbehave.
#include "websocket/connection.h"
#include "websocket/hub.h"
#include "websocket/sendbatch.h"
#include "wsbytes.h"

#include <QPointer>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace confab::websocket;
using namespace confab::test;

namespace
{

class Recorder : public Handler
{
public:
    QList<QByteArray> texts;
    int binaries = 0;
    int closedCode = 0;
    bool closedByServer = false;
    Connection *ws = nullptr;

    void onText(QByteArrayView utf8) override { texts.append(utf8.toByteArray()); }
    void onBinary(QByteArrayView) override { ++binaries; }
    void onClosed(int code, bool byServer) override
    {
        closedCode = code;
        closedByServer = byServer;
        ws = nullptr;
    }
};

// One server frame as the client reads it.
struct ServerFrame {
    quint8 opcode = 0;
    QByteArray payload;
    [[nodiscard]] int closeCode() const
    {
        return payload.size() >= 2 ? (quint8(payload[0]) << 8) | quint8(payload[1]) : 0;
    }
};

// Takes whole unmasked frames off the front of buffer.
QList<ServerFrame> takeFrames(QByteArray &buffer)
{
    QList<ServerFrame> out;
    for (;;) {
        if (buffer.size() < 2)
            return out;
        const quint8 len7 = quint8(buffer[1]) & 0x7F;
        qsizetype head = 2;
        quint64 len = len7;
        if (len7 == 126) {
            if (buffer.size() < 4)
                return out;
            len = (quint8(buffer[2]) << 8) | quint8(buffer[3]);
            head = 4;
        } else if (len7 == 127) {
            if (buffer.size() < 10)
                return out;
            len = 0;
            for (int i = 0; i < 8; ++i)
                len = (len << 8) | quint8(buffer[2 + i]);
            head = 10;
        }
        if (quint64(buffer.size()) < head + len)
            return out;
        out.append(ServerFrame { quint8(buffer[0] & 0x0F), buffer.mid(head, qsizetype(len)) });
        buffer.remove(0, head + qsizetype(len));
    }
}

} // namespace

class TestConnection : public QObject
{
    Q_OBJECT

    QTcpServer m_listener;
    std::unique_ptr<Hub> m_hub;
    std::unique_ptr<QTcpSocket> m_client;
    QByteArray m_in;
    QList<ServerFrame> m_frames;
    Recorder m_handler;

    // A connected pair; the server side adopted by a fresh hub and started (unless told not to).
    // answer: the handshake's 101 answer, which adopt() writes; buffered: written through the
    // server side's QTcpSocket before it is adopted (what an earlier response left there).
    Connection *open(Hub::Options options = {}, bool start = true, const QByteArray &early = {},
        const QByteArray &answer = {}, const QByteArray &buffered = {})
    {
        m_hub = std::make_unique<Hub>(options);
        m_client = std::make_unique<QTcpSocket>();
        m_in.clear();
        m_frames.clear();
        m_handler = Recorder();
        m_client->connectToHost(QHostAddress::LocalHost, m_listener.serverPort());
        if (!m_client->waitForConnected(5000) || !m_listener.waitForNewConnection(5000))
            return nullptr;
        if (!early.isEmpty()) {
            m_client->write(early);
            m_client->flush();
        }
        QTcpSocket *server = m_listener.nextPendingConnection();
        if (!early.isEmpty()) {
            QElapsedTimer t;
            t.start();
            while (server->bytesAvailable() < early.size() && t.elapsed() < 5000)
                server->waitForReadyRead(50);
        }
        if (!buffered.isEmpty())
            server->write(buffered);
        Connection *c = m_hub->adopt(server, answer);
        m_handler.ws = c;
        if (start)
            c->start(&m_handler);
        return c;
    }

    // One more connected pair on the hub open() made, started with handler (which must outlive
    // the hub: reset m_hub first).
    Connection *openAnother(QTcpSocket &client, Recorder &handler)
    {
        client.connectToHost(QHostAddress::LocalHost, m_listener.serverPort());
        if (!client.waitForConnected(5000) || !m_listener.waitForNewConnection(5000))
            return nullptr;
        Connection *c = m_hub->adopt(m_listener.nextPendingConnection(), {});
        c->start(&handler);
        return c;
    }

    // Reads what the server sent to client (whole frames to frames, the rest kept in buffer)
    // until pred holds (or the timeout).
    static bool readUntil(QTcpSocket &client, QByteArray &buffer, QList<ServerFrame> &frames,
        const std::function<bool()> &pred, int timeoutMs = 5000)
    {
        QElapsedTimer t;
        t.start();
        while (!pred() && t.elapsed() < timeoutMs) {
            QTest::qWait(5);
            buffer += client.readAll();
            frames += takeFrames(buffer);
        }
        return pred();
    }
    // The same for open()'s client.
    bool readUntil(const std::function<bool()> &pred, int timeoutMs = 5000)
    {
        return readUntil(*m_client, m_in, m_frames, pred, timeoutMs);
    }
    bool clientDisconnected(int timeoutMs = 5000)
    {
        return readUntil(
            [this] { return m_client->state() == QAbstractSocket::UnconnectedState; }, timeoutMs);
    }
    [[nodiscard]] int lastCloseCode() const
    {
        for (qsizetype i = m_frames.size() - 1; i >= 0; --i) {
            if (m_frames[i].opcode == 0x8)
                return m_frames[i].closeCode();
        }
        return -1;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_listener.listen(QHostAddress::LocalHost, 0)); }

    void cleanup()
    {
        m_client.reset();
        m_hub.reset();
    }

    void textBothWays()
    {
        Connection *c = open();
        QVERIFY(c);
        m_client->write(clientFrame(0x1, "hello"));
        QTRY_COMPARE(m_handler.texts, QList<QByteArray> { "hello" });
        QVERIFY(c->sendText("world"));
        QVERIFY(readUntil([this] { return !m_frames.isEmpty(); }));
        QCOMPARE(m_frames[0].opcode, quint8(0x1));
        QCOMPARE(m_frames[0].payload, QByteArray("world"));
    }

    void framesWaitSharedUntilTheLoopFlushesThemInOrder()
    {
        Connection *c = open();
        QVERIFY(c);
        // GIVEN one frame written to the connection three times and a close after them
        const QByteArray frame = textFrame("shared");
        QVERIFY(c->send(frame));
        QVERIFY(c->send(frame));
        QVERIFY(c->send(textFrame("last")));
        // THEN until the event loop runs, they wait as references to the same bytes (no copy,
        // no write yet), counted as unsent
        QCOMPARE(c->queuedFrames(), 3);
        QCOMPARE(c->unsentBytes(), 2 * frame.size() + textFrame("last").size());
        QVERIFY(!frame.isDetached()); // shared with the queued references
        c->close(1000, "done");
        // the close frame follows them: queued frames were handed over first
        QCOMPARE(c->queuedFrames(), 0);
        QVERIFY(readUntil([this] { return m_frames.size() >= 4; }));
        QCOMPARE(m_frames[0].payload, QByteArray("shared"));
        QCOMPARE(m_frames[1].payload, QByteArray("shared"));
        QCOMPARE(m_frames[2].payload, QByteArray("last"));
        QCOMPARE(m_frames[3].opcode, quint8(0x8));
        QCOMPARE(m_frames[3].closeCode(), 1000);
    }

    void answerAndFirstFrameFollowWhatWasWrittenBeforeAdoption_data()
    {
        QTest::addColumn<QByteArray>("buffered");
        QTest::newRow("nothing in Qt's buffer") << QByteArray();
        QTest::newRow("bytes in Qt's buffer") << QByteArray("HTTP/1.1 200 OK\r\n\r\n");
    }

    void answerAndFirstFrameFollowWhatWasWrittenBeforeAdoption()
    {
        QFETCH(QByteArray, buffered);
        // GIVEN a connection adopted with its 101 answer, Qt's buffer empty or not
        const QByteArray answer = "HTTP/1.1 101 Switching Protocols\r\n\r\n";
        Connection *c = open({}, true, {}, answer, buffered);
        QVERIFY(c);
        // THEN an answer that can go at once went straight to the kernel, not through Qt's
        // buffer (which its socket would keep allocated while the connection is idle)
        if (buffered.isEmpty())
            QCOMPARE(m_hub->findChild<QTcpSocket *>()->bytesToWrite(), 0);
        // WHEN a frame is sent at once THEN the peer reads what was buffered, the answer, then
        // the frame
        QVERIFY(c->sendText("first"));
        QByteArray raw;
        const QByteArray head = buffered + answer;
        QTRY_VERIFY([&] {
            raw += m_client->readAll();
            return raw.size() >= head.size() + 7;
        }());
        QCOMPARE(raw.left(head.size()), head);
        raw.remove(0, head.size());
        m_frames = takeFrames(raw);
        QCOMPARE(m_frames.size(), 1);
        QCOMPARE(m_frames[0].payload, QByteArray("first"));
    }

    void queuedFramesLeaveOnTheNextLoopIteration()
    {
        Connection *c = open();
        QVERIFY(c);
        for (int i = 0; i < 200; ++i)
            QVERIFY(c->sendText(QByteArray::number(i)));
        QCOMPARE(c->queuedFrames(), 200);
        QCoreApplication::processEvents();
        QCOMPARE(c->queuedFrames(), 0);
        QVERIFY(readUntil([this] { return m_frames.size() >= 200; }));
        for (int i = 0; i < 200; ++i)
            QCOMPARE(m_frames[i].payload, QByteArray::number(i));
    }

    void manyConnectionsFlushedTogetherKeepTheirOrder_data()
    {
        QTest::addColumn<bool>("batched");
        QTest::newRow("one sendmsg() each") << false;
        QTest::newRow("batched") << true;
    }

    void manyConnectionsFlushedTogetherKeepTheirOrder()
    {
        QFETCH(bool, batched);
        // GIVEN 40 connections on one hub, each with more frames queued than one batched send
        // carries (SendBatch::kIovecs), of sizes that do not line up with them
        Hub::Options options;
        options.batchedSends = batched;
        QVERIFY(open(options));
        QCOMPARE(m_hub->sendsBatched(), batched && SendBatch::supported());
        constexpr int kPeers = 40;
        constexpr int kFrames = 3 * SendBatch::kIovecs + 1;
        std::vector<std::unique_ptr<QTcpSocket>> clients;
        std::vector<std::unique_ptr<Recorder>> handlers;
        std::vector<Connection *> conns;
        for (int p = 0; p < kPeers; ++p) {
            clients.push_back(std::make_unique<QTcpSocket>());
            handlers.push_back(std::make_unique<Recorder>());
            conns.push_back(openAnother(*clients.back(), *handlers.back()));
            QVERIFY(conns.back());
        }
        auto payload = [](int p, int i) {
            return QByteArray(1 + (p * 7 + i * 13) % 300, char('a' + i % 26));
        };
        for (int p = 0; p < kPeers; ++p) {
            for (int i = 0; i < kFrames; ++i)
                QVERIFY(conns[size_t(p)]->sendText(payload(p, i)));
        }
        // WHEN the loop flushes them
        const quint64 submits = m_hub->batchSubmits();
        QCoreApplication::processEvents();
        // THEN a batching hub wrote all 40 with one system call (and each one's rest by itself)
        if (m_hub->sendsBatched())
            QCOMPARE(m_hub->batchSubmits(), submits + 1);
        else
            QCOMPARE(m_hub->batchSubmits(), 0u);
        // and every peer reads its frames whole and in order
        for (int p = 0; p < kPeers; ++p) {
            QCOMPARE(conns[size_t(p)]->queuedFrames(), 0);
            QByteArray in;
            QList<ServerFrame> frames;
            QVERIFY(readUntil(
                *clients[size_t(p)], in, frames, [&] { return frames.size() >= kFrames; }));
            QCOMPARE(frames.size(), kFrames);
            for (int i = 0; i < kFrames; ++i)
                QCOMPARE(frames[i].payload, payload(p, i));
        }
        m_hub.reset(); // before the handlers it tells
    }

    void framesTheKernelCannotTakeYetFollowInOrder_data()
    {
        manyConnectionsFlushedTogetherKeepTheirOrder_data();
    }

    void framesTheKernelCannotTakeYetFollowInOrder()
    {
        QFETCH(bool, batched);
        // GIVEN a peer that does not read for now, and room for far more than the kernel holds
        Hub::Options options;
        options.batchedSends = batched;
        options.bufferLimit = 256 << 20;
        Connection *c = open(options);
        QVERIFY(c);
        m_client->setReadBufferSize(1);
        // WHEN 16 MiB of frames are flushed pass after pass: the kernel's buffers fill, sends
        // come back partial or EAGAIN, and the rest waits in the socket's own buffer
        constexpr int kFrames = 256;
        auto payload
            = [](int i) { return QByteArray(65536, char('a' + i % 26)) + QByteArray::number(i); };
        for (int i = 0; i < kFrames; ++i) {
            QVERIFY(c->sendText(payload(i)));
            if (i % 8 == 7)
                QCoreApplication::processEvents();
        }
        QCoreApplication::processEvents();
        QVERIFY(c->unsentBytes() > 0);
        // THEN once the peer reads, every frame arrives whole and in order
        m_client->setReadBufferSize(0);
        QVERIFY(readUntil([this] { return m_frames.size() >= kFrames; }, 20000));
        for (int i = 0; i < kFrames; ++i)
            QCOMPARE(m_frames[i].payload, payload(i));
    }

    void coalescingWindowHoldsFramesThenSendsThemTogether()
    {
        Hub::Options options;
        options.writeCoalesceMs = 100;
        Connection *c = open(options);
        QVERIFY(c);
        QElapsedTimer t;
        t.start();
        // GIVEN a frame queued, and a loop pass handled inside the window
        QVERIFY(c->sendText("a"));
        QCoreApplication::processEvents();
        // THEN it still waits (a pass alone does not flush), and a later frame joins it
        if (t.elapsed() < options.writeCoalesceMs) {
            QCOMPARE(c->queuedFrames(), 1);
            QVERIFY(c->sendText("b"));
            QCOMPARE(c->queuedFrames(), 2);
        } else {
            QVERIFY(c->sendText("b")); // this host stalled past the window: order still holds
        }
        // WHEN the window ends THEN both leave, in order
        QTRY_COMPARE(c->queuedFrames(), 0);
        QVERIFY(readUntil([this] { return m_frames.size() >= 2; }));
        QCOMPARE(m_frames[0].payload, QByteArray("a"));
        QCOMPARE(m_frames[1].payload, QByteArray("b"));
        QVERIFY(t.elapsed() >= options.writeCoalesceMs);
    }

    void anAnswerLeavesInsideTheWindowWithWhatWaitedBeforeIt()
    {
        Hub::Options options;
        options.writeCoalesceMs = 60000; // no window ends during this test
        Connection *c = open(options);
        QVERIFY(c);
        // GIVEN a frame waiting for the window
        QVERIFY(c->sendText("pushed"));
        // WHEN an answer follows THEN both leave at the end of this pass, in order
        QVERIFY(c->sendText("answer", Connection::Flush::Pass));
        QVERIFY(readUntil([this] { return m_frames.size() >= 2; }));
        QCOMPARE(m_frames[0].payload, QByteArray("pushed"));
        QCOMPARE(m_frames[1].payload, QByteArray("answer"));
        // AND a later frame waits for the window again
        QVERIFY(c->sendText("later"));
        QCoreApplication::processEvents();
        QCOMPARE(c->queuedFrames(), 1);
        // AND a ping's pong is an answer too
        m_client->write(clientFrame(0x9, "beat"));
        QVERIFY(readUntil([this] { return m_frames.size() >= 4; }));
        QCOMPARE(m_frames[2].payload, QByteArray("later"));
        QCOMPARE(m_frames[3].opcode, quint8(0xA));
        QCOMPARE(c->queuedFrames(), 0);
    }

    void eachConnectionWaitsForAWindowOfItsOwn()
    {
        Hub::Options options;
        options.writeCoalesceMs = 300;
        Connection *first = open(options);
        QVERIFY(first);
        QTcpSocket secondClient;
        QTcpSocket thirdClient;
        Recorder secondHandler;
        Recorder thirdHandler;
        const auto hubFirst = qScopeGuard([this] { m_hub.reset(); }); // before the handlers go
        Connection *second = openAnother(secondClient, secondHandler);
        Connection *third = openAnother(thirdClient, thirdHandler);
        QVERIFY(second && third);
        // GIVEN a frame queued on the first connection, and later ones on the second and third
        QElapsedTimer t;
        t.start();
        QVERIFY(first->sendText("first"));
        QTest::qWait(150);
        QElapsedTimer sinceSecond;
        sinceSecond.start();
        QVERIFY(second->sendText("second"));
        QVERIFY(third->sendText("third"));
        QCOMPARE(m_hub->windowsOpened(), quint64(3));
        // AND the third goes away while it waits
        third->abort();
        // WHEN the first window ends THEN the first frame leaves, and the second still waits
        // for its own window (unless this host stalled past it)
        QTRY_COMPARE(first->queuedFrames(), 0);
        QVERIFY(t.elapsed() >= options.writeCoalesceMs);
        if (sinceSecond.elapsed() < options.writeCoalesceMs - 50)
            QCOMPARE(second->queuedFrames(), 1);
        QVERIFY(readUntil([this] { return m_frames.size() >= 1; }));
        QCOMPARE(m_frames[0].payload, QByteArray("first"));
        // AND the second leaves when its window ends
        QTRY_COMPARE(second->queuedFrames(), 0);
        QVERIFY(sinceSecond.elapsed() >= options.writeCoalesceMs);
        QTRY_VERIFY(secondClient.bytesAvailable() > 0);
        QByteArray in = secondClient.readAll();
        const QList<ServerFrame> frames = takeFrames(in);
        QCOMPARE(frames.size(), 1);
        QCOMPARE(frames[0].payload, QByteArray("second"));
    }

    void theWindowAppliesOnlyWhileTheHubIsBusyWriting()
    {
        Hub::Options options;
        options.writeCoalesceMs = 100;
        options.writeCoalesceAbovePerS = 100;
        Connection *c = open(options);
        QVERIFY(c);
        // GIVEN a hub that has not yet queued frames at the threshold's rate
        // THEN frames leave at the end of the pass, as without a window
        for (int i = 0; i < 200; ++i)
            QVERIFY(c->sendText("quiet"));
        QVERIFY(!m_hub->coalescing());
        QCoreApplication::processEvents();
        QCOMPARE(c->queuedFrames(), 0);
        // WHEN a batch starts after a span in which 200 frames were queued (far above 100/s)
        QTest::qWait(120);
        QVERIFY(c->sendText("busy"));
        // THEN it waits for the window
        QVERIFY(m_hub->coalescing());
        QCOMPARE(m_hub->windowsOpened(), quint64(1));
        QCoreApplication::processEvents();
        if (c->queuedFrames() == 1) { // unless this host stalled past the window
            QTRY_COMPARE(c->queuedFrames(), 0);
        }
        // AND once the rate has dropped well below the threshold, frames go at once again
        QTest::qWait(300);
        QVERIFY(c->sendText("quiet again"));
        QVERIFY(!m_hub->coalescing());
        QCoreApplication::processEvents();
        QCOMPARE(c->queuedFrames(), 0);
        QVERIFY(readUntil([this] { return m_frames.size() >= 202; }));
        QCOMPARE(m_frames[200].payload, QByteArray("busy"));
        QCOMPARE(m_frames[201].payload, QByteArray("quiet again"));
    }

    void framesThatCameWithTheHandshakeAreReadAtStart()
    {
        Connection *c = open({}, false, clientFrame(0x1, "early"));
        QVERIFY(c);
        QTest::qWait(50);
        QVERIFY(m_handler.texts.isEmpty()); // not started: nothing delivered
        c->start(&m_handler);
        QCOMPARE(m_handler.texts, QList<QByteArray> { "early" });
    }

    void pingIsAnsweredWithItsPayload()
    {
        QVERIFY(open());
        m_client->write(clientFrame(0x9, "beat"));
        QVERIFY(readUntil([this] { return !m_frames.isEmpty(); }));
        QCOMPARE(m_frames[0].opcode, quint8(0xA));
        QCOMPARE(m_frames[0].payload, QByteArray("beat"));
    }

    void peerCloseIsEchoedAndTcpCloses()
    {
        QVERIFY(open());
        m_client->write(clientFrame(0x8, closePayload(1000, "bye")));
        QVERIFY(clientDisconnected());
        QCOMPARE(lastCloseCode(), 1000);
        QCOMPARE(m_handler.closedCode, 1000);
        QVERIFY(!m_handler.closedByServer);
        QTRY_COMPARE(m_hub->connectionCount(), 0);
    }

    void tooBigIsClosed1009AndThePeersCloseEndsIt()
    {
        Hub::Options o;
        o.maxMessageBytes = 1024;
        o.closeTimeoutMs = 60000; // so only the peer's close can end it within the test
        QVERIFY(open(o));
        // GIVEN a 4 MiB frame, THEN the close frame arrives while the client is still sending
        m_client->write(clientFrame(0x1, QByteArray(4 << 20, 'x')));
        QVERIFY(readUntil([this] { return lastCloseCode() == 1009; }));
        QCOMPARE(m_handler.closedCode, 1009);
        QVERIFY(m_handler.closedByServer);
        // WHEN the client answers the close (after the rest of its frame), THEN TCP closes
        m_client->write(clientFrame(0x8, closePayload(1009)));
        QVERIFY(clientDisconnected());
        QTRY_COMPARE(m_hub->connectionCount(), 0);
    }

    void unansweredCloseEndsAfterTheTimeout()
    {
        Hub::Options o;
        o.closeTimeoutMs = 300;
        Connection *c = open(o);
        QVERIFY(c);
        c->close(4001, "nope");
        QVERIFY(readUntil([this] { return lastCloseCode() == 4001; }));
        QCOMPARE(m_handler.closedCode, 0); // the handler closed it itself: no callback
        m_client->write(clientFrame(0x1, "still talking")); // discarded
        QVERIFY(clientDisconnected());
        QTRY_COMPARE(m_hub->connectionCount(), 0);
    }

    void protocolErrorIsClosed1002()
    {
        QVERIFY(open());
        m_client->write(clientFrame(0x1, "unmasked", true, QByteArray()));
        QVERIFY(readUntil([this] { return lastCloseCode() == 1002; }));
        QCOMPARE(m_handler.closedCode, 1002);
        QVERIFY(m_handler.texts.isEmpty());
    }

    void invalidUtf8IsClosed1007()
    {
        QVERIFY(open());
        m_client->write(clientFrame(0x1, "\xc3\x28"));
        QVERIFY(readUntil([this] { return lastCloseCode() == 1007; }));
        QVERIFY(m_handler.texts.isEmpty());
    }

    void binaryGoesToTheHandler()
    {
        QVERIFY(open());
        m_client->write(clientFrame(0x2, "\x01\x02"));
        QTRY_COMPARE(m_handler.binaries, 1);
    }

    void aPeerThatDoesNotReadIsClosed4008()
    {
        // GIVEN a client that never reads and a 64 KiB limit
        Hub::Options o;
        o.bufferLimit = 64 * 1024;
        o.flushTimeoutMs = 500;
        m_client.reset();
        Connection *c = open(o);
        QVERIFY(c);
        m_client->setReadBufferSize(1);
        // WHEN the server keeps writing, THEN a frame eventually is refused, the handler is told
        // 4008, and what the socket holds never passes the limit by more than a frame
        const QByteArray frame = textFrame(QByteArray(8000, 'f'));
        int sent = 0;
        while (m_handler.ws && sent < 100000) {
            QVERIFY(c->unsentBytes() <= o.bufferLimit + frame.size());
            if (c->send(frame))
                ++sent;
            if (sent % 64 == 0)
                QCoreApplication::processEvents();
        }
        QCOMPARE(m_handler.closedCode, 4008);
        QVERIFY(m_handler.closedByServer);
        QVERIFY(!c->send(frame));
        // THEN the closing socket is dropped after the flush timeout
        QTRY_COMPARE_WITH_TIMEOUT(m_hub->connectionCount(), 0, 5000);
    }

    void abortDropsTheConnection()
    {
        Connection *c = open();
        QVERIFY(c);
        c->abort();
        QVERIFY(clientDisconnected());
        QCOMPARE(m_handler.closedCode, 0);
        QTRY_COMPARE(m_hub->connectionCount(), 0);
    }

    void peerVanishingTellsTheHandler()
    {
        QVERIFY(open());
        m_client->abort();
        QTRY_COMPARE(m_handler.closedCode, 1006);
        QVERIFY(!m_handler.closedByServer);
        QTRY_COMPARE(m_hub->connectionCount(), 0);
    }

    void hubDestructionTellsHandlers()
    {
        QVERIFY(open());
        m_hub.reset();
        QCOMPARE(m_handler.closedCode, 1006);
        QVERIFY(clientDisconnected());
    }
};

QTEST_GUILESS_MAIN(TestConnection)
#include "tst_connection.moc"

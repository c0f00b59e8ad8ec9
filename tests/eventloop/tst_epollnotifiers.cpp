// EpollEventDispatcher's socket notifiers, with the dispatcher installed as this process's
// main-thread dispatcher (epolltest.h): read and write readiness, enabling and disabling,
// notifiers that go away or whose descriptor is reused during a pass, and TCP through it.
#include "epolltest.h"

#include <QPointer>
#include <QRegularExpression>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryFile>
#include <QTest>

#include <memory>
#include <vector>

using confab::test::dispatcher;
using confab::test::settle;
using confab::test::SocketPair;

class TestEpollNotifiers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void socketNotifierReadAndWrite();
    void setEnabledToggles();
    void notifierUnregisteredDuringPassIsNotActivated_data();
    void notifierUnregisteredDuringPassIsNotActivated();
    void closedFdUnregistersQuietlyAndIsReused();
    void reusedFdDuringPassGetsNoStaleEvent();
    void everyReadySocketInOnePass();
    void regularFileIsAlwaysReady();
    void excludeSocketNotifiers();
    void tcpEchoOfOneMebibyte();
};

void TestEpollNotifiers::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void TestEpollNotifiers::socketNotifierReadAndWrite()
{
    SocketPair p;
    QSocketNotifier reader(p.fd[0], QSocketNotifier::Read);
    QSocketNotifier writer(p.fd[1], QSocketNotifier::Write);
    int reads = 0;
    int writes = 0;
    connect(&reader, &QSocketNotifier::activated, this, [&] {
        ++reads;
        p.drain(0);
    });
    connect(&writer, &QSocketNotifier::activated, this, [&] {
        ++writes;
        writer.setEnabled(false); // level-triggered: a writable socket stays writable
    });
    QTRY_COMPARE_WITH_TIMEOUT(writes, 1, 5000);
    QCOMPARE(reads, 0);
    p.send(1);
    QTRY_COMPARE_WITH_TIMEOUT(reads, 1, 5000);
    QTest::qWait(30);
    QCOMPARE(reads, 1); // drained: not reported again
    QCOMPARE(writes, 1);
}

void TestEpollNotifiers::setEnabledToggles()
{
    SocketPair p;
    QSocketNotifier reader(p.fd[0], QSocketNotifier::Read);
    int reads = 0;
    connect(&reader, &QSocketNotifier::activated, this, [&] { ++reads; });
    reader.setEnabled(false);
    p.send(1);
    QTest::qWait(50);
    QCOMPARE(reads, 0);
    reader.setEnabled(true);
    QTRY_VERIFY_WITH_TIMEOUT(reads > 0, 5000);
    // Level-triggered: not drained, so reported again while enabled.
    QTRY_VERIFY_WITH_TIMEOUT(reads > 3, 5000);
    reader.setEnabled(false);
    const int seen = reads;
    QTest::qWait(50);
    QCOMPARE(reads, seen);
}

void TestEpollNotifiers::notifierUnregisteredDuringPassIsNotActivated_data()
{
    QTest::addColumn<bool>("deleteIt");
    QTest::newRow("disabled") << false;
    QTest::newRow("deleted") << true;
}

void TestEpollNotifiers::notifierUnregisteredDuringPassIsNotActivated()
{
    QFETCH(bool, deleteIt);
    // GIVEN two sockets that become readable in the same pass
    SocketPair p1;
    SocketPair p2;
    auto *n1 = new QSocketNotifier(p1.fd[0], QSocketNotifier::Read, this);
    auto *n2 = new QSocketNotifier(p2.fd[0], QSocketNotifier::Read, this);
    settle(); // both are in the epoll set
    int activations = 0;
    // WHEN whichever is activated first removes the other
    auto removeOther = [&](QSocketNotifier *other) {
        ++activations;
        if (deleteIt)
            delete other;
        else
            other->setEnabled(false);
    };
    QPointer<QSocketNotifier> g1(n1);
    QPointer<QSocketNotifier> g2(n2);
    connect(n1, &QSocketNotifier::activated, this, [&] {
        removeOther(g2);
        n1->setEnabled(false);
    });
    connect(n2, &QSocketNotifier::activated, this, [&] {
        removeOther(g1);
        n2->setEnabled(false);
    });
    p1.send(1);
    p2.send(1);
    QTRY_COMPARE_WITH_TIMEOUT(activations, 1, 5000);
    QTest::qWait(30);
    // THEN the other is never activated (deleted: that would have been a use after free)
    QCOMPARE(activations, 1);
    delete g1;
    delete g2;
}

void TestEpollNotifiers::closedFdUnregistersQuietlyAndIsReused()
{
    auto p1 = std::make_unique<SocketPair>();
    const int fd = p1->fd[0];
    auto n1 = std::make_unique<QSocketNotifier>(fd, QSocketNotifier::Read);
    int old = 0;
    connect(n1.get(), &QSocketNotifier::activated, this, [&] { ++old; });
    settle();
    // WHEN the fd is closed before its notifier is unregistered (EPOLL_CTL_DEL gets EBADF)
    p1->closeEnd(0);
    n1.reset(); // failOnWarning (init) checks that this is quiet
    // THEN a new socket reusing the number works
    SocketPair p2;
    QCOMPARE(p2.fd[0], fd);
    QSocketNotifier n2(p2.fd[0], QSocketNotifier::Read);
    int reads = 0;
    connect(&n2, &QSocketNotifier::activated, this, [&] {
        ++reads;
        p2.drain(0);
    });
    p2.send(1);
    QTRY_COMPARE_WITH_TIMEOUT(reads, 1, 5000);
    QCOMPARE(old, 0);
}

void TestEpollNotifiers::reusedFdDuringPassGetsNoStaleEvent()
{
    // GIVEN two sockets readable in the same pass
    SocketPair p1;
    SocketPair p2;
    SocketPair *pairs[2] = { &p1, &p2 };
    QSocketNotifier *notifiers[2] = { new QSocketNotifier(p1.fd[0], QSocketNotifier::Read, this),
        new QSocketNotifier(p2.fd[0], QSocketNotifier::Read, this) };
    settle();
    std::unique_ptr<SocketPair> fresh;
    std::unique_ptr<QSocketNotifier> freshNotifier;
    int freshReads = 0;
    int first = -1;
    int reusedFd = -1;
    for (int i = 0; i < 2; ++i) {
        connect(notifiers[i], &QSocketNotifier::activated, this, [&, i] {
            if (first >= 0)
                return;
            first = i;
            pairs[i]->drain(0);
            // WHEN the first handler closes the other socket and a new one takes its number
            const int other = 1 - i;
            delete notifiers[other];
            notifiers[other] = nullptr;
            reusedFd = pairs[other]->fd[0];
            pairs[other]->closeEnd(0);
            fresh = std::make_unique<SocketPair>();
            freshNotifier = std::make_unique<QSocketNotifier>(fresh->fd[0], QSocketNotifier::Read);
            connect(freshNotifier.get(), &QSocketNotifier::activated, this, [&] { ++freshReads; });
        });
    }
    p1.send(1);
    p2.send(1);
    QTRY_VERIFY_WITH_TIMEOUT(first >= 0, 5000);
    QCOMPARE(fresh->fd[0], reusedFd);
    QTest::qWait(50);
    // THEN the old socket's readiness is not delivered to the new one, which has no data
    QCOMPARE(freshReads, 0);
    fresh->send(1);
    QTRY_VERIFY_WITH_TIMEOUT(freshReads > 0, 5000);
    freshNotifier.reset();
    delete notifiers[first];
}

void TestEpollNotifiers::everyReadySocketInOnePass()
{
    // GIVEN more ready sockets than the first epoll buffer holds (256), never drained
    constexpr int kSockets = 300;
    settle();
    std::vector<std::unique_ptr<SocketPair>> pairs;
    std::vector<std::unique_ptr<QSocketNotifier>> notifiers;
    int activations = 0;
    for (int i = 0; i < kSockets; ++i) {
        pairs.push_back(std::make_unique<SocketPair>());
        pairs.back()->send(1);
        notifiers.push_back(
            std::make_unique<QSocketNotifier>(pairs.back()->fd[0], QSocketNotifier::Read));
        connect(notifiers.back().get(), &QSocketNotifier::activated, this, [&] { ++activations; });
    }
    // WHEN a pass has filled the buffer once
    dispatcher()->processEvents(QEventLoop::AllEvents);
    dispatcher()->processEvents(QEventLoop::AllEvents);
    activations = 0;
    dispatcher()->processEvents(QEventLoop::AllEvents);
    // THEN one pass activates every one of them, as Qt's poll does, before that pass's timers
    QCOMPARE(activations, kSockets);
}

void TestEpollNotifiers::regularFileIsAlwaysReady()
{
    QTemporaryFile file;
    QVERIFY(file.open());
    QSocketNotifier n(file.handle(), QSocketNotifier::Read);
    int reads = 0;
    connect(&n, &QSocketNotifier::activated, this, [&] { ++reads; });
    QTRY_VERIFY_WITH_TIMEOUT(reads > 2, 5000); // as poll(): a regular file is always readable
    n.setEnabled(false);
    const int seen = reads;
    settle();
    QCOMPARE(reads, seen);
}

void TestEpollNotifiers::excludeSocketNotifiers()
{
    SocketPair p;
    QSocketNotifier reader(p.fd[0], QSocketNotifier::Read);
    int reads = 0;
    connect(&reader, &QSocketNotifier::activated, this, [&] {
        ++reads;
        p.drain(0);
    });
    p.send(1);
    for (int i = 0; i < 5; ++i)
        dispatcher()->processEvents(QEventLoop::ExcludeSocketNotifiers);
    QCOMPARE(reads, 0);
    QTRY_COMPARE_WITH_TIMEOUT(reads, 1, 5000);
}

void TestEpollNotifiers::tcpEchoOfOneMebibyte()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    confab::test::echoEverything(server);
    QByteArray payload(1 << 20, Qt::Uninitialized);
    for (qsizetype i = 0; i < payload.size(); ++i)
        payload[i] = char((i * 7 + i / 251) & 0xff);

    QTcpSocket client;
    QByteArray got;
    connect(&client, &QTcpSocket::readyRead, this, [&] { got += client.readAll(); });
    client.connectToHost(QHostAddress::LocalHost, server.serverPort());
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), QAbstractSocket::ConnectedState, 10000);
    client.write(payload);
    QTRY_COMPARE_WITH_TIMEOUT(got.size(), payload.size(), 30000);
    QVERIFY(got == payload);
    client.disconnectFromHost();
}

int main(int argc, char **argv)
{
    return confab::test::runOnEpollDispatcher<TestEpollNotifiers>(argc, argv);
}

#include "tst_epollnotifiers.moc"

// EpollEventDispatcher installed as this process's main-thread dispatcher (see main() below), so
// QTimer, QSocketNotifier, QTcpSocket, posted events and QCoro all run on it.
#include "eventloop/epolleventdispatcher.h"

#include <QCoreApplication>
#include <QCoroAbstractSocket>
#include <QCoroTask>
#include <QCoroTimer>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QPointer>
#include <QRegularExpression>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryFile>
#include <QTest>
#include <QTimer>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <memory>
#include <thread>

#include <sys/socket.h>
#include <unistd.h>

using confab::eventloop::EpollEventDispatcher;
using namespace std::chrono_literals;

namespace
{

EpollEventDispatcher *dispatcher()
{
    return qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance());
}

// Both ends of a non-blocking socketpair, closed on destruction unless already closed.
struct SocketPair {
    int fd[2] = { -1, -1 };
    SocketPair()
    {
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fd) != 0)
            qFatal("socketpair failed");
    }
    ~SocketPair()
    {
        for (int f : fd) {
            if (f >= 0)
                ::close(f);
        }
    }
    void closeEnd(int i)
    {
        ::close(fd[i]);
        fd[i] = -1;
    }
    void send(int i, const char *bytes = "x") const
    {
        QVERIFY(::write(fd[i], bytes, std::strlen(bytes)) > 0);
    }
    void drain(int i) const
    {
        char buf[256];
        while (::read(fd[i], buf, sizeof buf) > 0) { }
    }
};

class Recorder : public QObject
{
public:
    QList<int> fired;
    std::function<void(int)> onTimer;

protected:
    void timerEvent(QTimerEvent *e) override
    {
        fired.append(e->timerId());
        if (onTimer)
            onTimer(e->timerId());
    }
};

class Ordered : public QEvent
{
public:
    static QEvent::Type kind()
    {
        static const auto t = QEvent::Type(QEvent::registerEventType());
        return t;
    }
    explicit Ordered(int n)
        : QEvent(kind())
        , n(n)
    {
    }
    int n;
};

class EventSink : public QObject
{
public:
    QList<int> got;

protected:
    bool event(QEvent *e) override
    {
        if (e->type() == Ordered::kind()) {
            got.append(static_cast<Ordered *>(e)->n);
            return true;
        }
        return QObject::event(e);
    }
};

// Runs pending work until a pass processes nothing, so a following blocking pass really blocks.
void settle()
{
    for (int i = 0; i < 100 && dispatcher()->processEvents(QEventLoop::AllEvents); ++i) { }
    QCoreApplication::sendPostedEvents();
}

QCoro::Task<qint64> sleepAndMeasure()
{
    QElapsedTimer t;
    t.start();
    co_await QCoro::sleepFor(30ms);
    co_return t.elapsed();
}

QCoro::Task<QByteArray> echoOnce(quint16 port, QByteArray payload)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!co_await qCoro(socket).waitForConnected(10s))
        co_return QByteArray();
    socket.write(payload);
    QByteArray got;
    while (got.size() < payload.size()) {
        const QByteArray chunk = co_await qCoro(socket).read(payload.size() - got.size(), 10s);
        if (chunk.isEmpty())
            break;
        got += chunk;
    }
    co_return got;
}

} // namespace

class TestEpollDispatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void isInstalled();
    void installChoices();
    void singleShotsFireInOrder();
    void preciseIntervalIsRoughlyRight();
    void coarseTimerIsNeverMuchEarly();
    void killTimerInsideAnotherTimerEvent();
    void registeredTimersAndRemainingTime();
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
    void postedEventsInOrderAndDeleteLater();
    void postFromAnotherThreadWakesTheLoop();
    void wakeUpFromAnotherThread();
    void interruptFromAnotherThread();
    void interruptEndsThePass();
    void nestedEventLoopInTimerEvent();
    void qcoroSleepAndTcp();
};

void TestEpollDispatcher::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void TestEpollDispatcher::isInstalled()
{
    QVERIFY(dispatcher());
}

void TestEpollDispatcher::installChoices()
{
    QVERIFY(confab::eventloop::installMainThreadDispatcher("qt").isEmpty());
    const QString error = confab::eventloop::installMainThreadDispatcher("kqueue");
    QVERIFY(error.contains(QLatin1String("CONFAB_EVENT_DISPATCHER")));
    QVERIFY(dispatcher()); // neither replaced ours
}

void TestEpollDispatcher::singleShotsFireInOrder()
{
    QStringList order;
    QTimer::singleShot(20, this, [&] { order << QStringLiteral("20"); });
    QTimer::singleShot(10, this, [&] { order << QStringLiteral("10"); });
    QTimer::singleShot(0, this, [&] { order << QStringLiteral("0a"); });
    QTimer::singleShot(0, this, [&] { order << QStringLiteral("0b"); });
    QTimer::singleShot(0, this, [&] { order << QStringLiteral("0c"); });
    QTRY_COMPARE_WITH_TIMEOUT(order.size(), 5, 5000);
    QCOMPARE(order,
        (QStringList { QStringLiteral("0a"), QStringLiteral("0b"), QStringLiteral("0c"),
            QStringLiteral("10"), QStringLiteral("20") }));
}

void TestEpollDispatcher::preciseIntervalIsRoughlyRight()
{
    QTimer timer;
    timer.setTimerType(Qt::PreciseTimer);
    timer.setInterval(20);
    int ticks = 0;
    connect(&timer, &QTimer::timeout, this, [&] { ++ticks; });
    QElapsedTimer clock;
    clock.start();
    timer.start();
    QTRY_VERIFY_WITH_TIMEOUT(ticks >= 10, 10000);
    // A precise timer never fires early: ten ticks take at least ten intervals.
    QVERIFY2(clock.elapsed() >= 200, qPrintable(QString::number(clock.elapsed())));
}

void TestEpollDispatcher::coarseTimerIsNeverMuchEarly()
{
    bool fired = false;
    QElapsedTimer clock;
    clock.start();
    QTimer::singleShot(200, Qt::CoarseTimer, this, [&] { fired = true; });
    QTRY_VERIFY_WITH_TIMEOUT(fired, 10000);
    QVERIFY2(clock.elapsed() >= 190, qPrintable(QString::number(clock.elapsed()))); // 5 %
}

void TestEpollDispatcher::killTimerInsideAnotherTimerEvent()
{
    Recorder r;
    const int a = r.startTimer(5);
    const int b = r.startTimer(5);
    bool killed = false;
    r.onTimer = [&](int id) {
        if (id == a && !killed) {
            r.killTimer(b);
            killed = true;
        }
    };
    QTRY_VERIFY_WITH_TIMEOUT(r.fired.count(a) >= 3, 5000);
    QCOMPARE(r.fired.count(b), 0);
    r.killTimer(a);
}

void TestEpollDispatcher::registeredTimersAndRemainingTime()
{
    QObject o;
    const int precise = o.startTimer(1000, Qt::PreciseTimer);
    const int coarse = o.startTimer(30000, Qt::VeryCoarseTimer);
    const auto infos = dispatcher()->registeredTimers(&o);
    QCOMPARE(infos.size(), 2);
    QCOMPARE(infos[0].timerId, precise);
    QCOMPARE(infos[0].interval, 1000);
    QCOMPARE(infos[1].timerId, coarse);
    QCOMPARE(infos[1].interval, 30000);
    const int left = dispatcher()->remainingTime(precise);
    QVERIFY2(left > 0 && left <= 1000, qPrintable(QString::number(left)));
    QVERIFY(dispatcher()->remainingTime(coarse) > 28000);
    o.killTimer(precise);
    QCOMPARE(dispatcher()->remainingTime(precise), -1);
    QCOMPARE(dispatcher()->registeredTimers(&o).size(), 1);
    // The QObject's destructor unregisters the rest through unregisterTimers().
}

void TestEpollDispatcher::socketNotifierReadAndWrite()
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

void TestEpollDispatcher::setEnabledToggles()
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

void TestEpollDispatcher::notifierUnregisteredDuringPassIsNotActivated_data()
{
    QTest::addColumn<bool>("deleteIt");
    QTest::newRow("disabled") << false;
    QTest::newRow("deleted") << true;
}

void TestEpollDispatcher::notifierUnregisteredDuringPassIsNotActivated()
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

void TestEpollDispatcher::closedFdUnregistersQuietlyAndIsReused()
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

void TestEpollDispatcher::reusedFdDuringPassGetsNoStaleEvent()
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

void TestEpollDispatcher::everyReadySocketInOnePass()
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

void TestEpollDispatcher::regularFileIsAlwaysReady()
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

void TestEpollDispatcher::excludeSocketNotifiers()
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

void TestEpollDispatcher::tcpEchoOfOneMebibyte()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    connect(&server, &QTcpServer::newConnection, this, [&] {
        while (QTcpSocket *s = server.nextPendingConnection()) {
            connect(s, &QTcpSocket::readyRead, s, [s] { s->write(s->readAll()); });
            connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
        }
    });
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

void TestEpollDispatcher::postedEventsInOrderAndDeleteLater()
{
    EventSink sink;
    for (int i = 0; i < 100; ++i)
        QCoreApplication::postEvent(&sink, new Ordered(i));
    QList<int> expected;
    for (int i = 0; i < 100; ++i)
        expected.append(i);
    QTRY_COMPARE_WITH_TIMEOUT(sink.got, expected, 5000);

    QPointer<QObject> doomed(new QObject);
    doomed->deleteLater();
    QTRY_VERIFY_WITH_TIMEOUT(doomed.isNull(), 5000);
}

void TestEpollDispatcher::postFromAnotherThreadWakesTheLoop()
{
    QEventLoop loop;
    bool ran = false;
    QTimer guard;
    guard.setSingleShot(true);
    connect(&guard, &QTimer::timeout, &loop, [&] { loop.exit(1); });
    guard.start(10000);
    std::thread poster([&] {
        std::this_thread::sleep_for(50ms);
        QMetaObject::invokeMethod(
            &loop,
            [&] {
                ran = true;
                loop.exit(0);
            },
            Qt::QueuedConnection);
    });
    const int rc = loop.exec();
    poster.join();
    QCOMPARE(rc, 0);
    QVERIFY(ran);
}

void TestEpollDispatcher::wakeUpFromAnotherThread()
{
    settle();
    QElapsedTimer clock;
    clock.start();
    EpollEventDispatcher *ours = dispatcher(); // instance() is per thread
    std::thread waker([ours] {
        std::this_thread::sleep_for(50ms);
        ours->wakeUp();
    });
    // No timer and no ready socket: only the wakeUp() ends this wait.
    const bool processed = dispatcher()->processEvents(QEventLoop::WaitForMoreEvents);
    waker.join();
    QVERIFY(processed);
    QVERIFY2(clock.elapsed() >= 40, qPrintable(QString::number(clock.elapsed())));
}

void TestEpollDispatcher::interruptFromAnotherThread()
{
    settle();
    EpollEventDispatcher *ours = dispatcher();
    std::thread interrupter([ours] {
        std::this_thread::sleep_for(50ms);
        ours->interrupt();
    });
    dispatcher()->processEvents(QEventLoop::WaitForMoreEvents); // returns: no hang
    interrupter.join();

    // QEventLoop::exit() from another thread goes through interrupt() too.
    QEventLoop loop;
    std::thread quitter([&] {
        std::this_thread::sleep_for(50ms);
        loop.exit(7);
    });
    QCOMPARE(loop.exec(), 7);
    quitter.join();
}

void TestEpollDispatcher::interruptEndsThePass()
{
    settle();
    Recorder r;
    const int a = r.startTimer(0, Qt::PreciseTimer);
    const int b = r.startTimer(0, Qt::PreciseTimer);
    r.onTimer = [&](int id) {
        if (id == a)
            dispatcher()->interrupt();
    };
    dispatcher()->processEvents(QEventLoop::AllEvents);
    QCOMPARE(r.fired, QList<int> { a });
    dispatcher()->processEvents(QEventLoop::AllEvents);
    QCOMPARE(r.fired.count(b), 1);
    r.killTimer(a);
    r.killTimer(b);
}

void TestEpollDispatcher::nestedEventLoopInTimerEvent()
{
    Recorder outer;
    int depth = 0;
    int maxDepth = 0;
    int innerTicks = 0;
    QTimer inner;
    inner.setInterval(2);
    connect(&inner, &QTimer::timeout, this, [&] { ++innerTicks; });
    const int id = outer.startTimer(1, Qt::PreciseTimer);
    outer.onTimer = [&](int) {
        maxDepth = std::max(maxDepth, ++depth);
        if (outer.fired.size() == 1) {
            // A nested loop inside a timer event: the timer must not re-enter itself.
            inner.start();
            QEventLoop loop;
            QTimer::singleShot(60, &loop, &QEventLoop::quit);
            loop.exec();
            inner.stop();
        }
        --depth;
    };
    QTRY_VERIFY_WITH_TIMEOUT(outer.fired.size() >= 3, 10000);
    outer.killTimer(id);
    QCOMPARE(maxDepth, 1);
    QVERIFY(innerTicks > 0);
}

void TestEpollDispatcher::qcoroSleepAndTcp()
{
    const qint64 slept = QCoro::waitFor(sleepAndMeasure());
    QVERIFY2(slept >= 30, qPrintable(QString::number(slept)));

    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    connect(&server, &QTcpServer::newConnection, this, [&] {
        while (QTcpSocket *s = server.nextPendingConnection()) {
            connect(s, &QTcpSocket::readyRead, s, [s] { s->write(s->readAll()); });
            connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
        }
    });
    const QByteArray payload(64 * 1024, 'q');
    QCOMPARE(QCoro::waitFor(echoOnce(server.serverPort(), payload)), payload);
}

int main(int argc, char **argv)
{
    auto *ours = new EpollEventDispatcher;
    if (!ours->isValid())
        qFatal("%s", qPrintable(ours->errorString()));
    QCoreApplication::setEventDispatcher(ours);
    QCoreApplication app(argc, argv);
    TestEpollDispatcher test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_epolldispatcher.moc"

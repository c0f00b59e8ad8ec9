// EpollEventDispatcher installed as this process's main-thread dispatcher (epolltest.h): timers,
// posted events, wake-ups and interrupts from other threads, nested loops and QCoro. Its socket
// notifiers: tst_epollnotifiers.cpp.
#include "epolltest.h"

#include <QCoreApplication>
#include <QCoroAbstractSocket>
#include <QCoroTask>
#include <QCoroTimer>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QPointer>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>

using confab::eventloop::EpollEventDispatcher;
using confab::test::dispatcher;
using confab::test::settle;
using namespace std::chrono_literals;

namespace
{

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
    void postedEventsInOrderAndDeleteLater();
    void postFromAnotherThreadWakesTheLoop();
    void postsFromTheLoopItselfWriteNoEventfd();
    void postFromAboutToBlockIsNotLeftWaiting();
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

// How many write() and similar calls this process has made (/proc/self/io's syscw).
static qint64 writeCalls()
{
    QFile io(QStringLiteral("/proc/self/io"));
    if (!io.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : io.readAll().split('\n')) {
        if (line.startsWith("syscw:"))
            return line.mid(6).trimmed().toLongLong();
    }
    return -1;
}

void TestEpollDispatcher::postsFromTheLoopItselfWriteNoEventfd()
{
    // Each queued call posts the next from inside the loop's own sendPostedEvents(), which
    // leaves it for the next pass: the loop must not block on it (no timer, no ready fd here),
    // and no eventfd write is needed to wake a loop that is not asleep.
    constexpr int kPosts = 1000;
    QEventLoop loop;
    QTimer guard;
    guard.setSingleShot(true);
    connect(&guard, &QTimer::timeout, &loop, [&] { loop.exit(1); });
    guard.start(10000);
    int ran = 0;
    std::function<void()> step = [&] {
        if (++ran == kPosts)
            loop.exit(0);
        else
            QMetaObject::invokeMethod(&loop, step, Qt::QueuedConnection);
    };
    settle();
    const qint64 before = writeCalls();
    QMetaObject::invokeMethod(&loop, step, Qt::QueuedConnection);
    QCOMPARE(loop.exec(), 0);
    const qint64 after = writeCalls();
    QCOMPARE(ran, kPosts);
    QVERIFY(before >= 0);
    QVERIFY2(after - before < 50, qPrintable(QStringLiteral("%1 write calls").arg(after - before)));
}

void TestEpollDispatcher::postFromAboutToBlockIsNotLeftWaiting()
{
    // Posted after the pass sent its posted events and before it waits: the wait must not block.
    QEventLoop loop;
    QTimer guard;
    guard.setSingleShot(true);
    connect(&guard, &QTimer::timeout, &loop, [&] { loop.exit(1); });
    guard.start(10000);
    settle();
    auto once = std::make_shared<QMetaObject::Connection>();
    *once = connect(dispatcher(), &QAbstractEventDispatcher::aboutToBlock, &loop, [&, once] {
        disconnect(*once);
        QMetaObject::invokeMethod(
            &loop, [&] { loop.exit(0); }, Qt::QueuedConnection);
    });
    QCOMPARE(loop.exec(), 0);
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
    // QCoro's sleepFor runs a coarse QTimer, which may fire up to 5 % early (1.5 ms of 30), and
    // elapsed() truncates to whole milliseconds: 28 is the least a correct dispatcher gives.
    const qint64 slept = QCoro::waitFor(sleepAndMeasure());
    QVERIFY2(slept >= 28, qPrintable(QString::number(slept)));

    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    confab::test::echoEverything(server);
    const QByteArray payload(64 * 1024, 'q');
    QCOMPARE(QCoro::waitFor(echoOnce(server.serverPort(), payload)), payload);
}

int main(int argc, char **argv)
{
    return confab::test::runOnEpollDispatcher<TestEpollDispatcher>(argc, argv);
}

#include "tst_epolldispatcher.moc"

#pragma once

// What the tests of EpollEventDispatcher share (tst_epolldispatcher, tst_epollnotifiers): each
// runs with the dispatcher installed as its process's main-thread dispatcher, so QTimer,
// QSocketNotifier, QTcpSocket, posted events and QCoro all run on it.

#include "eventloop/epolleventdispatcher.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <cstring>

#include <sys/socket.h>
#include <unistd.h>

namespace confab::test {

inline eventloop::EpollEventDispatcher *dispatcher()
{
    return qobject_cast<eventloop::EpollEventDispatcher *>(QAbstractEventDispatcher::instance());
}

// Runs pending work until a pass processes nothing, so a following blocking pass really blocks.
inline void settle()
{
    for (int i = 0; i < 100 && dispatcher()->processEvents(QEventLoop::AllEvents); ++i) { }
    QCoreApplication::sendPostedEvents();
}

// Makes `server` (listening) write back whatever each of its connections reads.
inline void echoEverything(QTcpServer &server)
{
    QObject::connect(&server, &QTcpServer::newConnection, &server, [&server] {
        while (QTcpSocket *s = server.nextPendingConnection()) {
            QObject::connect(s, &QTcpSocket::readyRead, s, [s] { s->write(s->readAll()); });
            QObject::connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
        }
    });
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

// main() of such a test: installs the dispatcher, then runs the test object T.
template <typename T>
int runOnEpollDispatcher(int argc, char **argv)
{
    auto *ours = new eventloop::EpollEventDispatcher;
    if (!ours->isValid())
        qFatal("%s", qPrintable(ours->errorString()));
    QCoreApplication::setEventDispatcher(ours);
    QCoreApplication app(argc, argv);
    T test;
    return QTest::qExec(&test, argc, argv);
}

} // namespace confab::test

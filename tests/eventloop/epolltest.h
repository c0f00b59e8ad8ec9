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

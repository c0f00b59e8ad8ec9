#pragma once

// Internal to confab_http: what server.cpp (connections, requests, answers) and listener.cpp
// (the listening socket: plain or TLS, SO_REUSEPORT, closing) share.

#include "http/addresslimiter.h"
#include "http/bodystream.h"
#include "http/request.h"
#include "http/requestparser.h"
#include "http/response.h"
#include "http/router.h"
#include "http/server.h"

#include "confab/error.h"
#include "websocket/hub.h"

#include <QCoro/QCoroTask>
#include <QElapsedTimer>
#include <QPointer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <memory>
#include <unordered_map>

namespace confab::http {

namespace detail {

struct Connection
{
    enum class State {
        ReadingHead,
        ReadingBody,
        Handling, // a handler runs; nothing more is read until it answers
        SendingBody, // a response's body goes out a piece at a time (Response::nextChunk)
        Closing, // the last response is written, waiting for the socket to go
    };

    QTcpSocket *socket = nullptr;
    QSslSocket *tls = nullptr; // the same socket on a TLS listener
    State state = State::ReadingHead;
    RequestHead head;
    QByteArray body;
    QByteArray route;
    quint64 seq = 0; // which request a handler's answer belongs to
    QByteArray origin; // the request's Origin header, for the CORS response headers
    bool corsAnswered = false; // a preflight answer carries its own CORS headers
    qint64 lastActivityMs = 0;
    qint64 handlerStartMs = 0;
    qint64 headStartMs = -1; // the head's deadline runs from here; -1: waiting for a first byte
    qint64 bodyStartMs = 0;
    bool anyInput = false; // a silent connection is closed without a 408
    QElapsedTimer started;
    bool inProcessInput = false;
    // A streaming route's body, read by its handler; the connection closes after the answer
    // unless the handler read all of it.
    std::shared_ptr<BodyStream> stream;
    // While SendingBody: where the next pieces come from, how many bytes are still owed, whether
    // a read is in flight, and whether the connection closes after the last piece.
    std::function<QFuture<confab::Expected<QByteArray>>()> nextChunk;
    qint64 sendingLeft = 0;
    bool chunkInFlight = false;
    bool closeAfterBody = false;
};

} // namespace detail

class Server::Private
{
public:
    Private(Server *server, Options opts, Router *r)
        : q(server), options(std::move(opts)), router(r), listener(makeListener(options)), tcpServer(*listener),
          addresses(options.maxConnectionsPerAddress, options.exemptSubnets), hub(hubOptions(options))
    {
        clock.start();
    }

    ~Private()
    {
        // Sockets go first and quietly, so no signal reaches a half-destroyed Private.
        for (auto &[socket, connection] : connections) {
            QObject::disconnect(socket, nullptr, q, nullptr);
            delete socket;
        }
        connections.clear();
    }

    static std::unique_ptr<QTcpServer> makeListener(const Options &o);
    // Bytes written but not yet sent; on TLS also the encrypted records Qt still holds, so the
    // write high-water mark bounds memory on both kinds of listener.
    [[nodiscard]] static qint64 unsent(const detail::Connection &c)
    {
        return c.tls ? c.socket->bytesToWrite() + c.tls->encryptedBytesToWrite()
                     : c.socket->bytesToWrite();
    }
    void acceptPending();
    void processInput(detail::Connection &c);
    void dispatch(detail::Connection &c);
    [[nodiscard]] bool handOver(detail::Connection &c, qsizetype headLength);
    static websocket::Hub::Options hubOptions(const Options &o)
    {
        websocket::Hub::Options h;
        h.maxMessageBytes = o.maxWebSocketMessageBytes;
        h.bufferLimit = o.webSocketBufferLimit;
        h.writeCoalesceMs = o.webSocketWriteCoalesceMs;
        h.writeCoalesceAbovePerS = o.webSocketWriteCoalesceAbovePerS;
        h.batchedSends = o.webSocketBatchedSends;
        return h;
    }
    void respond(detail::Connection &c, const Response &response, bool close);
    // After a response (or the last piece of its body): close, or wait for the next request.
    void endExchange(detail::Connection &c, bool close);
    // Writes pieces of a SendingBody response while the socket has room.
    void pump(detail::Connection &c);
    void fail(detail::Connection &c, int status, ErrorCode code, const QString &message);
    // Answers a connection refused at accept (over a cap) and closes it.
    void refuse(QTcpSocket *socket, int status, const QString &message);
    void finish(QTcpSocket *socket, quint64 seq, Response response);
    void sweep();
    [[nodiscard]] detail::Connection *find(QTcpSocket *socket);

    static QCoro::Task<> runHandler(QPointer<Server> server, QPointer<QTcpSocket> socket,
                                    quint64 seq, const Handler *handler, Request request);

    Server *q;
    Options options;
    QString listenError; // why the last listen() failed
    Router *router;
    std::unique_ptr<QTcpServer> listener; // a QSslServer when options.tls is set
    QTcpServer &tcpServer;
    AddressLimiter addresses; // before the hub: its sockets' counts are released into it
    websocket::Hub hub;
    QTimer sweepTimer;
    QElapsedTimer clock;
    std::unordered_map<QTcpSocket *, std::unique_ptr<detail::Connection>> connections;
    bool closing = false;
};

} // namespace confab::http

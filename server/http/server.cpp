#include "http/server.h"
#include "http/server_p.h"

#include "http/logging.h"
#include "http/request.h"
#include "http/requestparser.h"
#include "http/response.h"
#include "http/router.h"

#include "confab/error.h"
#include "confab/jsonwriter.h"
#include "websocket/handshake.h"
#include "websocket/hub.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QLocale>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <exception>
#include <unordered_map>


namespace confab::http {

using detail::Connection;

namespace {

// A client that pipelines requests without reading the answers stops being read once this
// much is waiting to be sent, so the write buffer stays bounded.
constexpr qint64 kWriteHighWater = 256 * 1024;
constexpr qsizetype kMinReadBuffer = 64 * 1024;
// Qt's own read buffer of a WebSocket: the frame reader drains it at every readyRead.
constexpr qsizetype kWebSocketReadBuffer = 64 * 1024;
const QByteArray kUnmatched = QByteArrayLiteral("unmatched");
// The slowest upload rate a streaming route is given time for (64 KiB/s, in bytes per ms).
constexpr qint64 kMinStreamBytesPerMs = 64;
// What a connection refused over the per-address cap is told to wait.
constexpr qint64 kRefusedRetryMs = 1000;

// IMF-fixdate, rebuilt at most once a second (per thread, should sockets ever be sharded
// across loop threads).
QByteArray httpDate()
{
    thread_local qint64 cachedSecond = -1;
    thread_local QByteArray cached;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const qint64 second = now.toSecsSinceEpoch();
    if (second != cachedSecond) {
        cachedSecond = second;
        cached = QLocale::c()
                     .toString(now, QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"))
                     .toLatin1();
    }
    return cached;
}

QByteArray headerValue(const QList<QPair<QByteArray, QByteArray>> &headers,
                       QByteArrayView lowerName)
{
    for (const auto &[name, value] : headers) {
        if (name == lowerName)
            return value;
    }
    return {};
}

Response errorResponse(int status, ErrorCode code, const QString &message)
{
    Response r = Response::error(Error{code, message});
    r.status = status;
    return r;
}

} // namespace

Connection *Server::Private::find(QTcpSocket *socket)
{
    const auto it = connections.find(socket);
    return it == connections.end() ? nullptr : it->second.get();
}

void Server::Private::acceptPending()
{
    while (QTcpSocket *socket = tcpServer.nextPendingConnection()) {
        if (closing || int(connections.size()) >= options.maxConnections) {
            // Accepting and closing tells the client at once, where a full backlog would
            // leave it waiting for its connect timeout.
            socket->abort();
            socket->deleteLater();
            continue;
        }
        if (!addresses.admit(socket)) {
            refuse(socket, 429, QStringLiteral("too many connections from this address"));
            continue;
        }
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        socket->setReadBufferSize(std::max(options.maxHeaderBytes + 4, kMinReadBuffer));

        auto connection = std::make_unique<Connection>();
        connection->socket = socket;
        if (options.tls)
            connection->tls = static_cast<QSslSocket *>(socket);
        connection->lastActivityMs = clock.elapsed();
        connection->headStartMs = connection->lastActivityMs; // the first request has a deadline
        Connection *c = connection.get();
        connections.emplace(socket, std::move(connection));

        QObject::connect(socket, &QTcpSocket::readyRead, q, [this, c] {
            c->lastActivityMs = clock.elapsed();
            c->anyInput = true;
            if (c->state == Connection::State::ReadingHead && c->headStartMs < 0)
                c->headStartMs = c->lastActivityMs;
            processInput(*c);
        });
        auto written = [this, c] {
            c->lastActivityMs = clock.elapsed();
            if (c->state == Connection::State::SendingBody)
                pump(*c);
            else if (c->state == Connection::State::ReadingHead && unsent(*c) < kWriteHighWater)
                processInput(*c);
        };
        QObject::connect(socket, &QTcpSocket::bytesWritten, q, written);
        if (c->tls)
            QObject::connect(c->tls, &QSslSocket::encryptedBytesWritten, q, written);
        // Deleted later, and forgotten only on destruction, so no Connection disappears
        // under a caller up the stack.
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QObject::connect(socket, &QObject::destroyed, q,
                         [this, socket] { connections.erase(socket); });

        if (socket->bytesAvailable() > 0)
            processInput(*c);
    }
}

void Server::Private::processInput(Connection &c)
{
    if (c.inProcessInput)
        return; // the outer call's loop picks up whatever changed
    c.inProcessInput = true;
    QTcpSocket *socket = c.socket;

    while (socket->state() == QAbstractSocket::ConnectedState) {
        if (c.state == Connection::State::ReadingHead) {
            if (socket->bytesAvailable() == 0 || unsent(c) >= kWriteHighWater)
                break;
            const QByteArray peeked = socket->peek(options.maxHeaderBytes + 4);
            // RFC 9112 2.2: ignore empty lines before a request line
            qsizetype blank = 0;
            while (peeked.size() >= blank + 2 && peeked[blank] == '\r' && peeked[blank + 1] == '\n')
                blank += 2;
            if (blank > 0) {
                socket->skip(blank);
                continue;
            }
            const qsizetype headLength = parser::headLength(peeked);
            if (headLength < 0 || headLength > options.maxHeaderBytes) {
                const qsizetype firstLine = peeked.indexOf("\r\n");
                if (!parser::plausibleStart(firstLine < 0 ? peeked : peeked.first(firstLine))) {
                    fail(c, 400, ErrorCode::BadRequest,
                         QStringLiteral("parsing the HTTP request: malformed request line"));
                } else if (headLength > 0 || peeked.size() > options.maxHeaderBytes) {
                    fail(c, 431, ErrorCode::BadRequest,
                         QStringLiteral("request headers exceed %1 bytes")
                             .arg(options.maxHeaderBytes));
                }
                break;
            }
            auto head = parser::parseHead(QByteArrayView(peeked).first(headLength));
            if (!head) {
                fail(c, 400, ErrorCode::BadRequest, head.error().message);
                break;
            }
            c.head = std::move(*head);
            c.started.start();
            c.origin = headerValue(c.head.headers, "origin");
            if (c.head.webSocketUpgrade
                && options.webSocketPaths.contains(
                    QString::fromUtf8(QByteArray::fromPercentEncoding(c.head.rawPath)))) {
                if (handOver(c, headLength))
                    return; // c is gone
                break; // refused and closing
            }
            socket->skip(headLength);
            if (c.head.hasTransferEncoding) {
                fail(c, 411, ErrorCode::BadRequest,
                     QStringLiteral("chunked request bodies are not supported: send Content-Length"));
                break;
            }
            if (const qint64 streamLimit = router->match(c.head.method, c.head.rawPath).streamLimit;
                streamLimit >= 0) {
                // A streaming route's handler starts now and reads the body itself.
                if (c.head.contentLength > streamLimit) {
                    fail(c, 413, ErrorCode::PayloadTooLarge,
                         QStringLiteral("request body of %1 bytes exceeds %2")
                             .arg(c.head.contentLength)
                             .arg(streamLimit));
                    break;
                }
                if (c.head.expectContinue && c.head.contentLength > 0)
                    socket->write("HTTP/1.1 100 Continue\r\n\r\n");
                c.stream = std::make_shared<BodyStream>(socket, c.head.contentLength,
                                                        options.bodyTimeoutMs);
                dispatch(c);
                continue;
            }
            if (c.head.contentLength > options.maxBodyBytes) {
                fail(c, 413, ErrorCode::PayloadTooLarge,
                     QStringLiteral("request body of %1 bytes exceeds %2")
                         .arg(c.head.contentLength)
                         .arg(options.maxBodyBytes));
                break;
            }
            c.body.clear();
            if (c.head.contentLength > 0) {
                c.body.reserve(c.head.contentLength);
                c.state = Connection::State::ReadingBody;
                c.bodyStartMs = clock.elapsed();
                if (c.head.expectContinue)
                    socket->write("HTTP/1.1 100 Continue\r\n\r\n");
                continue;
            }
            dispatch(c);
        } else if (c.state == Connection::State::ReadingBody) {
            const qint64 missing = c.head.contentLength - c.body.size();
            if (socket->bytesAvailable() > 0)
                c.body.append(socket->read(missing));
            if (c.body.size() < c.head.contentLength)
                break;
            dispatch(c);
        } else {
            break;
        }
    }
    c.inProcessInput = false;
}

void Server::Private::dispatch(Connection &c)
{
    Router::Match match = router->match(c.head.method, c.head.rawPath);
    c.route = match.route.isEmpty() ? kUnmatched : match.route;
    if (match.methodNotAllowed) {
        if (auto preflight = options.cors.preflight(
                c.head.method, c.origin,
                headerValue(c.head.headers, "access-control-request-method"),
                match.allowedMethods)) {
            c.corsAnswered = true;
            respond(c, *preflight, !c.head.keepAlive);
            return;
        }
    }
    if (!match.handler) {
        if (match.methodNotAllowed) {
            // `method_not_allowed` is an addition to PROTOCOL.md section 7 (docs/security.md):
            // REST only, so it has no ErrorCode of its own.
            JsonWriter w;
            w.beginObject().key("error").beginObject().field("code", "method_not_allowed");
            w.field("message", QStringLiteral("method %1 is not allowed on %2")
                                   .arg(QString::fromLatin1(c.head.method), QString::fromLatin1(match.route)));
            w.endObject().endObject();
            Response r = Response::json(405, w.take());
            r.headers.append({QByteArrayLiteral("Allow"), match.allowedMethods.join(", ")});
            respond(c, r, !c.head.keepAlive);
        } else {
            const Response r = Response::error(Error::notFound(
                QStringLiteral("no route for %1").arg(QString::fromUtf8(c.head.rawPath))));
            respond(c, r, !c.head.keepAlive);
        }
        return;
    }

    Request request;
    request.method = c.head.method;
    request.path = QByteArray::fromPercentEncoding(c.head.rawPath);
    request.query = QUrlQuery(QString::fromUtf8(c.head.rawQuery));
    request.headers = std::move(c.head.headers);
    request.body = std::move(c.body);
    request.peer = c.socket->peerAddress();
    request.params = std::move(match.params);
    request.bodyStream = c.stream;

    c.state = Connection::State::Handling;
    c.handlerStartMs = clock.elapsed();
    ++c.seq;
    // Detached: the coroutine finds its connection again through the QPointers, if both the
    // server and the socket are still there when the handler answers.
    runHandler(QPointer<Server>(q), QPointer<QTcpSocket>(c.socket), c.seq, match.handler,
               std::move(request));
}

QCoro::Task<> Server::Private::runHandler(QPointer<Server> server, QPointer<QTcpSocket> socket,
                                          quint64 seq, const Handler *handler, Request request)
{
    Response response;
    try {
        response = co_await (*handler)(std::move(request));
    } catch (const std::exception &e) {
        qCWarning(lcHttp) << "handler threw:" << e.what();
        response = Response::error(Error::internal(QStringLiteral("the request handler failed")));
    } catch (...) {
        qCWarning(lcHttp) << "handler threw a non-standard exception";
        response = Response::error(Error::internal(QStringLiteral("the request handler failed")));
    }
    if (server && socket)
        server->d->finish(socket.data(), seq, std::move(response));
}

void Server::Private::finish(QTcpSocket *socket, quint64 seq, Response response)
{
    Connection *c = find(socket);
    if (!c || c->state != Connection::State::Handling || c->seq != seq)
        return; // timed out and answered 503 already, or the client went away
    // Unread body bytes of a streaming request cannot be told from the next request's head.
    const bool unread = c->stream && c->stream->remaining() > 0;
    respond(*c, response, !c->head.keepAlive || unread);
    processInput(*c);
}

void Server::Private::respond(Connection &c, const Response &r, bool close)
{
    close = close || closing;
    const QByteArray method = c.head.method;
    const bool noBody = r.status == 204 || r.status == 304 || r.status < 200;
    const bool pieces = !noBody && r.nextChunk && r.bodyLength > 0;
    QByteArray out;
    out.reserve(160 + r.body.size());
    out += "HTTP/1.1 ";
    out += QByteArray::number(r.status);
    out += ' ';
    out += reasonPhrase(r.status);
    out += "\r\nDate: ";
    out += httpDate();
    if (!noBody) {
        if (!r.contentType.isEmpty()) {
            out += "\r\nContent-Type: ";
            out += r.contentType;
        }
        out += "\r\nContent-Length: ";
        out += QByteArray::number(pieces ? r.bodyLength : r.body.size());
    }
    out += close ? "\r\nConnection: close" : "\r\nConnection: keep-alive";
    auto addHeaders = [&out](const QList<QPair<QByteArray, QByteArray>> &headers) {
        for (const auto &[name, value] : headers) {
            out += "\r\n";
            out += name;
            out += ": ";
            out += value;
        }
    };
    addHeaders(r.headers);
    if (!c.corsAnswered)
        addHeaders(options.cors.responseHeaders(c.origin));
    c.origin.clear();
    c.corsAnswered = false;
    out += "\r\n\r\n";
    if (!noBody && !pieces)
        out += r.body;
    c.socket->write(out);
    c.lastActivityMs = clock.elapsed();

    const double seconds = c.started.isValid() ? double(c.started.nsecsElapsed()) / 1e9 : 0.0;
    c.started.invalidate();
    c.body.clear();
    c.stream.reset();
    c.head = RequestHead();
    const QByteArray route = c.route.isEmpty() ? kUnmatched : c.route;
    c.route.clear();
    if (pieces) {
        c.state = Connection::State::SendingBody;
        c.nextChunk = r.nextChunk;
        c.sendingLeft = r.bodyLength;
        c.chunkInFlight = false;
        c.closeAfterBody = close;
    } else {
        endExchange(c, close);
    }
    Q_EMIT q->requestFinished(route, method.isEmpty() ? QByteArrayLiteral("-") : method, r.status, seconds);
    if (pieces)
        pump(c);
}

void Server::Private::endExchange(Connection &c, bool close)
{
    if (close) {
        c.state = Connection::State::Closing;
        c.socket->disconnectFromHost();
    } else {
        c.state = Connection::State::ReadingHead;
        // The next request's deadline starts with its first byte (maybe already here).
        c.headStartMs = c.socket->bytesAvailable() > 0 ? c.lastActivityMs : -1;
    }
}

void Server::Private::pump(Connection &c)
{
    if (c.state != Connection::State::SendingBody || c.chunkInFlight)
        return;
    if (c.sendingLeft <= 0) {
        c.nextChunk = nullptr;
        endExchange(c, c.closeAfterBody);
        if (c.state == Connection::State::ReadingHead)
            processInput(c); // a pipelined request may be waiting
        return;
    }
    if (unsent(c) >= kWriteHighWater)
        return; // bytesWritten calls again
    c.chunkInFlight = true;
    QPointer<QTcpSocket> socket(c.socket);
    c.nextChunk().then(q, [this, socket, seq = c.seq](const Expected<QByteArray> &chunk) {
        Connection *conn = socket ? find(socket) : nullptr;
        if (!conn || conn->seq != seq || conn->state != Connection::State::SendingBody)
            return;
        conn->chunkInFlight = false;
        if (!chunk || chunk->isEmpty() || chunk->size() > conn->sendingLeft) {
            // The length is promised already: the only honest end is to cut the connection.
            qCWarning(lcHttp) << "a response body ended early:"
                              << (chunk ? QStringLiteral("short read") : chunk.error().message);
            conn->nextChunk = nullptr;
            conn->state = Connection::State::Closing;
            conn->socket->abort();
            return;
        }
        conn->socket->write(*chunk);
        conn->sendingLeft -= chunk->size();
        conn->lastActivityMs = clock.elapsed();
        pump(*conn);
    });
}

void Server::Private::fail(Connection &c, int status, ErrorCode code, const QString &message)
{
    qCDebug(lcHttp) << "refusing request from" << c.socket->peerAddress() << status << message;
    // Whatever follows on this connection cannot be framed any more: answer and close.
    respond(c, errorResponse(status, code, message), true);
}

bool Server::Private::handOver(Connection &c, qsizetype headLength)
{
    const websocket::Handshake handshake = websocket::answerHandshake(c.head.headers);
    if (handshake.status != 101 || c.head.minorVersion < 1) {
        const QString why = handshake.status != 101
            ? QString::fromLatin1(handshake.message)
            : QStringLiteral("a WebSocket upgrade needs HTTP/1.1");
        qCDebug(lcHttp) << "refusing a WebSocket upgrade from" << c.socket->peerAddress() << why;
        Response r = errorResponse(handshake.status == 426 ? 426 : 400, ErrorCode::BadRequest, why);
        if (handshake.status == 426)
            r.headers.append({QByteArrayLiteral("Sec-WebSocket-Version"), QByteArrayLiteral("13")});
        c.socket->skip(headLength);
        respond(c, r, true);
        return false;
    }
    if (!options.cors.allowsWebSocket(c.origin)) {
        // A page of another site must not open a socket with its visitor's credentials
        // (cross-site WebSocket hijacking); clients outside browsers send no Origin.
        qCDebug(lcHttp) << "refusing a WebSocket upgrade from origin" << c.origin;
        c.socket->skip(headLength);
        respond(c,
                errorResponse(403, ErrorCode::Forbidden,
                              QStringLiteral("origin %1 is not in [server] cors_origins")
                                  .arg(QString::fromUtf8(c.origin))),
                true);
        return false;
    }
    QTcpSocket *socket = c.socket;
    websocket::Upgrade upgrade;
    upgrade.path = QByteArray::fromPercentEncoding(c.head.rawPath);
    upgrade.rawQuery = c.head.rawQuery;
    for (const auto &[name, value] : std::as_const(c.head.headers)) {
        if (name == "authorization") {
            upgrade.authorization = value;
            break;
        }
    }
    upgrade.peer = socket->peerAddress();
    socket->skip(headLength); // what follows are frames, read by the Connection

    QObject::disconnect(socket, nullptr, q, nullptr);
    QObject::disconnect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    connections.erase(socket); // c is gone
    socket->setReadBufferSize(kWebSocketReadBuffer);
    websocket::Connection *ws = hub.adopt(socket, handshake.response);
    Q_EMIT q->newWebSocket(ws, upgrade);
    if (ws->isOpen() && !ws->hasHandler())
        ws->close(websocket::close_code::kInternalError, "no endpoint took the connection");
    return true;
}

void Server::Private::refuse(QTcpSocket *socket, int status, const QString &message)
{
    qCDebug(lcHttp) << "refusing a connection from" << socket->peerAddress() << status << message;
    const QByteArray body = Response::error(Error::rateLimited(message, kRefusedRetryMs)).body;
    socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status).toByteArray()
                  + "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size())
                  + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" + body);
    QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    socket->disconnectFromHost();
}

void Server::Private::sweep()
{
    const qint64 now = clock.elapsed();
    std::vector<Connection *> expired;
    std::vector<Connection *> late; // head or body past its deadline
    for (auto &[socket, c] : connections) {
        if (c->state == Connection::State::Handling) {
            // A streamed upload gets time for its body at a floor rate as well (64 KiB/s: an
            // 8 MiB part may take two minutes), still a whole deadline, never per read.
            const qint64 allowed = c->stream
                ? options.requestTimeoutMs + c->stream->length() / kMinStreamBytesPerMs
                : options.requestTimeoutMs;
            if (now - c->handlerStartMs >= allowed)
                expired.push_back(c.get());
        } else if ((c->state == Connection::State::ReadingHead && c->headStartMs >= 0
                    && now - c->headStartMs >= options.headerTimeoutMs)
                   || (c->state == Connection::State::ReadingBody
                       && now - c->bodyStartMs >= options.bodyTimeoutMs)) {
            late.push_back(c.get());
        } else if (c->state != Connection::State::Closing
                   && now - c->lastActivityMs >= options.idleTimeoutMs) {
            expired.push_back(c.get());
        }
    }
    for (Connection *c : late) {
        if (!c->anyInput) {
            c->state = Connection::State::Closing;
            c->socket->disconnectFromHost();
        } else if (c->state == Connection::State::ReadingHead) {
            fail(*c, 408, ErrorCode::BadRequest,
                 QStringLiteral("the request headers did not arrive within %1 ms").arg(options.headerTimeoutMs));
        } else {
            fail(*c, 408, ErrorCode::BadRequest,
                 QStringLiteral("the request body did not arrive within %1 ms").arg(options.bodyTimeoutMs));
        }
    }
    for (Connection *c : expired) {
        if (c->state == Connection::State::Handling) {
            qCWarning(lcHttp) << "request" << c->head.method << c->route << "timed out after"
                              << options.requestTimeoutMs << "ms";
            // The handler's eventual answer is dropped: its seq no longer matches.
            ++c->seq;
            respond(*c,
                    Response::error(Error::unavailable(
                        QStringLiteral("the request did not finish within %1 ms")
                            .arg(options.requestTimeoutMs))),
                    true);
        } else {
            c->state = Connection::State::Closing;
            c->socket->disconnectFromHost();
        }
    }
}

Server::Server(Options options, Router *router, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>(this, std::move(options), router))
{
    d->tcpServer.setListenBacklogSize(d->options.listenBacklog);
    connect(&d->tcpServer, &QTcpServer::pendingConnectionAvailable, this,
            [this] { d->acceptPending(); });

    const qint64 shortest = std::min({d->options.idleTimeoutMs, d->options.requestTimeoutMs,
                                      d->options.headerTimeoutMs, d->options.bodyTimeoutMs});
    d->sweepTimer.setInterval(int(std::clamp<qint64>(shortest / 4, 10, 1000)));
    connect(&d->sweepTimer, &QTimer::timeout, this, [this] { d->sweep(); });
}

Server::~Server() = default;

} // namespace confab::http

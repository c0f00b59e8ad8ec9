#pragma once

// What the HTTP server's tests share (tst_httpserver, tst_websocketupgrade): the routes they
// serve and a client that speaks raw bytes, to send what real clients would not.

#include "http/bodystream.h"
#include "http/router.h"
#include "http/server.h"

#include "confab/error.h"

#include <QCoroTimer>
#include <QDeadlineTimer>
#include <QHostAddress>
#include <QTcpSocket>
#include <QTest>

#include <chrono>
#include <memory>
#include <stdexcept>

namespace confab::test::http {

using namespace confab::http;
using namespace std::chrono_literals;

// How many /slow handlers have run to the end (requestTimeout checks a dropped one did).
inline int g_slowFinished = 0;

inline QCoro::Task<Response> hello(Request)
{
    co_return Response::json(200, QByteArrayLiteral("{\"hello\":\"world\"}"));
}

inline QCoro::Task<Response> echo(Request r)
{
    Response out = Response::json(200, r.body);
    out.headers.append({"X-Query", r.query.queryItemValue(QStringLiteral("q")).toUtf8()});
    out.headers.append({"X-Bearer", r.bearerToken()});
    co_return out;
}

inline QCoro::Task<Response> slow(Request r)
{
    const int ms = r.query.queryItemValue(QStringLiteral("ms")).toInt();
    co_await QCoro::sleepFor(std::chrono::milliseconds(ms));
    ++g_slowFinished;
    co_return Response::json(200, QByteArray::number(ms));
}

// A body of `n` pieces of 1000 bytes (piece i is the byte 'a' + i % 26), handed out one at a
// time as Response::nextChunk; with `cut=k` the source fails after k pieces.
inline QCoro::Task<Response> pieces(Request r)
{
    const int n = r.query.queryItemValue(QStringLiteral("n")).toInt();
    const int cut = r.query.hasQueryItem(QStringLiteral("cut")) ? r.query.queryItemValue(QStringLiteral("cut")).toInt() : -1;
    Response out;
    out.contentType = "application/octet-stream";
    out.bodyLength = qint64(n) * 1000;
    auto next = std::make_shared<int>(0);
    out.nextChunk = [next, cut]() -> QFuture<confab::Expected<QByteArray>> {
        const int i = (*next)++;
        if (i == cut)
            return QtFuture::makeReadyFuture(confab::Expected<QByteArray>(confab::Error::unavailable(QStringLiteral("disk gone"))));
        return QtFuture::makeReadyFuture(confab::Expected<QByteArray>(QByteArray(1000, char('a' + i % 26))));
    };
    co_return out;
}

inline QCoro::Task<Response> item(Request r)
{
    co_return Response::json(200, r.params.value("id"));
}

inline QCoro::Task<Response> thrower(Request)
{
    co_await QCoro::sleepFor(1ms);
    throw std::runtime_error("boom");
}

inline QCoro::Task<Response> limited(Request)
{
    co_return Response::error(confab::Error::rateLimited(QStringLiteral("slow down"), 1500));
}

// A streaming route: reads the body as it arrives, answers its length and largest piece.
inline QCoro::Task<Response> streamed(Request r)
{
    std::shared_ptr<BodyStream> body = r.bodyStream;
    qint64 total = 0;
    qint64 largest = 0;
    for (;;) {
        auto reading = body->read(64 * 1024);
        const auto chunk = co_await reading;
        if (!chunk)
            co_return Response::error(chunk.error());
        if (chunk->isEmpty())
            break;
        total += chunk->size();
        largest = std::max<qint64>(largest, chunk->size());
    }
    co_return Response::json(200, QByteArray::number(total) + ' ' + QByteArray::number(largest));
}

// A streaming route that refuses before reading anything.
inline QCoro::Task<Response> refuseUnread(Request)
{
    co_return Response::error(confab::Error::forbidden(QStringLiteral("no")));
}

struct RawResponse
{
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    [[nodiscard]] QByteArray header(QByteArrayView name) const
    {
        for (const auto &h : headers) {
            if (name.compare(h.first, Qt::CaseInsensitive) == 0)
                return h.second;
        }
        return {};
    }
};

// Takes one whole response (Content-Length framed) off the front of buffer, if there is one.
inline bool takeResponse(QByteArray &buffer, RawResponse &out)
{
    const qsizetype end = buffer.indexOf("\r\n\r\n");
    if (end < 0)
        return false;
    const QList<QByteArray> lines = buffer.first(end).split('\n');
    RawResponse r;
    r.status = lines.first().split(' ').value(1).toInt();
    qsizetype length = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        const qsizetype colon = line.indexOf(':');
        r.headers.append({line.first(colon), line.sliced(colon + 1).trimmed()});
    }
    length = r.header("content-length").toLongLong();
    if (buffer.size() < end + 4 + length)
        return false;
    r.body = buffer.sliced(end + 4, length);
    buffer.remove(0, end + 4 + length);
    out = std::move(r);
    return true;
}

// A client that speaks raw bytes, to send what real clients would not.
class RawClient
{
public:
    explicit RawClient(quint16 port)
    {
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        QObject::connect(&m_socket, &QTcpSocket::readyRead, [this] {
            m_buffer += m_socket.readAll();
        });
    }
    QTcpSocket &socket() { return m_socket; }
    void send(const QByteArray &bytes) { m_socket.write(bytes); }
    // Waits for n responses (or until the deadline) and returns what arrived.
    QList<RawResponse> responses(int n, int timeoutMs = 5000)
    {
        QList<RawResponse> out;
        QDeadlineTimer deadline(timeoutMs);
        RawResponse r;
        while (out.size() < n && !deadline.hasExpired()) {
            while (out.size() < n && takeResponse(m_buffer, r))
                out.append(r);
            if (out.size() < n)
                QTest::qWait(5);
        }
        return out;
    }
    RawResponse response()
    {
        const auto list = responses(1);
        return list.value(0);
    }

private:
    QTcpSocket m_socket;
    QByteArray m_buffer;
};

// A server on 127.0.0.1 and a port of the system's choosing, answering from router.
inline std::unique_ptr<Server> listenLocally(Server::Options options, Router *router)
{
    auto server = std::make_unique<Server>(std::move(options), router);
    if (!server->listen(QHostAddress::LocalHost, 0))
        qFatal("listen failed: %s", qPrintable(server->errorString()));
    return server;
}

} // namespace confab::test::http

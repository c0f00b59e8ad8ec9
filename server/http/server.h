#pragma once

#include <QHostAddress>
#include <QObject>
#include <QStringList>

#include <memory>

class QWebSocket;

namespace confab::http {

class Router;

// An HTTP/1.1 server on QTcpServer: keep-alive, requests on one connection answered strictly in
// order, Content-Length bodies only, every buffer bounded. Handlers are coroutines from a
// Router; upgrade requests on webSocketPaths are handed to a QWebSocketServer.
class Server : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        qsizetype maxHeaderBytes = 16 * 1024; // -> 431, close
        qsizetype maxBodyBytes = 1024 * 1024; // -> 413 payload_too_large, close
        int maxConnections = 10000; // beyond: accepted and closed at once
        qint64 idleTimeoutMs = 60000; // keep-alive connection idle
        qint64 requestTimeoutMs = 30000; // handler not done in time -> 503 unavailable, close
        int listenBacklog = 1024;
        QStringList webSocketPaths; // e.g. {"/v1/ws"}: upgrade requests here go to newWebSocket
        qint64 maxWebSocketFrameBytes = 1 << 20; // frame and message limit; over it Qt closes 1009
        qint64 webSocketHandshakeTimeoutMs = 10000;
    };

    // router must outlive the server and every request it started.
    explicit Server(Options options, Router *router, QObject *parent = nullptr);
    ~Server() override;

    bool listen(const QHostAddress &address, quint16 port);
    [[nodiscard]] quint16 port() const;
    [[nodiscard]] QString errorString() const;
    // Stops accepting; idle connections close now, busy ones after their current response.
    void close();
    // Open HTTP connections (handed-over WebSockets are no longer counted).
    [[nodiscard]] int connectionCount() const;

Q_SIGNALS:
    // Ownership passes to the receiver (parent it or deleteLater); socket->requestUrl() and
    // request() give path, query and headers.
    void newWebSocket(QWebSocket *socket);
    // For metrics; route is the Router pattern, "unmatched" for 404s and unparseable requests.
    void requestFinished(const QByteArray &route, const QByteArray &method, int status,
                         double seconds);

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace confab::http

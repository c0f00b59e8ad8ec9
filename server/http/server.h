#pragma once

#include "http/cors.h"
#include "websocket/connection.h"
#include "websocket/upgrade.h"

#include <QHostAddress>
#include <QObject>
#include <QSslConfiguration>
#include <QStringList>

#include <memory>
#include <optional>

namespace confab::http {

class Router;

// An HTTP/1.1 server on QTcpServer: keep-alive, requests on one connection answered strictly in
// order, Content-Length bodies only, every buffer bounded. Handlers are coroutines from a
// Router; upgrade requests on webSocketPaths get the WebSocket handshake (RFC 6455 section 4.2:
// 426 for a version other than 13, 400 for a bad key) and become websocket::Connections.
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
        // A request's head must be complete this long after its first byte (for a new
        // connection: after the accept), its body this long after the head; else 408, close.
        // Whole deadlines, not per read: a byte every second does not hold a connection.
        qint64 headerTimeoutMs = 10000;
        qint64 bodyTimeoutMs = 30000;
        // Open connections per client address, WebSockets included (0: no limit); beyond:
        // 429 and close. Addresses in exemptSubnets ("a.b.c.d/n") are not counted.
        int maxConnectionsPerAddress = 0;
        QStringList exemptSubnets;
        int listenBacklog = 1024;
        // SO_REUSEPORT: several processes on one host listen on the same port and the kernel
        // spreads new connections over them ([server] reuse_port, docs/running.md).
        bool reusePort = false;
        QStringList webSocketPaths; // e.g. {"/v1/ws"}: upgrade requests here go to newWebSocket
        qint64 maxWebSocketMessageBytes = 1 << 20; // a larger message is closed with 1009
        qint64 webSocketBufferLimit = 8 << 20; // unsent bytes before 4008 (a handler may change it)
        qint64 webSocketWriteCoalesceMs = 0; // websocket::Hub::Options::writeCoalesceMs
        qint64 webSocketWriteCoalesceAbovePerS = 0; // and its writeCoalesceAbovePerS
        bool webSocketBatchedSends = true; // and its batchedSends
        // Browser origins allowed: preflights, Access-Control-Allow-Origin, and a 403 for a
        // WebSocket upgrade from another Origin. Unset: no CORS at all (http/cors.h).
        CorsPolicy cors;
        // Set: the listener is a QSslServer with this certificate and key (tls/tlscontext.h);
        // every connection completes a TLS handshake before its first request is read.
        std::optional<QSslConfiguration> tls;
        int tlsHandshakeTimeoutMs = 10000; // a handshake not done in time is dropped
    };

    // router must outlive the server and every request it started.
    explicit Server(Options options, Router *router, QObject *parent = nullptr);
    ~Server() override;

    bool listen(const QHostAddress &address, quint16 port);
    [[nodiscard]] quint16 port() const;
    [[nodiscard]] QString errorString() const;
    // Stops accepting; idle connections close now, busy ones after their current response.
    void close();
    // Whether the listener serves TLS (Options::tls was set).
    [[nodiscard]] bool isTls() const;
    // A renewed certificate and key for connections accepted from now on; open ones keep the
    // pair they were set up with. Does nothing on a plain listener.
    void setTlsConfiguration(const QSslConfiguration &configuration);
    // Open HTTP connections (handed-over WebSockets are no longer counted).
    [[nodiscard]] int connectionCount() const;
    // Open WebSocket connections, closing ones included.
    [[nodiscard]] int webSocketCount() const;
    // Coalescing windows its WebSockets' frames have waited for (websocket::Hub).
    [[nodiscard]] quint64 webSocketWriteWindows() const;
    // Whether its WebSockets' frames wait for coalescing windows now ([server] write_coalesce).
    [[nodiscard]] bool webSocketWritesCoalescing() const;

Q_SIGNALS:
    // An upgraded connection. The server keeps owning it; the receiver must start() it with a
    // handler or close() it before returning (otherwise it is closed with 1011). upgrade holds
    // what the request said (path, query, Authorization, peer); the connection keeps none of it.
    void newWebSocket(confab::websocket::Connection *connection,
                      const confab::websocket::Upgrade &upgrade);
    // For metrics; route is the Router pattern, "unmatched" for 404s and unparseable requests.
    void requestFinished(const QByteArray &route, const QByteArray &method, int status,
                         double seconds);

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace confab::http

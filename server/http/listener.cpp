// The listening side of Server: a QTcpServer, or a QSslServer with [tls], bound with
// SO_REUSEPORT when several processes share the port; closing it drains idle connections.
#include "http/server.h"
#include "http/server_p.h"

#include "http/logging.h"

#include <QSslServer>

#include <cerrno>
#include <cstring>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace confab::http {

using detail::Connection;

std::unique_ptr<QTcpServer> Server::Private::makeListener(const Options &o)
{
    if (!o.tls)
        return std::make_unique<QTcpServer>();
    auto tls = std::make_unique<QSslServer>();
    tls->setSslConfiguration(*o.tls);
    tls->setHandshakeTimeout(o.tlsHandshakeTimeoutMs);
    // A failed handshake (plain HTTP on the TLS port, an old protocol version, a client that
    // does not trust the certificate) is the client's problem: QSslServer drops the socket.
    QObject::connect(tls.get(), &QSslServer::errorOccurred, tls.get(),
                     [](QSslSocket *socket, QAbstractSocket::SocketError) {
                         qCDebug(lcHttp) << "TLS handshake with" << socket->peerAddress()
                                         << "failed:" << socket->errorString();
                     });
    return tls;
}

bool Server::isTls() const
{
    return d->options.tls.has_value();
}

void Server::setTlsConfiguration(const QSslConfiguration &configuration)
{
    if (!d->options.tls)
        return;
    d->options.tls = configuration;
    static_cast<QSslServer &>(d->tcpServer).setSslConfiguration(configuration);
}

namespace {

// A listening socket with SO_REUSEPORT, which QTcpServer cannot set before it binds; -1 and
// *error on failure.
int reusePortSocket(const QHostAddress &address, quint16 port, int backlog, QString *error)
{
    sockaddr_storage storage{};
    socklen_t length = 0;
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        auto *a = reinterpret_cast<sockaddr_in6 *>(&storage);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        const Q_IPV6ADDR ip = address.toIPv6Address();
        std::memcpy(&a->sin6_addr, &ip, sizeof ip);
        length = sizeof *a;
    } else {
        auto *a = reinterpret_cast<sockaddr_in *>(&storage);
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        a->sin_addr.s_addr = htonl(address.toIPv4Address());
        length = sizeof *a;
    }
    const int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int on = 1;
    if (fd < 0 || ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0
        || ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0
        || ::bind(fd, reinterpret_cast<sockaddr *>(&storage), length) != 0 || ::listen(fd, backlog) != 0) {
        *error = QString::fromLocal8Bit(std::strerror(errno));
        if (fd >= 0)
            ::close(fd);
        return -1;
    }
    return fd;
}

} // namespace

bool Server::listen(const QHostAddress &address, quint16 port)
{
    d->closing = false;
    if (d->options.reusePort) {
        const int fd = reusePortSocket(address, port, d->options.listenBacklog, &d->listenError);
        if (fd < 0)
            return false;
        if (!d->tcpServer.setSocketDescriptor(fd)) {
            d->listenError = d->tcpServer.errorString();
            ::close(fd);
            return false;
        }
    } else if (!d->tcpServer.listen(address, port)) {
        d->listenError = d->tcpServer.errorString();
        return false;
    }
    d->sweepTimer.start();
    return true;
}

quint16 Server::port() const
{
    return d->tcpServer.serverPort();
}

QString Server::errorString() const
{
    return d->listenError;
}

void Server::close()
{
    d->closing = true;
    d->tcpServer.close();
    std::vector<Connection *> idle;
    for (auto &[socket, c] : d->connections) {
        if (c->state == Connection::State::ReadingHead && socket->bytesAvailable() == 0)
            idle.push_back(c.get());
    }
    for (Connection *c : idle) {
        c->state = Connection::State::Closing;
        c->socket->disconnectFromHost();
    }
}

int Server::connectionCount() const
{
    return int(d->connections.size());
}

int Server::webSocketCount() const
{
    return d->hub.connectionCount();
}

quint64 Server::webSocketWriteWindows() const
{
    return d->hub.windowsOpened();
}

bool Server::webSocketWritesCoalescing() const
{
    return d->hub.coalescing();
}

} // namespace confab::http

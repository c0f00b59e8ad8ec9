#include "http/bodystream.h"

#include <QCoro/QCoroSignal>

#include <chrono>

namespace confab::http {

BodyStream::BodyStream(QTcpSocket *socket, qint64 length, qint64 stallTimeoutMs)
    : m_socket(socket), m_length(length), m_remaining(length), m_stallTimeoutMs(stallTimeoutMs)
{
    connect(socket, &QIODevice::readyRead, this, &BodyStream::socketChanged);
    connect(socket, &QAbstractSocket::disconnected, this, &BodyStream::socketChanged);
    connect(socket, &QObject::destroyed, this, &BodyStream::socketChanged);
}

QCoro::Task<Expected<QByteArray>> BodyStream::read(qint64 maxBytes)
{
    const QPointer<BodyStream> self(this);
    for (;;) {
        if (m_remaining == 0)
            co_return QByteArray();
        if (m_socket && m_socket->bytesAvailable() > 0) {
            QByteArray chunk = m_socket->read(std::min(maxBytes, m_remaining));
            m_remaining -= chunk.size();
            co_return chunk;
        }
        if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState)
            co_return Error::unavailable(QStringLiteral("the client closed the connection"));
        auto waiting = qCoro(this, &BodyStream::socketChanged,
                             std::chrono::milliseconds(m_stallTimeoutMs));
        const auto woke = co_await waiting;
        if (!self)
            co_return Error::unavailable(QStringLiteral("the request was dropped"));
        if (!woke)
            co_return Error::unavailable(
                QStringLiteral("no request body bytes for %1 ms").arg(m_stallTimeoutMs));
    }
}

} // namespace confab::http

#include "http/bodystream.h"

#include <QCoro/QCoroFuture>
#include <QFuture>
#include <QPromise>

#include <memory>

namespace confab::http {

BodyStream::BodyStream(QTcpSocket *socket, qint64 length, qint64 stallTimeoutMs)
    : m_socket(socket), m_length(length), m_remaining(length), m_stallTimeoutMs(stallTimeoutMs)
{
    connect(socket, &QIODevice::readyRead, this, &BodyStream::socketChanged);
    connect(socket, &QAbstractSocket::disconnected, this, &BodyStream::socketChanged);
    connect(socket, &QObject::destroyed, this, &BodyStream::socketChanged);
    m_stall.setSingleShot(true);
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
        // Waits through a promise rather than qCoro(signal, timeout): QCoro 0.8 crashes when a
        // signal it awaits with a timeout is emitted twice before the coroutine resumes
        // (readyRead and disconnected back to back).
        auto promise = std::make_shared<QPromise<bool>>();
        QFuture<bool> waiting = promise->future();
        promise->start();
        const auto settle = [promise](bool woke) {
            if (promise->future().isFinished())
                return;
            promise->addResult(woke);
            promise->finish();
        };
        const QMetaObject::Connection onData = connect(this, &BodyStream::socketChanged, this, [settle] { settle(true); });
        const QMetaObject::Connection onStall = connect(&m_stall, &QTimer::timeout, this, [settle] { settle(false); });
        m_stall.start(int(std::min<qint64>(m_stallTimeoutMs, INT_MAX)));
        const bool woke = co_await waiting;
        if (!self)
            co_return Error::unavailable(QStringLiteral("the request was dropped"));
        disconnect(onData);
        disconnect(onStall);
        m_stall.stop();
        if (!woke)
            co_return Error::unavailable(
                QStringLiteral("no request body bytes for %1 ms").arg(m_stallTimeoutMs));
    }
}

} // namespace confab::http

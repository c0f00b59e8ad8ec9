#pragma once

#include "confab/expected.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

#include <QCoro/QCoroTask>

namespace confab::http {

// The body of a request on a streaming route (Router::addStreaming), read by its handler as it
// arrives instead of being gathered in memory first: at most the socket's bounded read buffer
// is held, and the client is not read from faster than the handler consumes.
class BodyStream : public QObject
{
    Q_OBJECT
public:
    BodyStream(QTcpSocket *socket, qint64 length, qint64 stallTimeoutMs);

    [[nodiscard]] qint64 length() const { return m_length; }
    [[nodiscard]] qint64 remaining() const { return m_remaining; }

    // The next piece (at most maxBytes), an empty array once the whole body was read.
    // Unavailable when the client went away or sent nothing for stallTimeoutMs.
    QCoro::Task<Expected<QByteArray>> read(qint64 maxBytes = 256 * 1024);

Q_SIGNALS:
    void socketChanged(); // bytes arrived or the connection ended

private:
    QTimer m_stall; // a wait for bytes ends after stallTimeoutMs
    QPointer<QTcpSocket> m_socket;
    qint64 m_length = 0;
    qint64 m_remaining = 0;
    qint64 m_stallTimeoutMs = 0;
};

} // namespace confab::http

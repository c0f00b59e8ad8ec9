#include "support/webhookreceiver.h"

#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QTcpSocket>

namespace confab::test {

WebhookReceiver::WebhookReceiver()
{
    connect(&m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *s = m_server.nextPendingConnection()) {
            connect(s, &QTcpSocket::readyRead, this, [this, s] { readFrom(s); });
            connect(s, &QTcpSocket::disconnected, this, [this, s] {
                m_buffers.remove(s);
                s->deleteLater();
            });
        }
    });
}

WebhookReceiver::~WebhookReceiver()
{
    // The sockets are the server's children and die after this object's members.
    for (QTcpSocket *s : m_server.findChildren<QTcpSocket *>())
        s->disconnect(this);
}

bool WebhookReceiver::listen()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

QString WebhookReceiver::url() const
{
    return QStringLiteral("http://127.0.0.1:%1/hook").arg(m_server.serverPort());
}

QList<WebhookReceiver::Call> WebhookReceiver::delivered() const
{
    QList<Call> out;
    for (const Call &c : m_calls) {
        if (c.answered >= 200 && c.answered < 300)
            out.append(c);
    }
    return out;
}

QList<WebhookReceiver::Call> WebhookReceiver::delivered(const QString &type) const
{
    QList<Call> out;
    for (const Call &c : delivered()) {
        if (c.body.value(QLatin1String("type")).toString() == type)
            out.append(c);
    }
    return out;
}

int WebhookReceiver::hanging() const
{
    int n = 0;
    for (const Call &c : m_calls)
        n += c.answered == 0 ? 1 : 0;
    return n;
}

int WebhookReceiver::countValid(const QByteArray &header, const QByteArray &body, const QList<QByteArray> &secrets)
{
    QByteArray t;
    QList<QByteArray> v1;
    for (const QByteArray &part : header.split(',')) {
        if (part.startsWith("t="))
            t = part.mid(2);
        else if (part.startsWith("v1="))
            v1.append(part.mid(3));
    }
    if (t.isEmpty() || v1.isEmpty())
        return 0;
    int valid = 0;
    for (const QByteArray &sig : v1) {
        for (const QByteArray &secret : secrets) {
            const QByteArray expected
                = QMessageAuthenticationCode::hash(t + '.' + body, secret, QCryptographicHash::Sha256).toHex();
            if (expected == sig) {
                ++valid;
                break;
            }
        }
    }
    return valid;
}

void WebhookReceiver::readFrom(QTcpSocket *socket)
{
    QByteArray &buffer = m_buffers[socket];
    buffer += socket->readAll();
    for (;;) {
        const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
        if (headEnd < 0)
            return;
        QHash<QByteArray, QByteArray> headers;
        const QList<QByteArray> lines = buffer.left(headEnd).split('\n');
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon > 0)
                headers.insert(line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed());
        }
        const qsizetype length = headers.value("content-length").toLongLong();
        if (buffer.size() < headEnd + 4 + length)
            return;
        Call call;
        call.raw = buffer.mid(headEnd + 4, length);
        buffer.remove(0, headEnd + 4 + length);
        call.eventId = headers.value("confab-event-id");
        call.signature = headers.value("confab-signature");
        call.body = QJsonDocument::fromJson(call.raw).object();
        call.validSignatures = countValid(call.signature, call.raw, m_secrets);
        call.signatureValid = call.validSignatures > 0
            && call.validSignatures == call.signature.count(",v1=");
        if (m_mode != Mode::Hang) {
            call.answered = m_mode == Mode::Ok ? 204 : 500;
            socket->write(m_mode == Mode::Ok ? "HTTP/1.1 204 No Content\r\n\r\n"
                                             : "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\nfail");
        }
        m_calls.append(call);
    }
}

} // namespace confab::test

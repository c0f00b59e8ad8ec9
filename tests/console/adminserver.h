#pragma once

#include "core/adminclient.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QNetworkRequest>
#include <QPointer>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

namespace confab::console::test
{

// A stand-in for the server end of /admin/ws that only records frames and answers what the
// test tells it to. It checks the client's framing, not confabd's behaviour.
class FramingServer : public QObject
{
public:
    FramingServer()
        : m_server(QStringLiteral("framing"), QWebSocketServer::NonSecureMode)
    {
        QObject::connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *s = m_server.nextPendingConnection()) {
                s->setParent(this);
                m_sockets.append(s);
                m_requests.append(s->request());
                QObject::connect(
                    s, &QWebSocket::textMessageReceived, this, [this](const QString &t) {
                        m_frames.append(QJsonDocument::fromJson(t.toUtf8()).object());
                    });
            }
        });
    }

    bool listen(quint16 port = 0) { return m_server.listen(QHostAddress::LocalHost, port); }
    void stopListening() { m_server.close(); }
    [[nodiscard]] quint16 port() const { return m_server.serverPort(); }
    [[nodiscard]] QUrl url() const
    {
        return QUrl(QStringLiteral("ws://127.0.0.1:%1/admin/ws").arg(m_server.serverPort()));
    }
    [[nodiscard]] int connectionCount() const { return int(m_sockets.size()); }
    [[nodiscard]] const QList<QNetworkRequest> &requests() const { return m_requests; }
    [[nodiscard]] const QList<QJsonObject> &frames() const { return m_frames; }
    [[nodiscard]] QList<QJsonObject> framesOfType(const QString &type) const
    {
        QList<QJsonObject> out;
        for (const QJsonObject &f : m_frames)
            if (f.value(QLatin1String("type")).toString() == type)
                out.append(f);
        return out;
    }
    [[nodiscard]] QWebSocket *latest() const
    {
        return m_sockets.isEmpty() ? nullptr : m_sockets.last().data();
    }

    void send(const QJsonObject &frame)
    {
        latest()->sendTextMessage(
            QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)));
    }
    void sendRaw(const QString &text) { latest()->sendTextMessage(text); }

private:
    QWebSocketServer m_server;
    QList<QPointer<QWebSocket>> m_sockets;
    QList<QNetworkRequest> m_requests;
    QList<QJsonObject> m_frames;
};

// Opens a client on a fresh server and waits until it has subscribed.
inline bool connectPair(FramingServer &server, AdminClient &client)
{
    if (!server.listen())
        return false;
    client.open(server.url(), QStringLiteral("admin-secret"));
    return QTest::qWaitFor(
        [&] {
            return client.state() == AdminClient::State::Connected
                && !server.framesOfType(QStringLiteral("stats.subscribe")).isEmpty();
        },
        10000);
}

} // namespace confab::console::test

#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QTcpServer>

class QTcpSocket;

namespace confab::test {

// An app back end for webhook tests: a plain HTTP/1.1 server on loopback that checks each
// call's Confab-Signature with its own HMAC code (QMessageAuthenticationCode, not the server's),
// records it, and answers as told: 204, 500, or never (to test timeouts and slow endpoints).
class WebhookReceiver : public QObject
{
    Q_OBJECT
public:
    enum class Mode { Ok, Fail, Hang };

    struct Call {
        QByteArray eventId;     // Confab-Event-Id
        QByteArray signature;   // Confab-Signature
        QByteArray raw;         // the body as received
        QJsonObject body;
        bool signatureValid = false; // every v1 is checked: a valid one with each secret set
        int validSignatures = 0;     // how many v1 values matched a secret
        int answered = 0;            // the status sent back, 0 if none
    };

    WebhookReceiver();
    ~WebhookReceiver() override;
    bool listen();
    [[nodiscard]] QString url() const;
    void setMode(Mode mode) { m_mode = mode; }
    // The secrets a call must be signed with (each v1 must match one of them).
    void setSecrets(QList<QByteArray> secrets) { m_secrets = std::move(secrets); }

    [[nodiscard]] const QList<Call> &calls() const { return m_calls; }
    // Calls answered 2xx, in arrival order.
    [[nodiscard]] QList<Call> delivered() const;
    [[nodiscard]] QList<Call> delivered(const QString &type) const;
    // Calls that arrived but are still unanswered (Hang).
    [[nodiscard]] int hanging() const;

    // Checks "t=<ms>,v1=<hex>[,v1=<hex>]" over "<t>.<body>"; returns how many v1 match a secret.
    static int countValid(const QByteArray &header, const QByteArray &body, const QList<QByteArray> &secrets);

private:
    void readFrom(QTcpSocket *socket);

    QTcpServer m_server;
    Mode m_mode = Mode::Ok;
    QList<QByteArray> m_secrets;
    QList<Call> m_calls;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};

} // namespace confab::test

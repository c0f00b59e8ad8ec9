#pragma once

#include "confab/error.h"
#include "confab/expected.h"
#include "core/stats.h"

#include <QJsonObject>
#include <QObject>
#include <QSslCertificate>
#include <QUrl>

#include <memory>

namespace confab::console
{

// One request on the admin WebSocket, answered by the frame carrying the same `req`.
// Like QNetworkReply: connect to finished(); the reply deletes itself after emitting it.
class AdminReply : public QObject
{
    Q_OBJECT

public:
    [[nodiscard]] QString req() const { return m_req; }
    [[nodiscard]] QString requestType() const { return m_requestType; }
    [[nodiscard]] bool isFinished() const { return m_finished; }
    [[nodiscard]] bool isOk() const { return m_finished && !m_failed; }
    // The answering frame (`result` or `dead_letters`); empty on failure.
    [[nodiscard]] const QJsonObject &response() const { return m_response; }
    [[nodiscard]] const Error &error() const { return m_error; }
    // The items of a dead_letters.list answer.
    [[nodiscard]] const QList<DeadLetter> &deadLetters() const { return m_deadLetters; }

Q_SIGNALS:
    void finished();

private:
    friend class AdminClient;
    AdminReply(const QString &req, const QString &requestType, QObject *parent);
    void finish(const QJsonObject &response);
    void fail(const Error &error);

    QString m_req;
    QString m_requestType;
    QJsonObject m_response;
    QList<DeadLetter> m_deadLetters;
    Error m_error;
    bool m_finished = false;
    bool m_failed = false;
};

// The console's side of the admin WebSocket (PROTOCOL.md section 6): authenticates with
// the admin token in the Authorization header, subscribes to stats on every (re)connect,
// correlates requests and answers by `req`, and reconnects with exponential backoff.
class AdminClient : public QObject
{
    Q_OBJECT

public:
    enum class State { Disconnected, Connecting, Connected, WaitingToReconnect };
    Q_ENUM(State)

    explicit AdminClient(QObject *parent = nullptr);
    ~AdminClient() override;

    // Connects and keeps reconnecting until close(); ws:// and wss://. A wss:// server's
    // certificate must verify against the system CA store, or against the CA certificates in
    // caFile (PEM) when one is given; a failure is never ignored, lastError() says why.
    void open(const QUrl &url, const QString &token, const QString &caFile = {});
    void close();

    void setStatsIntervalMs(int ms);
    void setReconnectBackoff(int initialMs, int maxMs);
    void setRequestTimeoutMs(int ms);

    [[nodiscard]] State state() const;
    [[nodiscard]] QUrl url() const;
    // The admin token and CA file of the current connection (for AdminRest on the same node).
    [[nodiscard]] QString token() const;
    [[nodiscard]] QString caFile() const;
    // Why the last connection ended or failed; empty while connected.
    [[nodiscard]] QString lastError() const;
    [[nodiscard]] int reconnectAttempt() const;
    [[nodiscard]] int nextReconnectDelayMs() const;
    [[nodiscard]] int pendingRequests() const;

    // Each returns a reply that always finishes: with the answer, an `error` frame, a
    // timeout, or `unavailable` when the connection is down or lost before the answer.
    AdminReply *listDeadLetters(int limit = 100);
    AdminReply *retryDeadLetter(const QString &id);
    AdminReply *discardDeadLetter(const QString &id);
    AdminReply *flushNow();
    AdminReply *runRetention();
    // Operator actions (docs/protocol.md, "Operator actions"); the reply's response() is the
    // answer frame (`user`, `conversation`, `messages` or `result`).
    AdminReply *lookupUser(const QString &appId, const QString &userId);
    AdminReply *disconnectUser(const QString &appId, const QString &userId, int closeCode, const QString &reason);
    AdminReply *inspectConversation(const QString &appId, const QString &convoId);
    // The page before beforeSeq (0: the newest); the server logs the read with operatorName().
    AdminReply *conversationMessages(const QString &appId, const QString &convoId, qint64 beforeSeq, int limit = 50);
    // To every session of appId, or of every app when it is empty.
    AdminReply *sendNotice(const QString &appId, const QString &code, const QString &message);
    // Who reads messages, for the server's audit log (by default the OS user name).
    void setOperatorName(const QString &name);
    [[nodiscard]] QString operatorName() const;

Q_SIGNALS:
    void stateChanged(confab::console::AdminClient::State state);
    void statsReceived(const confab::console::Stats &stats);
    // A frame that is not JSON or a stats frame that is malformed; the connection stays.
    void protocolWarning(const QString &message);

private:
    AdminReply *sendRequest(const QString &type, QJsonObject frame);
    void startConnecting();
    void scheduleReconnect(const QString &reason);
    void onConnected();
    void onDisconnected();
    void onTextMessage(const QString &text);
    void failAllPending(const Error &error);
    void setState(State state);

    class Private;
    std::unique_ptr<Private> d;
};

// The CA certificates of a PEM file, or why there are none ("cannot read", "no certificate").
[[nodiscard]] Expected<QList<QSslCertificate>> readCaFile(const QString &path);

// Maps a PROTOCOL.md section 7 wire name back to its code (Internal when unknown).
[[nodiscard]] ErrorCode errorCodeFromName(const QString &name);

} // namespace confab::console

#pragma once

#include "restclient.h"

#include "ledger.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QTimer>
#include <QUrl>

#include <deque>
#include <functional>
#include <memory>
#include <vector>

class QJsonObject;
class QWebSocket;

namespace confab::chaos {

struct Options {
    QList<QUrl> apiUrls;      // public listeners of the nodes; clients start spread over them
    QUrl adminUrl;
    QString adminToken;
    int conversations = 20;
    int sendersPerConversation = 2;
    int readersPerConversation = 1;
    double rate = 2000;       // messages/s created over all senders
    int window = 56;          // unacknowledged sends per sender: under the server's max_inflight_per_conn (64), with room for syncs
    int bodyBytes = 100;
    QString stopFile;         // stop creating messages once this file exists
    int maxDurationS = 600;   // ...or after this long
    QString faultsFile;       // read at the end: the fault windows (tools/chaos.sh)
    QString timelineFile;     // written at the end: Ledger::timeline()
    int settleMs = 5000;      // a fault's row also holds messages created this long after it ended
    int drainTimeoutS = 120;
    int ackTimeoutS = 30;     // a send unanswered this long: the client drops the connection
};

// Drives a chaos run like real clients do: every sender keeps an outbox, resends what was not
// acknowledged with the same client_msg_id after a reconnect (to any node), a timeout or
// `unavailable`; every client holds its conversation's sequence from pushes and `sync`. At the
// end it drains the outboxes, lets every client sync, reads each conversation's history over
// REST and checks it against the ledger (Ledger::check).
class Load : public QObject
{
    Q_OBJECT
public:
    explicit Load(Options options, QObject *parent = nullptr);
    void start();

Q_SIGNALS:
    void finished(int exitCode);

private:
    struct Client {
        QWebSocket *socket = nullptr;
        QString userId;
        QByteArray token;
        int convo = 0;
        int node = 0;
        bool sender = false;
        bool ready = false;
        bool syncing = false;
        bool everReady = false;
        bool syncForFinal = false;               // this sync was sent after the last ack
        bool finalSyncDone = false;
        int syncs = 0;
        std::deque<qint64> outbox;               // ledger ids, oldest first
        std::vector<std::pair<qint64, qint64>> inflight;   // (id, sent at ms), in send order
        std::vector<qint64> held;                // id at seq_no k + 1
        qint64 reconnectDelayMs = 250;
        qint64 pausedUntilMs = 0;                // after `unavailable`: send nothing until then
        qint64 retryDelayMs = 0;                 // doubles while sends fail, 0 after an ack
        bool pumpScheduled = false;
    };

    void createApp();
    void createConversations();
    void mintNext();
    void connectClient(int i);
    void onDisconnected(int i);
    void onText(int i, const QString &text);
    void onError(int i, const QJsonObject &o);
    void onMessageCreate(int i, const QByteArray &utf8);
    void onSyncResult(int i, const QJsonObject &o);
    void syncFrom(int i);
    void pumpClient(int i);
    static void requeueInflight(Client &c);
    void beginSending();
    void tick();
    void watch();
    void readHistories();
    void readHistory(int convo, qint64 afterSeq, int node,
                     std::shared_ptr<std::vector<std::pair<qint64, qint64>>> got, int failures);
    void report();
    void fail(const QString &why);
    [[nodiscard]] static qint64 nowMs();
    [[nodiscard]] QUrl api(int node, const QString &path) const;

    Options m_opt;
    tools::RestClient m_rest;
    QByteArray m_apiKey;
    Ledger m_ledger;
    QList<Client> m_clients;
    QStringList m_convoIds;
    QList<int> m_senders;
    QByteArray m_body;
    QTimer m_tick;    // creates messages at the rate
    QTimer m_watch;   // ack timeouts, progress, the stop file, the end of the drain
    QElapsedTimer m_clock;
    qint64 m_lastTickUs = 0;
    double m_credit = 0;
    int m_nextSender = 0;
    int m_nextMint = 0;
    int m_pending = 0;
    int m_ready = 0;
    bool m_sending = false;
    bool m_stopped = false;
    bool m_finalSync = false;
    qint64 m_startedMs = 0;
    qint64 m_stoppedAtMs = 0;
    qint64 m_finalSyncAtMs = 0;
    qint64 m_lastProgressMs = 0;
    int m_syncsLeft = 0;
    int m_historiesLeft = 0;
    QHash<QString, quint64> m_errors;   // error frames by code
    quint64 m_duplicateAcks = 0;
};

} // namespace confab::chaos

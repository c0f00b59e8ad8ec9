#pragma once

#include "restclient.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QTimer>
#include <QUrl>

#include <vector>

class QWebSocket;

namespace confab::bench {

struct Options {
    QUrl apiUrl;          // public listener, http://host:port
    QUrl adminUrl;        // internal listener
    QString adminToken;
    int connections = 200;
    int conversations = 20;
    int senders = 20;     // connections that send (spread over the conversations)
    int inflight = 32;    // unacknowledged sends per sender
    double rate = 0;      // messages/s over all senders; 0: as fast as acks allow
    int durationS = 10;
    int warmupS = 2;
    int bodyBytes = 100;
    bool textBodies = false;  // every message a different run of words (compresses like chat text)
    bool idleOnly = false;  // open connections, report, hold them for durationS
    // After the send window: POST /admin/flush (timed), then this many history pages
    // (GET .../messages?before_seq=<random>&limit=historyLimit), historyConcurrency at a time.
    int historyReads = 0;
    int historyLimit = 50;
    int historyConcurrency = 4;
};

// Latency samples in microseconds; percentiles by sorting once at the end.
class Samples
{
public:
    void add(qint64 us) { m_values.push_back(us); }
    [[nodiscard]] qint64 percentile(double p);
    [[nodiscard]] qint64 max();
    [[nodiscard]] std::size_t count() const { return m_values.size(); }

private:
    std::vector<qint64> m_values;
    bool m_sorted = false;
};

class Bench : public QObject
{
    Q_OBJECT
public:
    explicit Bench(Options options, QObject *parent = nullptr);
    void start();

Q_SIGNALS:
    void finished(int exitCode);

private:
    struct Client {
        QWebSocket *socket = nullptr;
        QString userId;
        QString convoId;
        bool ready = false;
        bool sender = false;
        int inflight = 0;
        quint64 nextId = 0;
        QHash<QByteArray, qint64> sentAt;   // client_msg_id -> elapsed us
    };

    void createApp();
    void createConversations();
    void mintTokens();
    void mintNext();
    void openConnections();
    void onText(int client, const QString &text);
    void beginMeasuring();
    void pump();
    void sendOne(int client);
    void report();
    void flushThenReadHistory();
    void readHistory();
    void readOnePage();
    void reportHistory();
    void fail(const QString &why);

    Options m_opt;
    tools::RestClient m_rest;
    QByteArray m_apiKey;
    QList<Client> m_clients;
    QStringList m_convoIds;
    QHash<QString, qint64> m_sendTimes;   // client_msg_id -> elapsed us (for delivery latency)
    QElapsedTimer m_clock;
    QTimer m_pump;
    QByteArray m_body;
    QByteArray nextBody();
    quint64 m_bodyState = 88172645463325252ULL; // xorshift64, fixed seed: runs are comparable
    int m_ready = 0;
    int m_pending = 0;
    bool m_measuring = false;
    qint64 m_measureStartUs = 0;
    qint64 m_measureEndUs = 0;
    quint64 m_acks = 0;
    quint64 m_deliveries = 0;
    quint64 m_errors = 0;
    double m_credit = 0;
    int m_nextSender = 0;
    int m_nextMint = 0;
    static constexpr int kSetupConcurrency = 16;
    qint64 m_lastPumpUs = 0;
    Samples m_ackLatency;
    Samples m_deliveryLatency;
    QHash<QString, qint64> m_lastSeq;   // conversation -> highest acked seq_no
    QStringList m_historyConvos;        // conversations with messages
    int m_historyStarted = 0;
    int m_historyDone = 0;
    quint64 m_historyErrors = 0;
    quint64 m_historyMessages = 0;
    Samples m_historyLatency;
};

} // namespace confab::bench

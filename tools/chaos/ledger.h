#pragma once

#include <QList>
#include <QString>

#include <vector>

namespace confab::chaos {

// One fault window: from the moment it was injected to the moment the service was back.
struct Fault {
    QString name;
    qint64 startMs = 0;
    qint64 endMs = 0;
};

// Reads "name<TAB>start_ms<TAB>end_ms" lines (tools/chaos.sh writes them).
[[nodiscard]] QList<Fault> parseFaults(const QByteArray &tsv);

// One row of the chaos table: the messages created inside a fault's window (or outside all).
struct Row {
    QString name;
    qint64 durationMs = -1;   // -1: not a fault
    quint64 acked = 0;
    quint64 lost = 0;         // acked, not in history (or in history at another seq_no)
    quint64 duplicates = 0;   // extra copies of a client_msg_id in history
    quint64 resent = 0;       // sends repeated after a disconnect, an error or a timeout
    quint64 reconnects = 0;   // client reconnects inside the window
    double p99Ms = 0;         // ack latency: from the message's creation to its ack, resends included
};

struct Report {
    QList<Row> rows;          // one per fault, then "no fault", then "all"
    quint64 gaps = 0;         // seq_nos missing from 1..last in history
    quint64 disorder = 0;     // history entries not in ascending seq_no order
    quint64 unknown = 0;      // history entries whose client_msg_id this run never sent
    quint64 unacked = 0;      // messages never acknowledged (the drain timed out)
    quint64 refused = 0;      // sends answered by an error other than unavailable / rate_limited
    quint64 holders = 0;      // clients whose synced sequence was compared with history
    quint64 holderMismatches = 0;
    [[nodiscard]] bool ok() const;
    [[nodiscard]] QString table() const;   // Markdown, then one line per check
};

// What a chaos run sent, what was acknowledged, and what history and the clients hold. Message
// ids are the ledger's indices: client_msg_id "m<index>", so history maps back without a lookup.
class Ledger
{
public:
    [[nodiscard]] static QByteArray clientMsgId(qint64 id);
    // The index in a client_msg_id this ledger made, or -1.
    [[nodiscard]] static qint64 idFromClientMsgId(QByteArrayView cmid);

    qint64 create(int convo, qint64 nowMs);
    // A send of message id went out (the first or a resend).
    void sent(qint64 id) { ++m_msgs[std::size_t(id)].sends; }
    // A message.ack (duplicate or not); a later ack of the same message does not move the first.
    void acked(qint64 id, qint64 seq, qint64 nowMs);
    void refused(qint64 id) { m_msgs[std::size_t(id)].refused = true; }
    void reconnected(qint64 nowMs) { m_reconnects.push_back(nowMs); }
    [[nodiscard]] qint64 size() const { return qint64(m_msgs.size()); }
    [[nodiscard]] bool isAcked(qint64 id) const { return m_msgs[std::size_t(id)].ackedMs >= 0; }

    // History of conversation convo as read, in the order the pages gave it: (seq_no, id).
    void setHistory(int convo, std::vector<std::pair<qint64, qint64>> entries);
    // A client's sequence for convo: ids[k] is the id it holds at seq_no k + 1 (-1: a hole).
    void addHolder(int convo, std::vector<qint64> ids);

    [[nodiscard]] Report check(const QList<Fault> &faults, qint64 settleMs) const;
    // Ack latency by the second a message was created: "t_s created acked p99_ms max_ms fault"
    // lines, t_s from the first message, fault the one active then (to see where inside a
    // fault's window the latency went).
    [[nodiscard]] QByteArray timeline(const QList<Fault> &faults) const;

private:
    struct Msg {
        qint64 createdMs = 0;
        qint64 ackedMs = -1;
        qint64 seq = 0;
        int convo = 0;
        int sends = 0;
        bool refused = false;
    };
    std::vector<Msg> m_msgs;
    std::vector<qint64> m_reconnects;
    QList<std::vector<std::pair<qint64, qint64>>> m_history;     // by conversation
    QList<std::pair<int, std::vector<qint64>>> m_holders;
};

} // namespace confab::chaos

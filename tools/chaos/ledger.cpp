#include "ledger.h"

#include <QHash>

#include <algorithm>

namespace confab::chaos {

QList<Fault> parseFaults(const QByteArray &tsv)
{
    QList<Fault> out;
    for (const QByteArray &line : tsv.split('\n')) {
        const QList<QByteArray> f = line.trimmed().split('\t');
        if (f.size() != 3)
            continue;
        out.append(Fault{QString::fromUtf8(f[0]), f[1].toLongLong(), f[2].toLongLong()});
    }
    return out;
}

QByteArray Ledger::clientMsgId(qint64 id)
{
    return 'm' + QByteArray::number(id);
}

qint64 Ledger::idFromClientMsgId(QByteArrayView cmid)
{
    if (cmid.size() < 2 || cmid.size() > 19 || cmid.front() != 'm')
        return -1;
    qint64 id = 0;
    for (const char ch : cmid.sliced(1)) {
        if (ch < '0' || ch > '9')
            return -1;
        id = id * 10 + (ch - '0');
    }
    return id;
}

qint64 Ledger::create(int convo, qint64 nowMs)
{
    Msg m;
    m.createdMs = nowMs;
    m.convo = convo;
    m_msgs.push_back(m);
    return qint64(m_msgs.size()) - 1;
}

void Ledger::acked(qint64 id, qint64 seq, qint64 nowMs)
{
    Msg &m = m_msgs[std::size_t(id)];
    if (m.ackedMs >= 0)
        return;
    m.ackedMs = nowMs;
    m.seq = seq;
}

void Ledger::setHistory(int convo, std::vector<std::pair<qint64, qint64>> entries)
{
    while (m_history.size() <= convo)
        m_history.append(std::vector<std::pair<qint64, qint64>>());
    m_history[convo] = std::move(entries);
}

void Ledger::addHolder(int convo, std::vector<qint64> ids)
{
    m_holders.append({convo, std::move(ids)});
}

namespace {

double p99(std::vector<qint64> &v)
{
    if (v.empty())
        return 0;
    const std::size_t k = std::min(v.size() - 1, std::size_t(0.99 * double(v.size())));
    std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(k), v.end());
    return double(v[k]);
}

} // namespace

Report Ledger::check(const QList<Fault> &faults, qint64 settleMs) const
{
    Report r;
    const auto rowOf = [&faults, settleMs](qint64 t) {
        for (int i = 0; i < faults.size(); ++i)
            if (t >= faults[i].startMs && t < faults[i].endMs + settleMs)
                return i;
        return int(faults.size());
    };
    for (const Fault &f : faults)
        r.rows.append(Row{f.name, f.endMs - f.startMs});
    r.rows.append(Row{QStringLiteral("no fault")});
    r.rows.append(Row{QStringLiteral("all")});
    Row &all = r.rows.last();

    // Per message: how often its client_msg_id is in its conversation's history, and where first.
    std::vector<int> copies(m_msgs.size(), 0);
    std::vector<qint64> seqInHistory(m_msgs.size(), 0);
    QList<std::vector<qint64>> bySeq;   // per conversation: the id at seq_no k + 1
    for (int c = 0; c < m_history.size(); ++c) {
        std::vector<qint64> ids;
        qint64 prev = 0;
        for (const auto &[seq, id] : m_history[c]) {
            if (seq <= prev) {
                ++r.disorder;
                continue;
            }
            r.gaps += quint64(seq - prev - 1);
            ids.resize(std::size_t(seq), -1);
            ids[std::size_t(seq - 1)] = id;
            prev = seq;
            if (id < 0 || id >= size() || m_msgs[std::size_t(id)].convo != c) {
                ++r.unknown;
                continue;
            }
            if (copies[std::size_t(id)]++ == 0)
                seqInHistory[std::size_t(id)] = seq;
        }
        bySeq.append(std::move(ids));
    }

    std::vector<std::vector<qint64>> latencies(std::size_t(r.rows.size()));
    for (std::size_t id = 0; id < m_msgs.size(); ++id) {
        const Msg &m = m_msgs[id];
        const int i = rowOf(m.createdMs);
        Row &row = r.rows[i];
        const quint64 resends = quint64(std::max(0, m.sends - 1));
        row.resent += resends;
        all.resent += resends;
        if (copies[id] > 1) {
            row.duplicates += quint64(copies[id] - 1);
            all.duplicates += quint64(copies[id] - 1);
        }
        if (m.ackedMs < 0) {
            if (m.refused)
                ++r.refused;
            else
                ++r.unacked;
            continue;
        }
        ++row.acked;
        ++all.acked;
        if (copies[id] == 0 || seqInHistory[id] != m.seq) {
            ++row.lost;
            ++all.lost;
        }
        latencies[std::size_t(i)].push_back(m.ackedMs - m.createdMs);
        latencies.back().push_back(m.ackedMs - m.createdMs);
    }
    for (int i = 0; i < r.rows.size(); ++i)
        r.rows[i].p99Ms = p99(latencies[std::size_t(i)]);
    for (qint64 t : m_reconnects) {
        ++r.rows[rowOf(t)].reconnects;
        ++all.reconnects;
    }

    for (const auto &[convo, ids] : m_holders) {
        ++r.holders;
        static const std::vector<qint64> kNone;
        if (ids != (convo < bySeq.size() ? bySeq[convo] : kNone))
            ++r.holderMismatches;
    }
    return r;
}

QByteArray Ledger::timeline(const QList<Fault> &faults) const
{
    QByteArray out("t_s created acked p99_ms max_ms fault\n");
    if (m_msgs.empty())
        return out;
    const qint64 t0 = m_msgs.front().createdMs;
    std::size_t i = 0;
    while (i < m_msgs.size()) {
        const qint64 second = (m_msgs[i].createdMs - t0) / 1000;
        std::vector<qint64> lat;
        quint64 created = 0;
        for (; i < m_msgs.size() && (m_msgs[i].createdMs - t0) / 1000 == second; ++i) {
            ++created;
            if (m_msgs[i].ackedMs >= 0)
                lat.push_back(m_msgs[i].ackedMs - m_msgs[i].createdMs);
        }
        QByteArray fault("-");
        for (const Fault &f : faults)
            if (f.startMs < t0 + (second + 1) * 1000 && f.endMs >= t0 + second * 1000)
                fault = f.name.toUtf8();
        const qint64 max = lat.empty() ? 0 : *std::max_element(lat.begin(), lat.end());
        const std::size_t acked = lat.size();
        out += QByteArray::number(second) + ' ' + QByteArray::number(created) + ' ' + QByteArray::number(acked) + ' '
            + QByteArray::number(p99(lat), 'f', 0) + ' ' + QByteArray::number(max) + ' ' + fault + '\n';
    }
    return out;
}

bool Report::ok() const
{
    const Row &all = rows.last();
    return all.lost == 0 && all.duplicates == 0 && gaps == 0 && disorder == 0 && unknown == 0 && unacked == 0
        && refused == 0 && holderMismatches == 0;
}

QString Report::table() const
{
    QString out = QStringLiteral("| fault | duration s | acked | lost | duplicates | p99 ack ms | resent | reconnects |\n"
                                 "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (const Row &row : rows) {
        out += QStringLiteral("| %1 | %2 | %3 | %4 | %5 | %6 | %7 | %8 |\n")
                   .arg(row.name,
                        row.durationMs < 0 ? QString() : QString::number(double(row.durationMs) / 1000.0, 'f', 1))
                   .arg(row.acked)
                   .arg(row.lost)
                   .arg(row.duplicates)
                   .arg(row.p99Ms, 0, 'f', 0)
                   .arg(row.resent)
                   .arg(row.reconnects);
    }
    out += QStringLiteral("history: %1 seq_no gaps, %2 out of order, %3 unknown entries\n"
                          "sends: %4 never acknowledged, %5 refused\n"
                          "clients: %6 synced sequences compared with history, %7 differ\n"
                          "verdict: %8\n")
               .arg(gaps)
               .arg(disorder)
               .arg(unknown)
               .arg(unacked)
               .arg(refused)
               .arg(holders)
               .arg(holderMismatches)
               .arg(ok() ? QStringLiteral("OK") : QStringLiteral("FAILED"));
    return out;
}

} // namespace confab::chaos

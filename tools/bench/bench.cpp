#include "bench.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QUrlQuery>
#include <QWebSocket>

#include <algorithm>
#include <cstdio>

namespace confab::bench {

qint64 Samples::percentile(double p)
{
    if (m_values.empty())
        return 0;
    if (!m_sorted) {
        std::sort(m_values.begin(), m_values.end());
        m_sorted = true;
    }
    const auto idx = std::min(m_values.size() - 1, std::size_t(p / 100.0 * double(m_values.size())));
    return m_values[idx];
}

qint64 Samples::max()
{
    return m_values.empty() ? 0 : *std::max_element(m_values.begin(), m_values.end());
}

Bench::Bench(Options options, QObject *parent) : QObject(parent), m_opt(std::move(options))
{
    m_body = QByteArray(std::max(1, m_opt.bodyBytes), 'x');
    m_pump.setInterval(1);
    connect(&m_pump, &QTimer::timeout, this, &Bench::pump);
}

void Bench::fail(const QString &why)
{
    std::fprintf(stderr, "confab-bench: %s\n", qPrintable(why));
    Q_EMIT finished(1);
}

void Bench::start()
{
    m_clock.start();
    createApp();
}

void Bench::createApp()
{
    m_rest.createUnlimitedApp(m_opt.adminUrl, m_opt.adminToken.toUtf8(), QStringLiteral("bench"),
                              [this](QByteArray apiKey) {
                                  m_apiKey = std::move(apiKey);
                                  createConversations();
                              },
                              [this](const QString &why) { fail(why); });
}

void Bench::createConversations()
{
    const int n = m_opt.connections;
    const int m = std::max(1, std::min(m_opt.conversations, n));
    m_clients.resize(n);
    for (int i = 0; i < n; ++i)
        m_clients[i].userId = QStringLiteral("u%1").arg(i);
    m_pending = m;
    QUrl url = m_opt.apiUrl;
    url.setPath(QStringLiteral("/v1/conversations"));
    for (int c = 0; c < m; ++c) {
        QJsonArray members;
        for (int i = c; i < n; i += m)
            members.append(m_clients[i].userId);
        const QJsonObject body{{QStringLiteral("kind"), QStringLiteral("group")}, {QStringLiteral("members"), members}};
        m_rest.request("POST", url, m_apiKey, QJsonDocument(body).toJson(QJsonDocument::Compact), [this, c, m, n](int status, QByteArray body) {
            if (status != 201)
                return fail(QStringLiteral("creating a conversation: HTTP %1 %2").arg(status).arg(QString::fromUtf8(body)));
            const QString id = QJsonDocument::fromJson(body).object().value(QLatin1String("id")).toString();
            for (int i = c; i < n; i += m)
                m_clients[i].convoId = id;
            m_convoIds.append(id);
            if (--m_pending == 0)
                mintTokens();
        });
    }
}

void Bench::mintTokens()
{
    // A bounded number in flight: QNetworkAccessManager queues the rest, and a request that
    // waits in its queue longer than the transfer timeout fails.
    m_nextMint = 0;
    for (int k = 0; k < kSetupConcurrency; ++k)
        mintNext();
}

void Bench::mintNext()
{
    if (m_nextMint >= m_clients.size())
        return;
    const int i = m_nextMint++;
    QUrl url = m_opt.apiUrl;
    url.setPath(QStringLiteral("/v1/auth/token"));
    const QJsonObject body{{QStringLiteral("user_id"), m_clients[i].userId}, {QStringLiteral("ttl_s"), 86400}};
    m_rest.request("POST", url, m_apiKey, QJsonDocument(body).toJson(QJsonDocument::Compact), [this, i](int status, QByteArray body) {
        if (status != 200)
            return fail(QStringLiteral("minting a token: HTTP %1").arg(status));
        mintNext();
        const QString token = QJsonDocument::fromJson(body).object().value(QLatin1String("access_token")).toString();
        QUrl ws = m_opt.apiUrl;
        ws.setScheme(ws.scheme() == QLatin1String("https") ? QStringLiteral("wss") : QStringLiteral("ws"));
        ws.setPath(QStringLiteral("/v1/ws"));
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("access_token"), token);
        ws.setQuery(q);
        auto *socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
        m_clients[i].socket = socket;
        connect(socket, &QWebSocket::textMessageReceived, this, [this, i](const QString &t) { onText(i, t); });
        connect(socket, &QWebSocket::disconnected, this, [this, i] {
            if (!m_measuring && m_ready < m_clients.size())
                fail(QStringLiteral("connection %1 closed before it was ready (%2)").arg(i).arg(m_clients[i].socket->closeReason()));
        });
        socket->open(ws);
    });
}

void Bench::onText(int i, const QString &text)
{
    Client &c = m_clients[i];
    const qint64 now = m_clock.nsecsElapsed() / 1000;
    const QByteArray utf8 = text.toUtf8();
    if (utf8.startsWith(R"({"type":"message.create")")) {
        if (!m_measuring)
            return;
        // Cheap field extraction: the bench must not be the bottleneck it measures.
        const QByteArray key = R"("client_msg_id":")";
        const qsizetype at = utf8.indexOf(key);
        if (at < 0)
            return;
        const qsizetype start = at + key.size();
        const QString cmid = QString::fromUtf8(utf8.mid(start, utf8.indexOf('"', start) - start));
        const auto it = m_sendTimes.constFind(cmid);
        if (it != m_sendTimes.cend() && now <= m_measureEndUs && *it >= m_measureStartUs) {
            ++m_deliveries;
            m_deliveryLatency.add(now - *it);
        }
        return;
    }
    const QJsonObject o = QJsonDocument::fromJson(utf8).object();
    const QString type = o.value(QLatin1String("type")).toString();
    if (type == QLatin1String("connection.ack")) {
        c.ready = true;
        if (++m_ready == m_clients.size())
            beginMeasuring();
    } else if (type == QLatin1String("message.ack") || type == QLatin1String("error")) {
        const QByteArray req = o.value(QLatin1String("req")).toString().toUtf8();
        const qint64 sent = c.sentAt.take(req);
        --c.inflight;
        if (type == QLatin1String("error")) {
            ++m_errors;
        } else {
            qint64 &last = m_lastSeq[c.convoId];
            last = std::max<qint64>(last, o.value(QLatin1String("seq_no")).toInteger());
            if (m_measuring && sent >= m_measureStartUs && now <= m_measureEndUs) {
                ++m_acks;
                m_ackLatency.add(now - sent);
            }
        }
        if (m_measuring && m_opt.rate <= 0 && now < m_measureEndUs)
            sendOne(i);
    }
}

void Bench::beginMeasuring()
{
    std::fprintf(stdout, "%d connections ready in %.1f s\n", int(m_clients.size()), double(m_clock.elapsed()) / 1000.0);
    std::fflush(stdout);
    m_measuring = true;
    const qint64 now = m_clock.nsecsElapsed() / 1000;
    m_measureStartUs = now + qint64(m_opt.warmupS) * 1000000;
    m_measureEndUs = m_measureStartUs + qint64(m_opt.durationS) * 1000000;
    if (m_opt.idleOnly) {
        std::fprintf(stdout, "holding %d idle connections for %d s\n", int(m_clients.size()), m_opt.durationS);
        std::fflush(stdout);
        QTimer::singleShot(m_opt.durationS * 1000, this, [this] { Q_EMIT finished(0); });
        return;
    }
    for (int i = 0; i < m_clients.size(); ++i)
        m_clients[i].sender = i < m_opt.senders;
    if (m_opt.rate > 0) {
        m_lastPumpUs = now;
        m_pump.start();
    } else {
        for (int i = 0; i < m_opt.senders && i < m_clients.size(); ++i)
            for (int k = 0; k < m_opt.inflight; ++k)
                sendOne(i);
    }
    // Let in-flight messages land for a second after the window closes.
    QTimer::singleShot(int((m_measureEndUs - now) / 1000) + 1000, this, &Bench::report);
}

void Bench::pump()
{
    const qint64 now = m_clock.nsecsElapsed() / 1000;
    if (now >= m_measureEndUs) {
        m_pump.stop();
        return;
    }
    m_credit += m_opt.rate * double(now - m_lastPumpUs) / 1e6;
    m_lastPumpUs = now;
    while (m_credit >= 1) {
        // Round-robin over senders with room in their window, continuing where the last
        // pump stopped so that every sender gets its share of the rate.
        bool sent = false;
        for (int tries = 0; tries < m_opt.senders && !sent; ++tries) {
            const int i = (m_nextSender++) % std::max(1, m_opt.senders);
            if (m_clients[i].inflight < m_opt.inflight) {
                sendOne(i);
                sent = true;
            }
        }
        if (!sent)
            break;
        m_credit -= 1;
    }
}

void Bench::sendOne(int i)
{
    Client &c = m_clients[i];
    const qint64 now = m_clock.nsecsElapsed() / 1000;
    const QByteArray id = QByteArray::number(i) + '-' + QByteArray::number(++c.nextId);
    c.sentAt.insert(id, now);
    m_sendTimes.insert(QString::fromLatin1(id), now);
    ++c.inflight;
    const QByteArray frame = R"({"type":"message.send","req":")" + id + R"(","convo_id":")" + c.convoId.toUtf8()
        + R"(","client_msg_id":")" + id + R"(","content":{"text":")" + nextBody() + R"("}})";
    c.socket->sendTextMessage(QString::fromUtf8(frame));
}

QByteArray Bench::nextBody()
{
    if (!m_opt.textBodies)
        return m_body;
    static const char *const kWords[] = {
        "the", "meeting", "is", "at", "noon", "see", "you", "there", "thanks", "for", "the", "update",
        "can", "we", "move", "it", "to", "tomorrow", "sounds", "good", "I", "will", "send", "files",
        "later", "today", "ok", "great", "where", "are", "the", "notes", "from", "last", "week",
        "please", "check", "invoice", "number", "order", "shipped", "call", "me", "when", "free",
        "lunch", "coffee", "yes", "no", "maybe", "done", "working", "on", "fix", "deploy", "review",
        "build", "green", "again", "who", "owns", "this", "ticket", "now"};
    QByteArray out;
    out.reserve(m_opt.bodyBytes + 12);
    while (out.size() < m_opt.bodyBytes) {
        m_bodyState ^= m_bodyState << 13;
        m_bodyState ^= m_bodyState >> 7;
        m_bodyState ^= m_bodyState << 17;
        if (!out.isEmpty())
            out += ' ';
        out += kWords[m_bodyState % std::size(kWords)];
        if (m_bodyState % 7 == 0)
            out += QByteArray::number(qulonglong(m_bodyState % 10000));
    }
    out.truncate(m_opt.bodyBytes);
    return out;
}

void Bench::report()
{
    const double seconds = double(m_opt.durationS);
    std::fprintf(stdout,
                 "connections %d, conversations %d, senders %d, inflight %d, rate %s, body %d B, %d s\n"
                 "acks/s %.0f  ack latency ms p50 %.2f p99 %.2f max %.2f\n"
                 "deliveries/s %.0f  delivery latency ms p50 %.2f p99 %.2f max %.2f\n"
                 "errors %llu\n",
                 int(m_clients.size()), int(m_convoIds.size()), m_opt.senders, m_opt.inflight,
                 m_opt.rate > 0 ? qPrintable(QString::number(m_opt.rate)) : "max", m_opt.bodyBytes, m_opt.durationS,
                 double(m_acks) / seconds, double(m_ackLatency.percentile(50)) / 1000.0,
                 double(m_ackLatency.percentile(99)) / 1000.0, double(m_ackLatency.max()) / 1000.0,
                 double(m_deliveries) / seconds, double(m_deliveryLatency.percentile(50)) / 1000.0,
                 double(m_deliveryLatency.percentile(99)) / 1000.0, double(m_deliveryLatency.max()) / 1000.0,
                 static_cast<unsigned long long>(m_errors));
    std::fflush(stdout);
    if (m_acks == 0)
        return Q_EMIT finished(1);
    if (m_opt.historyReads > 0)
        return flushThenReadHistory();
    Q_EMIT finished(0);
}

// History pages after a flush: with the server's default [segments] hot_window the pages come
// from the Redis tail; with hot_window = 0 everything flushed is read from segments.
void Bench::flushThenReadHistory()
{
    QUrl url = m_opt.adminUrl;
    url.setPath(QStringLiteral("/admin/flush"));
    const qint64 started = m_clock.nsecsElapsed() / 1000;
    m_rest.request("POST", url, m_opt.adminToken.toUtf8(), {}, [this, started](int status, QByteArray body) {
        const double ms = double(m_clock.nsecsElapsed() / 1000 - started) / 1000.0;
        std::fprintf(stdout, "POST /admin/flush: HTTP %d %s in %.1f ms\n", status, body.constData(), ms);
        std::fflush(stdout);
        readHistory();
    });
}

void Bench::readHistory()
{
    for (auto it = m_lastSeq.cbegin(); it != m_lastSeq.cend(); ++it)
        if (it.value() > 1)
            m_historyConvos.append(it.key());
    if (m_historyConvos.isEmpty())
        return fail(QStringLiteral("no conversation has messages to read"));
    for (int i = 0; i < std::max(1, m_opt.historyConcurrency); ++i)
        readOnePage();
}

void Bench::readOnePage()
{
    if (m_historyStarted >= m_opt.historyReads)
        return;
    const int n = m_historyStarted++;
    const QString convo = m_historyConvos[n % m_historyConvos.size()];
    // A spread of starting points over the whole conversation (Knuth's multiplicative hash).
    const qint64 last = m_lastSeq.value(convo);
    const qint64 before = 2 + qint64((quint64(n) * 2654435761ULL) % quint64(last));
    QUrl url = m_opt.apiUrl;
    url.setPath(QStringLiteral("/v1/conversations/%1/messages").arg(convo));
    url.setQuery(QStringLiteral("before_seq=%1&limit=%2").arg(before).arg(m_opt.historyLimit));
    const qint64 started = m_clock.nsecsElapsed() / 1000;
    m_rest.request("GET", url, m_apiKey, {}, [this, started](int status, QByteArray body) {
        m_historyLatency.add(m_clock.nsecsElapsed() / 1000 - started);
        if (status != 200)
            ++m_historyErrors;
        else
            m_historyMessages += quint64(body.count("\"seq_no\""));
        if (++m_historyDone == m_opt.historyReads)
            return reportHistory();
        readOnePage();
    });
}

void Bench::reportHistory()
{
    std::fprintf(stdout,
                 "history pages %d (limit %d, %d at a time): latency ms p50 %.2f p99 %.2f max %.2f, "
                 "%.1f messages per page, errors %llu\n",
                 m_historyDone, m_opt.historyLimit, m_opt.historyConcurrency,
                 double(m_historyLatency.percentile(50)) / 1000.0, double(m_historyLatency.percentile(99)) / 1000.0,
                 double(m_historyLatency.max()) / 1000.0, double(m_historyMessages) / std::max(1, m_historyDone),
                 static_cast<unsigned long long>(m_historyErrors));
    std::fflush(stdout);
    Q_EMIT finished(m_historyErrors == 0 ? 0 : 1);
}

} // namespace confab::bench

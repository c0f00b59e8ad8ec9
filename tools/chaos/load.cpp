#include "load.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QUrlQuery>
#include <QWebSocket>

#include <algorithm>
#include <cstdio>
#include <memory>

namespace confab::chaos {

namespace {
constexpr int kSetupConcurrency = 16;
constexpr int kSyncLimit = 200;

// A number field of a frame the server wrote (no spaces), without parsing the whole frame:
// message.create arrives thousands of times a second.
qint64 numberField(const QByteArray &utf8, QByteArrayView key)
{
    const qsizetype at = utf8.indexOf(key);
    if (at < 0)
        return -1;
    qsizetype p = at + key.size();
    qint64 v = 0;
    while (p < utf8.size() && utf8[p] >= '0' && utf8[p] <= '9')
        v = v * 10 + (utf8[p++] - '0');
    return v;
}

QByteArrayView stringField(const QByteArray &utf8, QByteArrayView key)
{
    const qsizetype at = utf8.indexOf(key);
    if (at < 0)
        return {};
    const qsizetype start = at + key.size();
    const qsizetype end = utf8.indexOf('"', start);
    return end < 0 ? QByteArrayView() : QByteArrayView(utf8).sliced(start, end - start);
}
} // namespace

Load::Load(Options options, QObject *parent) : QObject(parent), m_opt(std::move(options))
{
    m_body = QByteArray(std::max(1, m_opt.bodyBytes), 'x');
    m_tick.setInterval(5);
    connect(&m_tick, &QTimer::timeout, this, &Load::tick);
    m_watch.setInterval(250);
    connect(&m_watch, &QTimer::timeout, this, &Load::watch);
}

qint64 Load::nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QUrl Load::api(int node, const QString &path) const
{
    QUrl url = m_opt.apiUrls[node % m_opt.apiUrls.size()];
    url.setPath(path);
    return url;
}

void Load::fail(const QString &why)
{
    std::fprintf(stderr, "confab-chaos: %s\n", qPrintable(why));
    Q_EMIT finished(2);
}

void Load::start()
{
    m_clock.start();
    createApp();
}

void Load::createApp()
{
    m_rest.createUnlimitedApp(m_opt.adminUrl, m_opt.adminToken.toUtf8(), QStringLiteral("chaos"),
                              [this](QByteArray apiKey) {
                                  m_apiKey = std::move(apiKey);
                                  createConversations();
                              },
                              [this](const QString &why) { fail(why); });
}

void Load::createConversations()
{
    const int perConvo = m_opt.sendersPerConversation + m_opt.readersPerConversation;
    for (int c = 0; c < m_opt.conversations; ++c) {
        for (int k = 0; k < perConvo; ++k) {
            Client cl;
            cl.convo = c;
            cl.sender = k < m_opt.sendersPerConversation;
            cl.userId = QStringLiteral("c%1%2%3").arg(c).arg(cl.sender ? QLatin1Char('s') : QLatin1Char('r')).arg(k);
            cl.node = int(m_clients.size()) % int(m_opt.apiUrls.size());
            if (cl.sender)
                m_senders.append(int(m_clients.size()));
            m_clients.append(cl);
        }
    }
    m_convoIds.resize(m_opt.conversations);
    m_pending = m_opt.conversations;
    for (int c = 0; c < m_opt.conversations; ++c) {
        QJsonArray members;
        for (const Client &cl : std::as_const(m_clients))
            if (cl.convo == c)
                members.append(cl.userId);
        const QJsonObject body{{QStringLiteral("kind"), QStringLiteral("group")}, {QStringLiteral("members"), members}};
        m_rest.request("POST", api(0, QStringLiteral("/v1/conversations")), m_apiKey, QJsonDocument(body).toJson(QJsonDocument::Compact),
                [this, c](int status, QByteArray body) {
                    if (status != 201)
                        return fail(QStringLiteral("creating a conversation: HTTP %1 %2").arg(status).arg(QString::fromUtf8(body)));
                    m_convoIds[c] = QJsonDocument::fromJson(body).object().value(QLatin1String("id")).toString();
                    if (--m_pending == 0)
                        for (int k = 0; k < kSetupConcurrency; ++k)
                            mintNext();
                });
    }
}

void Load::mintNext()
{
    if (m_nextMint >= m_clients.size())
        return;
    const int i = m_nextMint++;
    const QJsonObject body{{QStringLiteral("user_id"), m_clients[i].userId}, {QStringLiteral("ttl_s"), 86400}};
    m_rest.request("POST", api(0, QStringLiteral("/v1/auth/token")), m_apiKey, QJsonDocument(body).toJson(QJsonDocument::Compact),
            [this, i](int status, QByteArray body) {
                if (status != 200)
                    return fail(QStringLiteral("minting a token: HTTP %1").arg(status));
                m_clients[i].token = QJsonDocument::fromJson(body).object().value(QLatin1String("access_token")).toString().toUtf8();
                connectClient(i);
                mintNext();
            });
}

void Load::connectClient(int i)
{
    Client &c = m_clients[i];
    QUrl ws = api(c.node, QStringLiteral("/v1/ws"));
    ws.setScheme(ws.scheme() == QLatin1String("https") ? QStringLiteral("wss") : QStringLiteral("ws"));
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("access_token"), QString::fromUtf8(c.token));
    ws.setQuery(q);
    auto *socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    c.socket = socket;
    connect(socket, &QWebSocket::textMessageReceived, this, [this, i, socket](const QString &t) {
        if (m_clients[i].socket == socket)
            onText(i, t);
    });
    connect(socket, &QWebSocket::disconnected, this, [this, i, socket] {
        socket->deleteLater();
        if (m_clients[i].socket == socket)
            onDisconnected(i);
    });
    socket->open(ws);
}

void Load::onDisconnected(int i)
{
    Client &c = m_clients[i];
    c.socket = nullptr;
    c.ready = false;
    c.syncing = false;
    c.pumpScheduled = false;   // its timer died with the socket
    requeueInflight(c);
    if (m_sending)
        m_ledger.reconnected(nowMs());
    // What a client behind a load balancer sees: the next attempt may land on another node.
    c.node = (c.node + 1) % int(m_opt.apiUrls.size());
    const qint64 delay = c.reconnectDelayMs;
    c.reconnectDelayMs = std::min<qint64>(2000, c.reconnectDelayMs * 2);
    QTimer::singleShot(int(delay), this, [this, i] {
        if (!m_clients[i].socket)
            connectClient(i);
    });
}

void Load::requeueInflight(Client &c)
{
    for (const auto &[id, sentMs] : c.inflight)
        c.outbox.push_back(id);
    c.inflight.clear();
    std::sort(c.outbox.begin(), c.outbox.end());
}

void Load::onText(int i, const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    if (utf8.startsWith(R"({"type":"message.create")"))
        return onMessageCreate(i, utf8);
    Client &c = m_clients[i];
    const QJsonObject o = QJsonDocument::fromJson(utf8).object();
    const QString type = o.value(QLatin1String("type")).toString();
    const QString req = o.value(QLatin1String("req")).toString();
    if (type == QLatin1String("connection.ack")) {
        c.ready = true;
        c.reconnectDelayMs = 250;
        if (!c.everReady) {
            c.everReady = true;
            if (++m_ready == m_clients.size())
                beginSending();
        }
        syncFrom(i);   // catch up on what was missed while away
        pumpClient(i);
    } else if (type == QLatin1String("message.ack")) {
        const qint64 id = Ledger::idFromClientMsgId(req.toUtf8());
        auto it = std::find_if(c.inflight.begin(), c.inflight.end(), [id](const auto &p) { return p.first == id; });
        if (it == c.inflight.end())
            return;
        c.inflight.erase(it);
        c.retryDelayMs = 0;
        if (o.value(QLatin1String("duplicate")).toBool())
            ++m_duplicateAcks;   // stored before, its ack lost: the resend found it
        m_ledger.acked(id, o.value(QLatin1String("seq_no")).toInteger(), nowMs());
        pumpClient(i);
    } else if (type == QLatin1String("sync.result")) {
        onSyncResult(i, o);
    } else if (type == QLatin1String("sync.required")) {
        if (!c.syncing)
            syncFrom(i);
    } else if (type == QLatin1String("error")) {
        onError(i, o);
    }
}

void Load::onError(int i, const QJsonObject &o)
{
    Client &c = m_clients[i];
    const QString req = o.value(QLatin1String("req")).toString();
    const QString code = o.value(QLatin1String("code")).toString();
    if (req.startsWith(QLatin1Char('s'))) {   // a sync: ask again
        QTimer::singleShot(500, c.socket, [this, i] { syncFrom(i); });
        return;
    }
    const qint64 id = Ledger::idFromClientMsgId(req.toUtf8());
    auto it = std::find_if(c.inflight.begin(), c.inflight.end(), [id](const auto &p) { return p.first == id; });
    if (it == c.inflight.end()) {
        std::fprintf(stderr, "confab-chaos: %s: error %s: %s\n", qPrintable(c.userId), qPrintable(code),
                     qPrintable(o.value(QLatin1String("message")).toString()));
        return;
    }
    c.inflight.erase(it);
    ++m_errors[code];
    if (code == QLatin1String("unavailable") || code == QLatin1String("rate_limited")) {
        // The outcome is unknown (unavailable) or nothing was stored (rate_limited): resend the
        // same client_msg_id later, as PROTOCOL.md section 5 asks of a client, backing off while
        // the dependency stays down so that the retries do not become a storm.
        c.outbox.push_front(id);
        std::sort(c.outbox.begin(), c.outbox.end());
        c.retryDelayMs = std::clamp<qint64>(c.retryDelayMs * 2, 200, 2000);
        const qint64 after = std::max(c.retryDelayMs, o.value(QLatin1String("retry_after_ms")).toInteger());
        c.pausedUntilMs = std::max(c.pausedUntilMs, nowMs() + after);
        return pumpClient(i);
    }
    m_ledger.refused(id);
    std::fprintf(stderr, "confab-chaos: send %s refused: %s %s\n", qPrintable(req), qPrintable(code),
                 qPrintable(o.value(QLatin1String("message")).toString()));
}

void Load::onMessageCreate(int i, const QByteArray &utf8)
{
    Client &c = m_clients[i];
    if (c.syncing)
        return;   // the sync in flight brings it, or a later gap starts another
    const qint64 seq = numberField(utf8, R"("seq_no":)");
    const qint64 held = qint64(c.held.size());
    if (seq == held + 1)
        c.held.push_back(Ledger::idFromClientMsgId(stringField(utf8, R"("client_msg_id":")")));
    else if (seq > held + 1)
        syncFrom(i);
}

void Load::syncFrom(int i)
{
    Client &c = m_clients[i];
    if (!c.ready)
        return;
    c.syncing = true;
    c.syncForFinal = m_finalSync;
    const QJsonObject frame{{QStringLiteral("type"), QStringLiteral("sync")},
                            {QStringLiteral("req"), QStringLiteral("s%1").arg(++c.syncs)},
                            {QStringLiteral("convo_id"), m_convoIds[c.convo]},
                            {QStringLiteral("after_seq"), qint64(c.held.size())},
                            {QStringLiteral("limit"), kSyncLimit}};
    c.socket->sendTextMessage(QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)));
}

void Load::onSyncResult(int i, const QJsonObject &o)
{
    Client &c = m_clients[i];
    const QJsonArray messages = o.value(QLatin1String("messages")).toArray();
    for (const QJsonValue &v : messages) {
        const QJsonObject m = v.toObject();
        const qint64 seq = m.value(QLatin1String("seq_no")).toInteger();
        if (seq <= qint64(c.held.size()))
            continue;
        c.held.resize(std::size_t(seq - 1), -1);   // a hole, should sync ever skip: the check reports it
        c.held.push_back(Ledger::idFromClientMsgId(m.value(QLatin1String("client_msg_id")).toString().toUtf8()));
    }
    if (o.value(QLatin1String("has_more")).toBool())
        return syncFrom(i);
    c.syncing = false;
    if (!m_finalSync)
        return;
    if (!c.syncForFinal)
        return syncFrom(i);   // started before the last ack: it may not hold everything
    if (!c.finalSyncDone) {
        c.finalSyncDone = true;
        if (--m_syncsLeft == 0)
            readHistories();
    }
}

void Load::pumpClient(int i)
{
    Client &c = m_clients[i];
    if (!c.ready || !c.socket)
        return;
    const qint64 now = nowMs();
    if (now < c.pausedUntilMs) {
        if (!c.pumpScheduled) {
            c.pumpScheduled = true;
            QTimer::singleShot(int(c.pausedUntilMs - now), c.socket, [this, i] {
                m_clients[i].pumpScheduled = false;
                pumpClient(i);
            });
        }
        return;
    }
    while (int(c.inflight.size()) < m_opt.window && !c.outbox.empty()) {
        const qint64 id = c.outbox.front();
        c.outbox.pop_front();
        m_ledger.sent(id);
        c.inflight.emplace_back(id, now);
        const QByteArray cmid = Ledger::clientMsgId(id);
        const QByteArray frame = R"({"type":"message.send","req":")" + cmid + R"(","convo_id":")"
            + m_convoIds[c.convo].toUtf8() + R"(","client_msg_id":")" + cmid + R"(","content":{"text":")" + m_body
            + R"("}})";
        c.socket->sendTextMessage(QString::fromUtf8(frame));
    }
}

void Load::beginSending()
{
    m_sending = true;
    std::fprintf(stdout, "sending at %.0f msgs/s: %d clients (%d senders) in %d conversations over %d nodes\n",
                 m_opt.rate, int(m_clients.size()), int(m_senders.size()), m_opt.conversations,
                 int(m_opt.apiUrls.size()));
    std::fflush(stdout);
    m_startedMs = nowMs();
    m_lastTickUs = m_clock.nsecsElapsed() / 1000;
    m_tick.start();
    m_watch.start();
}

void Load::tick()
{
    const qint64 nowUs = m_clock.nsecsElapsed() / 1000;
    m_credit += m_opt.rate * double(nowUs - m_lastTickUs) / 1e6;
    m_lastTickUs = nowUs;
    const qint64 now = nowMs();
    while (m_credit >= 1) {
        // Users keep writing during an outage: a disconnected sender's outbox grows.
        const int i = m_senders[m_nextSender++ % m_senders.size()];
        m_clients[i].outbox.push_back(m_ledger.create(m_clients[i].convo, now));
        pumpClient(i);
        m_credit -= 1;
    }
}

void Load::watch()
{
    const qint64 now = nowMs();
    for (Client &c : m_clients) {
        // No answer for this long: drop the connection and resend elsewhere, as a client would.
        if (c.socket && !c.inflight.empty() && now - c.inflight.front().second > qint64(m_opt.ackTimeoutS) * 1000) {
            std::fprintf(stderr, "confab-chaos: %s: no ack for %d s, reconnecting\n", qPrintable(c.userId), m_opt.ackTimeoutS);
            c.socket->abort();
        }
    }
    if (now - m_lastProgressMs >= 10000) {
        m_lastProgressMs = now;
        qsizetype waiting = 0, connected = 0;
        for (const Client &c : std::as_const(m_clients)) {
            waiting += qsizetype(c.outbox.size() + c.inflight.size());
            connected += c.ready ? 1 : 0;
        }
        std::fprintf(stderr, "confab-chaos: %llds: %lld created, %lld waiting for an ack, %lld/%lld connected\n",
                     (now - m_startedMs) / 1000, static_cast<long long>(m_ledger.size()), static_cast<long long>(waiting),
                     static_cast<long long>(connected), static_cast<long long>(m_clients.size()));
    }
    if (!m_stopped) {
        if ((!m_opt.stopFile.isEmpty() && QFile::exists(m_opt.stopFile))
            || now - m_startedMs >= qint64(m_opt.maxDurationS) * 1000) {
            m_stopped = true;
            m_stoppedAtMs = now;
            m_tick.stop();
            std::fprintf(stdout, "stopped creating after %lld messages; draining\n", static_cast<long long>(m_ledger.size()));
            std::fflush(stdout);
        }
        return;
    }
    if (m_finalSync) {
        if (m_syncsLeft > 0 && now - m_finalSyncAtMs > 60000) {
            std::fprintf(stderr, "confab-chaos: %d clients did not finish their last sync\n", m_syncsLeft);
            m_syncsLeft = 0;
            readHistories();
        }
        return;
    }
    const bool drained = std::all_of(m_clients.cbegin(), m_clients.cend(),
                                     [](const Client &c) { return c.outbox.empty() && c.inflight.empty(); });
    if (drained || now - m_stoppedAtMs > qint64(m_opt.drainTimeoutS) * 1000) {
        if (!drained)
            std::fprintf(stderr, "confab-chaos: not every message was acknowledged within %d s\n", m_opt.drainTimeoutS);
        // Every client syncs once more, then holds what history should hold.
        m_finalSync = true;
        m_finalSyncAtMs = now;
        m_syncsLeft = int(m_clients.size());
        for (int i = 0; i < m_clients.size(); ++i)
            if (!m_clients[i].syncing)
                syncFrom(i);
    }
}

void Load::readHistories()
{
    m_watch.stop();
    m_historiesLeft = m_opt.conversations;
    for (int c = 0; c < m_opt.conversations; ++c)
        readHistory(c, 0, 0, std::make_shared<std::vector<std::pair<qint64, qint64>>>(), 0);
}

void Load::readHistory(int convo, qint64 afterSeq, int node, std::shared_ptr<std::vector<std::pair<qint64, qint64>>> got,
                       int failures)
{
    QUrl url = api(node, QStringLiteral("/v1/conversations/%1/messages").arg(m_convoIds[convo]));
    url.setQuery(QStringLiteral("after_seq=%1&limit=200").arg(afterSeq));
    m_rest.request("GET", url, m_apiKey, {}, [this, convo, afterSeq, node, got, failures](int status, QByteArray body) {
        if (status != 200) {
            if (failures >= 20)
                return fail(QStringLiteral("reading history: HTTP %1 %2").arg(status).arg(QString::fromUtf8(body)));
            QTimer::singleShot(500, this, [=, this] { readHistory(convo, afterSeq, node + 1, got, failures + 1); });
            return;
        }
        const QJsonObject page = QJsonDocument::fromJson(body).object();
        const QJsonArray messages = page.value(QLatin1String("messages")).toArray();
        qint64 last = afterSeq;
        for (const QJsonValue &v : messages) {
            const QJsonObject m = v.toObject();
            last = m.value(QLatin1String("seq_no")).toInteger();
            got->emplace_back(last, Ledger::idFromClientMsgId(m.value(QLatin1String("client_msg_id")).toString().toUtf8()));
        }
        if (!messages.isEmpty() && !page.value(QLatin1String("next_page_token")).isNull())
            return readHistory(convo, last, node, got, failures);
        m_ledger.setHistory(convo, std::move(*got));
        if (--m_historiesLeft == 0)
            report();
    });
}

void Load::report()
{
    for (const Client &c : std::as_const(m_clients))
        m_ledger.addHolder(c.convo, c.held);
    QList<Fault> faults;
    if (!m_opt.faultsFile.isEmpty()) {
        QFile f(m_opt.faultsFile);
        if (f.open(QIODevice::ReadOnly))
            faults = parseFaults(f.readAll());
    }
    const Report r = m_ledger.check(faults, m_opt.settleMs);
    if (!m_opt.timelineFile.isEmpty()) {
        QFile f(m_opt.timelineFile);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(m_ledger.timeline(faults)) < 0)
            std::fprintf(stderr, "confab-chaos: cannot write %s\n", qPrintable(m_opt.timelineFile));
    }
    QString errors;
    for (auto it = m_errors.cbegin(); it != m_errors.cend(); ++it)
        errors += QStringLiteral(" %1 %2").arg(it.key()).arg(it.value());
    std::fprintf(stdout, "error frames answering sends:%s; acks marked duplicate (a resend of a stored message): %llu\n",
                 errors.isEmpty() ? " none" : qPrintable(errors), static_cast<unsigned long long>(m_duplicateAcks));
    std::fprintf(stdout, "\n%lld messages created; each fault's row holds the messages created from its start to %d s after its end\n\n%s",
                 static_cast<long long>(m_ledger.size()), m_opt.settleMs / 1000, qPrintable(r.table()));
    std::fflush(stdout);
    Q_EMIT finished(r.ok() ? 0 : 1);
}

} // namespace confab::chaos

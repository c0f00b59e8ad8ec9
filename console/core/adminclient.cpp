#include "core/adminclient.h"

#include "core/logging.h"

#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkRequest>
#include <QPointer>
#include <QRandomGenerator>
#include <QSslConfiguration>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>

namespace confab::console
{

namespace
{

constexpr int kCloseUnauthorized = 4001;

// The URL without query or credentials, fit for logs and status lines.
QString safeUrl(const QUrl &url)
{
    return url.toDisplayString(QUrl::RemoveQuery | QUrl::RemoveUserInfo | QUrl::RemoveFragment);
}

} // namespace

Expected<QList<QSslCertificate>> readCaFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error::badRequest(
            AdminClient::tr("cannot read the CA file %1: %2").arg(path, f.errorString()));
    const QList<QSslCertificate> certs = QSslCertificate::fromData(f.readAll(), QSsl::Pem);
    if (certs.isEmpty())
        return Error::badRequest(AdminClient::tr("the CA file %1 holds no PEM certificate").arg(path));
    return certs;
}

ErrorCode errorCodeFromName(const QString &name)
{
    for (ErrorCode c : { ErrorCode::BadRequest, ErrorCode::Unauthorized, ErrorCode::Forbidden,
             ErrorCode::NotMember, ErrorCode::NotFound, ErrorCode::Conflict,
             ErrorCode::PayloadTooLarge, ErrorCode::RateLimited, ErrorCode::Unavailable,
             ErrorCode::Internal }) {
        if (QLatin1String(errorCodeName(c)) == name)
            return c;
    }
    return ErrorCode::Internal;
}

AdminReply::AdminReply(const QString &req, const QString &requestType, QObject *parent)
    : QObject(parent)
    , m_req(req)
    , m_requestType(requestType)
{
}

void AdminReply::finish(const QJsonObject &response)
{
    if (m_finished)
        return;
    if (response.value(QLatin1String("type")).toString() == QLatin1String("dead_letters")) {
        const QJsonArray items = response.value(QLatin1String("items")).toArray();
        for (const QJsonValue &v : items) {
            Expected<DeadLetter> item = parseDeadLetter(v.toObject());
            if (!item) {
                fail(item.error());
                return;
            }
            m_deadLetters.append(std::move(item).value());
        }
    } else if (response.value(QLatin1String("type")).toString() == QLatin1String("result")
               && response.value(QLatin1String("ok")) != QJsonValue(true)) {
        fail(Error::internal(QStringLiteral("%1 %2: the server answered without ok:true")
                                 .arg(m_requestType, m_req)));
        return;
    }
    m_finished = true;
    m_response = response;
    Q_EMIT finished();
    deleteLater();
}

void AdminReply::fail(const Error &error)
{
    if (m_finished)
        return;
    m_finished = true;
    m_failed = true;
    m_error = error;
    Q_EMIT finished();
    deleteLater();
}

class AdminClient::Private
{
public:
    QPointer<QWebSocket> socket;
    QUrl url;
    QString token;
    QString caFile; // extra CA certificates for wss:// (besides the system store)
    bool certificateRefused = false; // this attempt's sslErrors() said why; keep that reason
    State state = State::Disconnected;
    QString lastError;
    bool wanted = false; // the user asked to be connected
    int statsIntervalMs = 1000;
    int backoffInitialMs = 500;
    int backoffMaxMs = 30'000;
    int requestTimeoutMs = 120'000;
    int attempt = 0;
    int nextDelayMs = 0;
    quint64 nextReq = 1;
    QString operatorName = qEnvironmentVariable("USER", QStringLiteral("console"));
    quint64 generation = 0; // of the current socket; stale queued signals are dropped
    QTimer reconnectTimer;
    // Fires when a connected server has sent nothing for several stats intervals: a silent
    // half-open TCP connection otherwise looks "connected" forever.
    QTimer watchdog;
    QHash<QString, QPointer<AdminReply>> pending;
};

AdminClient::AdminClient(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    d->reconnectTimer.setSingleShot(true);
    connect(&d->reconnectTimer, &QTimer::timeout, this, &AdminClient::startConnecting);
    d->watchdog.setSingleShot(true);
    connect(&d->watchdog, &QTimer::timeout, this, [this] {
        qCWarning(lcConsoleClient) << "no frame from" << safeUrl(d->url) << "in"
                                   << d->watchdog.interval() << "ms, reconnecting";
        if (d->socket)
            d->socket->abort();
    });
}

AdminClient::~AdminClient()
{
    d->wanted = false;
    if (d->socket) {
        d->socket->disconnect(this);
        d->socket->abort();
    }
    // Replies are children and die with us; nobody waits on them any more.
}

void AdminClient::open(const QUrl &url, const QString &token, const QString &caFile)
{
    close();
    d->url = url;
    d->token = token;
    d->caFile = caFile;
    d->wanted = true;
    d->attempt = 0;
    d->lastError.clear();
    startConnecting();
}

void AdminClient::close()
{
    d->wanted = false;
    d->reconnectTimer.stop();
    d->watchdog.stop();
    ++d->generation;
    if (d->socket) {
        QWebSocket *s = d->socket;
        s->disconnect(this);
        s->abort();
        s->deleteLater();
        d->socket = nullptr;
    }
    failAllPending(Error::unavailable(QStringLiteral("the console disconnected")));
    setState(State::Disconnected);
}

void AdminClient::setStatsIntervalMs(int ms)
{
    d->statsIntervalMs = std::max(100, ms);
}

void AdminClient::setReconnectBackoff(int initialMs, int maxMs)
{
    d->backoffInitialMs = std::max(1, initialMs);
    d->backoffMaxMs = std::max(d->backoffInitialMs, maxMs);
}

void AdminClient::setRequestTimeoutMs(int ms)
{
    d->requestTimeoutMs = std::max(1, ms);
}

AdminClient::State AdminClient::state() const
{
    return d->state;
}

QUrl AdminClient::url() const
{
    return d->url;
}

QString AdminClient::token() const
{
    return d->token;
}

QString AdminClient::caFile() const
{
    return d->caFile;
}

QString AdminClient::lastError() const
{
    return d->lastError;
}

int AdminClient::reconnectAttempt() const
{
    return d->attempt;
}

int AdminClient::nextReconnectDelayMs() const
{
    return d->nextDelayMs;
}

int AdminClient::pendingRequests() const
{
    return int(d->pending.size());
}

AdminReply *AdminClient::listDeadLetters(int limit)
{
    return sendRequest(
        QStringLiteral("dead_letters.list"), QJsonObject { { QStringLiteral("limit"), limit } });
}

AdminReply *AdminClient::retryDeadLetter(const QString &id)
{
    return sendRequest(
        QStringLiteral("dead_letters.retry"), QJsonObject { { QStringLiteral("id"), id } });
}

AdminReply *AdminClient::discardDeadLetter(const QString &id)
{
    return sendRequest(
        QStringLiteral("dead_letters.discard"), QJsonObject { { QStringLiteral("id"), id } });
}

AdminReply *AdminClient::flushNow()
{
    return sendRequest(QStringLiteral("flush.now"), {});
}

AdminReply *AdminClient::runRetention()
{
    return sendRequest(QStringLiteral("retention.run"), {});
}

AdminReply *AdminClient::lookupUser(const QString &appId, const QString &userId)
{
    return sendRequest(QStringLiteral("user.lookup"),
        QJsonObject { { QStringLiteral("app_id"), appId }, { QStringLiteral("user_id"), userId } });
}

AdminReply *AdminClient::disconnectUser(
    const QString &appId, const QString &userId, int closeCode, const QString &reason)
{
    QJsonObject frame { { QStringLiteral("app_id"), appId }, { QStringLiteral("user_id"), userId },
        { QStringLiteral("close_code"), closeCode } };
    if (!reason.isEmpty())
        frame.insert(QStringLiteral("reason"), reason);
    return sendRequest(QStringLiteral("user.disconnect"), frame);
}

AdminReply *AdminClient::inspectConversation(const QString &appId, const QString &convoId)
{
    return sendRequest(QStringLiteral("conversation.inspect"),
        QJsonObject { { QStringLiteral("app_id"), appId }, { QStringLiteral("convo_id"), convoId } });
}

AdminReply *AdminClient::conversationMessages(
    const QString &appId, const QString &convoId, qint64 beforeSeq, int limit)
{
    QJsonObject frame { { QStringLiteral("app_id"), appId }, { QStringLiteral("convo_id"), convoId },
        { QStringLiteral("limit"), limit }, { QStringLiteral("operator"), d->operatorName } };
    if (beforeSeq > 0)
        frame.insert(QStringLiteral("before_seq"), double(beforeSeq));
    return sendRequest(QStringLiteral("conversation.messages"), frame);
}

AdminReply *AdminClient::sendNotice(const QString &appId, const QString &code, const QString &message)
{
    QJsonObject frame { { QStringLiteral("message"), message } };
    if (!appId.isEmpty())
        frame.insert(QStringLiteral("app_id"), appId);
    if (!code.isEmpty())
        frame.insert(QStringLiteral("code"), code);
    return sendRequest(QStringLiteral("notice.send"), frame);
}

void AdminClient::setOperatorName(const QString &name)
{
    d->operatorName = name;
}

QString AdminClient::operatorName() const
{
    return d->operatorName;
}

AdminReply *AdminClient::sendRequest(const QString &type, QJsonObject frame)
{
    const QString req = QStringLiteral("r%1").arg(d->nextReq++);
    auto *reply = new AdminReply(req, type, this);
    if (d->state != State::Connected || !d->socket) {
        // Finish on the next loop turn so callers can connect to finished() first.
        QTimer::singleShot(0, reply, [reply, type] {
            reply->fail(Error::unavailable(
                QStringLiteral("sending %1: not connected to the admin WebSocket").arg(type)));
        });
        return reply;
    }
    frame.insert(QStringLiteral("type"), type);
    frame.insert(QStringLiteral("req"), req);
    d->pending.insert(req, reply);
    auto *timeout = new QTimer(reply);
    timeout->setSingleShot(true);
    connect(timeout, &QTimer::timeout, reply, [this, reply, type, req] {
        d->pending.remove(req);
        reply->fail(Error::unavailable(QStringLiteral("%1 %2: no answer within %3 ms")
                                           .arg(type, req)
                                           .arg(d->requestTimeoutMs)));
    });
    timeout->start(d->requestTimeoutMs);
    d->socket->sendTextMessage(
        QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)));
    qCInfo(lcConsoleClient) << "sent" << type << req;
    return reply;
}

void AdminClient::startConnecting()
{
    if (!d->wanted)
        return;
    if (d->socket) {
        d->socket->disconnect(this);
        d->socket->abort();
        d->socket->deleteLater();
        d->socket = nullptr;
    }
    QList<QSslCertificate> extraCas;
    if (d->url.scheme() == QLatin1String("wss") && !d->caFile.isEmpty()) {
        // Read at every attempt: a CA file fixed while the console waits is picked up.
        auto certs = readCaFile(d->caFile);
        if (!certs) {
            d->lastError = certs.error().message;
            qCWarning(lcConsoleClient) << "connecting to" << safeUrl(d->url) << "failed:" << d->lastError;
            scheduleReconnect(d->lastError);
            return;
        }
        extraCas = std::move(*certs);
    }
    auto *s = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    d->socket = s;
    connect(s, &QWebSocket::connected, this, &AdminClient::onConnected);
    const quint64 generation = ++d->generation;
    // Queued: for a failed connect QWebSocket emits disconnected() before error(), and the
    // error text is the reason we want to show.
    connect(
        s, &QWebSocket::disconnected, this,
        [this, generation] {
            if (generation == d->generation)
                onDisconnected();
        },
        Qt::QueuedConnection);
    connect(s, &QWebSocket::textMessageReceived, this, &AdminClient::onTextMessage);
    connect(s, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
        [this, s](QAbstractSocket::SocketError) {
            if (s == d->socket && !d->certificateRefused)
                d->lastError = s->errorString();
        });
    d->certificateRefused = false;
    connect(s, &QWebSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        d->certificateRefused = true;
        QStringList texts;
        for (const QSslError &e : errors)
            texts.append(e.errorString());
        d->lastError = tr("TLS certificate not accepted: %1").arg(texts.join(QStringLiteral("; ")));
    });

    if (!extraCas.isEmpty()) {
        QSslConfiguration tls = s->sslConfiguration(); // the system store stays trusted too
        tls.addCaCertificates(extraCas);
        s->setSslConfiguration(tls);
    }

    QNetworkRequest request(d->url);
    request.setRawHeader("Authorization", "Bearer " + d->token.toUtf8());
    setState(State::Connecting);
    qCInfo(lcConsoleClient) << "connecting to" << safeUrl(d->url) << "attempt" << d->attempt + 1;
    s->open(request);
}

void AdminClient::onConnected()
{
    d->attempt = 0;
    d->nextDelayMs = 0;
    d->lastError.clear();
    const QJsonObject subscribe { { QStringLiteral("type"), QStringLiteral("stats.subscribe") },
        { QStringLiteral("interval_ms"), d->statsIntervalMs } };
    d->socket->sendTextMessage(
        QString::fromUtf8(QJsonDocument(subscribe).toJson(QJsonDocument::Compact)));
    d->watchdog.start(std::max(10'000, d->statsIntervalMs * 5));
    qCInfo(lcConsoleClient) << "connected to" << safeUrl(d->url);
    setState(State::Connected);
}

void AdminClient::onDisconnected()
{
    d->watchdog.stop();
    QWebSocket *s = d->socket;
    QString reason = d->lastError;
    bool unauthorized = false;
    if (s) {
        if (s->closeCode() == kCloseUnauthorized) {
            unauthorized = true;
            reason = tr("The server refused the admin token (close code 4001)");
        } else if (reason.isEmpty()) {
            reason = s->closeReason().isEmpty()
                ? tr("The server closed the connection (code %1)").arg(int(s->closeCode()))
                : tr("The server closed the connection: %1").arg(s->closeReason());
        }
        s->disconnect(this);
        s->deleteLater();
        d->socket = nullptr;
    }
    failAllPending(Error::unavailable(QStringLiteral("connection lost before the answer")));
    d->lastError = reason;
    qCInfo(lcConsoleClient) << "disconnected from" << safeUrl(d->url) << ":" << reason;
    // A refused token does not become valid by retrying; the user has to fix the profile.
    if (unauthorized || !d->wanted) {
        d->wanted = false;
        setState(State::Disconnected);
        return;
    }
    scheduleReconnect(reason);
}

void AdminClient::scheduleReconnect(const QString &reason)
{
    Q_UNUSED(reason);
    // Exponential backoff with +-20 % jitter so a fleet of consoles does not reconnect in step.
    const int exponent = std::min(d->attempt, 16);
    const qint64 base = std::min<qint64>(qint64(d->backoffInitialMs) << exponent, d->backoffMaxMs);
    const double jitter = 0.8 + 0.4 * QRandomGenerator::global()->generateDouble();
    d->nextDelayMs = int(std::min<qint64>(qint64(double(base) * jitter), d->backoffMaxMs));
    ++d->attempt;
    setState(State::WaitingToReconnect);
    d->reconnectTimer.start(d->nextDelayMs);
}

void AdminClient::onTextMessage(const QString &text)
{
    if (d->state == State::Connected)
        d->watchdog.start();
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &parseError);
    if (!doc.isObject()) {
        const QString m = QStringLiteral("ignoring a frame that is not a JSON object: %1")
                              .arg(parseError.errorString());
        qCWarning(lcConsoleClient) << m;
        Q_EMIT protocolWarning(m);
        return;
    }
    const QJsonObject frame = doc.object();
    const QString type = frame.value(QLatin1String("type")).toString();
    if (type == QLatin1String("stats")) {
        Expected<Stats> stats = parseStats(frame);
        if (!stats) {
            qCWarning(lcConsoleClient) << "ignoring stats frame:" << stats.error().message;
            Q_EMIT protocolWarning(stats.error().message);
            return;
        }
        Q_EMIT statsReceived(stats.value());
        return;
    }
    const QString req = frame.value(QLatin1String("req")).toString();
    QPointer<AdminReply> reply = d->pending.take(req);
    if (req.isEmpty() || !reply) {
        if (type == QLatin1String("error")) {
            const QString m = QStringLiteral("server error: %1")
                                  .arg(frame.value(QLatin1String("message")).toString());
            qCWarning(lcConsoleClient) << m;
            Q_EMIT protocolWarning(m);
        } else {
            qCInfo(lcConsoleClient) << "ignoring unsolicited frame" << type << req;
        }
        return;
    }
    if (type == QLatin1String("error")) {
        Error e { errorCodeFromName(frame.value(QLatin1String("code")).toString()),
            frame.value(QLatin1String("message")).toString() };
        e.retryAfterMs = qint64(frame.value(QLatin1String("retry_after_ms")).toDouble(-1));
        qCInfo(lcConsoleClient) << reply->requestType() << req
                                << "failed:" << errorCodeName(e.code);
        reply->fail(e);
        return;
    }
    reply->finish(frame);
}

void AdminClient::failAllPending(const Error &error)
{
    const auto pending = std::exchange(d->pending, {});
    for (const QPointer<AdminReply> &reply : pending) {
        if (reply)
            reply->fail(Error { error.code,
                QStringLiteral("%1 %2: %3")
                    .arg(reply->requestType(), reply->req(), error.message) });
    }
}

void AdminClient::setState(State state)
{
    if (state == d->state)
        return;
    d->state = state;
    Q_EMIT stateChanged(state);
}

} // namespace confab::console

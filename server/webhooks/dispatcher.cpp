#include "webhooks/dispatcher.h"

#include "confab/jsonwriter.h"
#include "metrics/metrics.h"
#include "webhooks/backoff.h"
#include "webhooks/logging.h"
#include "webhooks/signature.h"
#include "webhooks/urlpolicy.h"

#include <QCoro/QCoroFuture>
#include <QCoroNetworkReply>
#include <QDateTime>
#include <QElapsedTimer>
#include <QHostInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QRandomGenerator>

namespace confab::webhooks {

namespace {

constexpr int kClaimBatch = 64;
constexpr int kGaugeMs = 5000;
constexpr int kSoonMs = 10; // gathers the slots freed within this time into one claim
constexpr qint64 kLeaseMarginMs = 10000;  // past the call's timeout: the database round trips
constexpr qint64 kHostVerdictMs = 60000;  // how long a resolved host's check is reused
constexpr qsizetype kMaxHostVerdicts = 1000;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

struct DeleteLater {
    void operator()(QObject *o) const { o->deleteLater(); }
};

} // namespace

QByteArray eventBody(const Delivery &d)
{
    JsonWriter w(d.data.size() + 160);
    w.beginObject()
        .field("id", d.id)
        .field("type", d.type)
        .field("app_id", d.appId)
        .field("ts", d.createdMs)
        .rawField("data", d.data)
        .endObject();
    return w.take();
}

Dispatcher::Dispatcher(DeliveryRepository *deliveries, segments::DeadLetterRepository *deadLetters,
                       metrics::Metrics *metrics, AppLookup apps, DispatcherOptions options, QObject *parent)
    : QObject(parent),
      m_deliveries(deliveries),
      m_deadLetters(deadLetters),
      m_metrics(metrics),
      m_apps(std::move(apps)),
      m_options(std::move(options)),
      m_nam(std::make_unique<QNetworkAccessManager>())
{
    m_nam->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy); // a redirect would skip the address check
    m_pollTimer.setInterval(m_options.pollMs);
    m_soonTimer.setSingleShot(true);
    m_soonTimer.setInterval(kSoonMs);
    connect(&m_soonTimer, &QTimer::timeout, this, [this] { poll(); });
    m_gaugeTimer.setInterval(kGaugeMs);
    connect(&m_pollTimer, &QTimer::timeout, this, [this] { poll(); });
    connect(&m_gaugeTimer, &QTimer::timeout, this, [this] { updateGauges(); });
}

Dispatcher::~Dispatcher()
{
    // Calls under way end here (their coroutines see closing() and stop); their events stay
    // leased in the table and another node, or this one after a restart, sends them again.
    m_closing = true;
    m_nam.reset();
}

void Dispatcher::start()
{
    m_pollTimer.start();
    m_gaugeTimer.start();
    updateGauges();
}

void Dispatcher::stop()
{
    m_pollTimer.stop();
    m_soonTimer.stop();
    m_gaugeTimer.stop();
}

QCoro::Task<> Dispatcher::poll()
{
    if (m_polling || m_closing || m_total >= m_options.maxInFlight)
        co_return;
    m_polling = true;
    QPointer<Dispatcher> self(this);
    QHash<QString, int> free;
    for (auto it = m_inFlight.cbegin(); it != m_inFlight.cend(); ++it)
        free.insert(it.key(), std::max(0, m_options.maxInFlightPerApp - it.value()));
    const int limit = std::min(kClaimBatch, m_options.maxInFlight - m_total);
    auto claiming = m_deliveries->claim(m_options.nodeId, limit, m_options.maxInFlightPerApp, free,
                                        m_options.timeoutMs + kLeaseMarginMs);
    const Expected<QList<Delivery>> claimed = co_await claiming;
    if (!self || self->closing())
        co_return;
    m_polling = false;
    if (!claimed) {
        qCWarning(lcWebhooks, "%s", qPrintable(claimed.error().message));
        co_return;
    }
    for (const Delivery &d : *claimed) {
        ++m_inFlight[d.appId];
        ++m_total;
        deliver(d); // detached: it settles its row and its slot itself
    }
    if (claimed->size() == limit && m_pollTimer.isActive())
        m_soonTimer.start(); // more may be due
}

QCoro::Task<Status> Dispatcher::checkHost(QString host)
{
    if (m_options.allowPrivate || !QHostAddress(host).isNull())
        co_return Ok{}; // a literal address was judged by checkUrl
    const qint64 now = nowMs();
    if (const auto it = m_hosts.constFind(host); it != m_hosts.constEnd() && it->expiresMs > now)
        co_return it->status;
    QFuture<QHostInfo> resolved = lookup(host);
    QPointer<Dispatcher> self(this);
    const QHostInfo info = co_await resolved;
    if (!self || self->closing())
        co_return Error::unavailable(QStringLiteral("shutting down"));
    const Status verdict = info.error() != QHostInfo::NoError
        ? Status(Error::unavailable(QStringLiteral("resolving %1: %2").arg(host, info.errorString())))
        : checkResolved(host, info.addresses(), false);
    if (m_hosts.size() >= kMaxHostVerdicts)
        m_hosts.clear();
    m_hosts.insert(host, HostVerdict{verdict, nowMs() + kHostVerdictMs});
    co_return verdict;
}

QCoro::Task<> Dispatcher::deliver(Delivery d)
{
    QPointer<Dispatcher> self(this);
    enum class Outcome { Delivered, Failed, Dropped } outcome = Outcome::Failed;
    QString error;

    auto looking = m_apps(d.appId);
    const Expected<store::App> app = co_await looking;
    if (!self || self->closing())
        co_return;
    if (!app && app.error().code == ErrorCode::NotFound) {
        outcome = Outcome::Dropped;
    } else if (!app) {
        error = app.error().message;
    } else if (app->webhook.url.isEmpty()
               || (!app->webhook.events.isEmpty() && !app->webhook.events.contains(d.type))) {
        outcome = Outcome::Dropped; // the webhook was removed or no longer wants this type
    } else {
        const QUrl url(app->webhook.url);
        Status allowed = checkUrl(url, m_options.allowPrivate);
        if (allowed) {
            auto checking = checkHost(url.host());
            allowed = co_await checking;
            if (!self || self->closing())
                co_return;
        }
        if (!allowed) {
            error = allowed.error().message;
        } else {
            const QByteArray body = eventBody(d);
            QList<QByteArray> secrets{app->webhook.secret.toUtf8()};
            if (!app->webhook.oldSecret.isEmpty() && app->webhook.oldSecretUntilMs > nowMs())
                secrets.append(app->webhook.oldSecret.toUtf8());
            QNetworkRequest request(url);
            request.setTransferTimeout(int(m_options.timeoutMs));
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
            request.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("Confab-Webhooks/1"));
            request.setRawHeader("Confab-Event-Id", d.id.toUtf8());
            request.setRawHeader("Confab-Signature", signatureHeader(secrets, nowMs(), body));
            QElapsedTimer timer;
            timer.start();
            std::unique_ptr<QNetworkReply, DeleteLater> reply(m_nam->post(request, body));
            co_await reply.get();
            if (!self || self->closing()) {
                (void)reply.release(); // the manager is gone and took its replies with it
                co_return;
            }
            if (m_metrics)
                m_metrics->observeWebhookLatency(double(timer.nsecsElapsed()) / 1e9);
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (status >= 200 && status < 300)
                outcome = Outcome::Delivered;
            else if (status != 0)
                error = QStringLiteral("HTTP %1").arg(status);
            else if (reply->error() == QNetworkReply::OperationCanceledError)
                error = QStringLiteral("no answer within %1 ms").arg(m_options.timeoutMs);
            else
                error = reply->errorString();
        }
    }

    if (outcome != Outcome::Failed) {
        auto removing = m_deliveries->delivered(d.seq);
        const Status removed = co_await removing;
        if (!self || self->closing())
            co_return;
        if (!removed)
            qCWarning(lcWebhooks, "%s", qPrintable(removed.error().message)); // sent again after the lease
        if (m_metrics)
            m_metrics->webhookDelivery(d.appId.toUtf8(), outcome == Outcome::Delivered ? "delivered" : "dropped");
    } else {
        const int attempts = d.attempts + 1;
        const qint64 due = nextAttemptMs(attempts, QRandomGenerator::global()->generateDouble(), nowMs(), d.windowStartMs,
                                         m_options.retryWindowMs);
        auto rescheduling = m_deliveries->failed(d.seq, attempts, due, error);
        const Status rescheduled = co_await rescheduling;
        if (!self || self->closing())
            co_return;
        if (!rescheduled)
            qCWarning(lcWebhooks, "%s", qPrintable(rescheduled.error().message));
        if (m_metrics)
            m_metrics->webhookDelivery(d.appId.toUtf8(), due < 0 ? "dead_letter" : "failed");
        if (due < 0 && rescheduled) {
            qCWarning(lcWebhooks, "webhook %s (%s) of app %s failed for its whole retry window, last: %s",
                      qPrintable(d.id), qPrintable(d.type), qPrintable(d.appId), qPrintable(error));
            auto recording = m_deadLetters->record(kWebhookDeadLetter, d.appId, d.convoId, d.seq, d.seq, attempts, error);
            const Expected<segments::DeadLetter> letter = co_await recording;
            if (!self || self->closing())
                co_return;
            if (!letter)
                qCWarning(lcWebhooks, "%s", qPrintable(letter.error().message));
            Q_EMIT deadLettered(d.appId, d.convoId);
            updateGauges();
        }
    }
    if (--m_inFlight[d.appId] <= 0)
        m_inFlight.remove(d.appId);
    --m_total;
    if (m_pollTimer.isActive() && !m_soonTimer.isActive())
        m_soonTimer.start();
}

QCoro::Task<> Dispatcher::updateGauges()
{
    if (!m_metrics)
        co_return;
    QPointer<Dispatcher> self(this);
    auto counting = m_deliveries->pending();
    const Expected<qint64> pending = co_await counting;
    if (!self || self->closing())
        co_return;
    if (pending)
        m_metrics->setWebhookPending(*pending);
    auto countingDead = m_deadLetters->count();
    const Expected<qint64> dead = co_await countingDead;
    if (self && !self->closing() && dead)
        m_metrics->setDeadLetters(*dead);
}

QCoro::Task<Status> Dispatcher::retryDeadLetter(segments::DeadLetter letter)
{
    QPointer<Dispatcher> self(this);
    auto requeueing = m_deliveries->requeueDead(letter.appId, letter.convoId);
    const Expected<int> n = co_await requeueing;
    if (!n)
        co_return n.error();
    auto resolving = m_deadLetters->discard(letter.id);
    const Status resolved = co_await resolving;
    if (self && !self->closing())
        updateGauges();
    co_return resolved;
}

QCoro::Task<Status> Dispatcher::discardDeadLetter(segments::DeadLetter letter)
{
    QPointer<Dispatcher> self(this);
    auto dropping = m_deliveries->discardDead(letter.appId, letter.convoId);
    const Expected<int> n = co_await dropping;
    if (!n)
        co_return n.error();
    auto resolving = m_deadLetters->discard(letter.id);
    const Status resolved = co_await resolving;
    if (self && !self->closing())
        updateGauges();
    co_return resolved;
}

} // namespace confab::webhooks

#pragma once

#include "confab/expected.h"
#include "segments/deadletters.h"
#include "store/apps.h"
#include "webhooks/deliveries.h"

#include <QCoro/QCoroTask>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>

class QNetworkAccessManager;

namespace confab::metrics {
class Metrics;
}

namespace confab::webhooks {

inline const QString kWebhookDeadLetter = QStringLiteral("webhook");

// The app as the cached directory knows it (NotFound once deleted).
using AppLookup = std::function<QCoro::Task<Expected<store::App>>(QString appId)>;
// The same without waiting: the app if the cache holds it fresh (what AppLookup would answer at
// once), else nullptr. The pointer is good until control returns to the event loop.
using AppPeek = std::function<const store::App *(const QString &appId)>;

struct DispatcherOptions {
    QString nodeId;
    qint64 timeoutMs = 10000;
    qint64 retryWindowMs = 3600000;
    bool allowPrivate = false;
    int maxInFlightPerApp = 4;
    int maxInFlight = 256; // this node, every app together
    int pollMs = 250;
};

// The "webhook" event body, as sent and signed: {"id","type","app_id","ts","data"}.
[[nodiscard]] QByteArray eventBody(const Delivery &d);

// Sends due webhooks from the shared queue (DeliveryRepository): every node runs one. A claim
// takes, per app, only what the app's free slots allow, so a slow or hanging endpoint holds at
// most maxInFlightPerApp calls of this node and never delays another app; calls go through
// QNetworkAccessManager with a transfer timeout, never blocking the loop. A failure is retried
// with backoff until the retry window ends, then the event is dead (a dead letter of kind
// "webhook" per app and conversation; retry or discard it like the others).
class Dispatcher : public QObject
{
    Q_OBJECT
public:
    Dispatcher(DeliveryRepository *deliveries, segments::DeadLetterRepository *deadLetters,
               metrics::Metrics *metrics, AppLookup apps, DispatcherOptions options, QObject *parent = nullptr);
    ~Dispatcher() override;

    void start();
    void stop();

    // The dead events of the letter's (app, conversation) are queued again with a new retry
    // window and the letter is resolved; ok once queued (delivery follows as usual).
    QCoro::Task<Status> retryDeadLetter(segments::DeadLetter letter);
    // The dead events are dropped and the letter resolved.
    QCoro::Task<Status> discardDeadLetter(segments::DeadLetter letter);

Q_SIGNALS:
    void deadLettered(const QString &appId, const QString &convoId);

private:
    QCoro::Task<> poll();
    QCoro::Task<> deliver(Delivery d);
    QCoro::Task<Status> checkHost(QString host);
    QCoro::Task<> updateGauges();
    [[nodiscard]] bool closing() const { return m_closing; }

    DeliveryRepository *m_deliveries;
    segments::DeadLetterRepository *m_deadLetters;
    metrics::Metrics *m_metrics;
    AppLookup m_apps;
    DispatcherOptions m_options;
    std::unique_ptr<QNetworkAccessManager> m_nam;
    QTimer m_pollTimer;
    QTimer m_soonTimer; // claims again right after slots free up, instead of at the next tick
    QTimer m_gaugeTimer;
    bool m_polling = false;
    bool m_closing = false;
    int m_total = 0;
    QHash<QString, int> m_inFlight; // per app
    struct HostVerdict {
        Status status;
        qint64 expiresMs = 0;
    };
    QHash<QString, HostVerdict> m_hosts;
};

} // namespace confab::webhooks

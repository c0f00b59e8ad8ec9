#include "core/deadletterbatch.h"

#include "core/adminclient.h"

#include <QTimer>

#include <algorithm>

namespace confab::console
{

DeadLetterBatch::DeadLetterBatch(AdminClient *client, Kind kind, QStringList ids, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_kind(kind)
    , m_queue(std::move(ids))
    , m_total(int(m_queue.size()))
{
}

void DeadLetterBatch::start()
{
    if (m_total == 0) {
        QTimer::singleShot(0, this, &DeadLetterBatch::finished);
        return;
    }
    sendMore();
}

void DeadLetterBatch::sendMore()
{
    // Other requests on the connection use the same room; with none of ours out one goes
    // anyway, so the batch always moves on.
    while (!m_queue.isEmpty() && m_inFlight < kServerInFlightLimit
        && (m_inFlight == 0 || !m_client || m_client->pendingRequests() < kServerInFlightLimit))
        sendOne(m_queue.takeFirst());
}

void DeadLetterBatch::sendOne(const QString &id)
{
    if (!m_client) {
        onAnswered(id, false, tr("not connected"), false, 0);
        return;
    }
    AdminReply *reply
        = m_kind == Kind::Retry ? m_client->retryDeadLetter(id) : m_client->discardDeadLetter(id);
    ++m_inFlight;
    m_peakInFlight = std::max(m_peakInFlight, m_inFlight);
    connect(reply, &AdminReply::finished, this, [this, reply, id] {
        --m_inFlight;
        const Error &e = reply->error();
        onAnswered(id, reply->isOk(), e.message, !reply->isOk() && e.code == ErrorCode::RateLimited,
            e.retryAfterMs);
    });
}

void DeadLetterBatch::onAnswered(
    const QString &id, bool ok, const QString &error, bool rateLimited, qint64 retryAfterMs)
{
    if (rateLimited && m_rateLimited[id]++ < kMaxRateLimitedRetries) {
        // Not applied: the server had no room. The id goes again once it may have some.
        const int delay = int(
            std::clamp<qint64>(retryAfterMs > 0 ? retryAfterMs : kDefaultRetryAfterMs, 1, 10000));
        QTimer::singleShot(delay, this, [this, id] {
            m_queue.prepend(id);
            sendMore();
        });
        sendMore();
        return;
    }
    if (ok) {
        ++m_succeeded;
    } else {
        ++m_failed;
        if (m_firstError.isEmpty())
            m_firstError = error;
    }
    Q_EMIT itemDone(id, ok);
    if (isFinished()) {
        Q_EMIT finished();
        return;
    }
    sendMore();
}

} // namespace confab::console

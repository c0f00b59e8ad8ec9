#pragma once

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QStringList>

namespace confab::console
{

class AdminClient;

// Retries or discards many dead letters over one admin connection within the server's limit of
// admin requests in flight (8 per connection, PROTOCOL.md section 6): at most maxInFlight()
// requests are out at a time, counting the connection's other requests, and the next one goes
// when one is answered. One the server still refuses with rate_limited (its own stats frames
// count against the limit too) is sent again after retry_after_ms, a few times at most.
// finished() once every id has its outcome, so the caller reports one summary.
class DeadLetterBatch : public QObject
{
    Q_OBJECT

public:
    enum class Kind { Retry, Discard };
    static constexpr int kServerInFlightLimit = 8;

    DeadLetterBatch(AdminClient *client, Kind kind, QStringList ids, QObject *parent = nullptr);

    void start();

    [[nodiscard]] Kind kind() const { return m_kind; }
    [[nodiscard]] int total() const { return m_total; }
    [[nodiscard]] int succeeded() const { return m_succeeded; }
    [[nodiscard]] int failed() const { return m_failed; }
    // The first failure's message (the others are usually the same cause).
    [[nodiscard]] const QString &firstError() const { return m_firstError; }
    [[nodiscard]] bool isFinished() const { return m_succeeded + m_failed == m_total; }
    [[nodiscard]] static int maxInFlight() { return kServerInFlightLimit; }
    // The most requests this batch ever had out at once.
    [[nodiscard]] int peakInFlight() const { return m_peakInFlight; }

Q_SIGNALS:
    void itemDone(const QString &id, bool ok);
    void finished();

private:
    static constexpr int kMaxRateLimitedRetries = 5;
    static constexpr int kDefaultRetryAfterMs = 250;

    void sendMore();
    void sendOne(const QString &id);
    void onAnswered(
        const QString &id, bool ok, const QString &error, bool rateLimited, qint64 retryAfterMs);

    QPointer<AdminClient> m_client;
    Kind m_kind;
    QStringList m_queue; // not sent yet, in order
    QHash<QString, int> m_rateLimited; // id -> times refused with rate_limited
    int m_total = 0;
    int m_inFlight = 0;
    int m_peakInFlight = 0;
    int m_succeeded = 0;
    int m_failed = 0;
    QString m_firstError;
};

} // namespace confab::console

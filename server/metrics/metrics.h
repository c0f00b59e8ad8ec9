#pragma once

#include <QByteArray>
#include <QtGlobal>

#include <memory>

namespace confab::metrics
{

// The process's Prometheus registry: every family of PROTOCOL.md section 8 plus the ones an
// operator needs next to them, and the standard process_* families. One instance per process,
// owned by the node and handed to whoever records (no singleton). Every recording method is
// cheap and safe to call from any thread; the hot-path ones (messageIngested, messageDelivered,
// observeDeliveryLatency, setWsConnections) touch only a pre-created atomic or histogram.
//
// Labels take values chosen by our own code (route patterns, op names, reason labels), never
// raw client input. As a guard anyway, each labelled family holds at most maxSeriesPerFamily
// label combinations; later new ones are counted under "other" in every label.
//
// See docs/metrics.md for every family, its labels and buckets.
class Metrics
{
public:
    static constexpr qsizetype maxSeriesPerFamily = 500;

    // version is exported as confab_build_info{version}; empty means the project's version.
    explicit Metrics(const QByteArray &version = {});
    ~Metrics();
    Metrics(const Metrics &) = delete;
    Metrics &operator=(const Metrics &) = delete;

    // -- PROTOCOL.md section 8 --

    // Newly accepted messages: not duplicates, not refused (confab_messages_ingested_total).
    void messageIngested(qint64 count = 1);
    void setWsConnections(qint64 open); // confab_ws_connections
    // confab_delivery_latency_seconds: `count` recipients whose write took `seconds`.
    void observeDeliveryLatency(double seconds, qint64 count = 1);
    void setStreamDepth(qint64 messages); // confab_stream_depth
    void observeFlush(double seconds); // confab_flush_duration_seconds
    // One segment object written: confab_segments_written_total and confab_segment_bytes.
    void segmentWritten(qint64 compressedBytes);
    void setDeadLetters(qint64 waiting); // confab_dead_letters
    void retentionDeletedSegments(qint64 count); // confab_retention_deleted_segments_total
    // op: put/get/head/delete/list/ping; status: HTTP status ("200", "503") or "error" when no
    // response came (ObjectStore::requestFinished gives exactly these).
    void s3Request(const QByteArray &op, const QByteArray &status);
    void setRedisMemory(qint64 bytes); // confab_redis_memory_bytes
    // route: the Router pattern ("unmatched" for 404s); method is folded to the standard verbs
    // or "other". confab_http_requests_total{route,method,code} and
    // confab_http_request_duration_seconds{route}.
    void httpRequest(const QByteArray &route, const QByteArray &method, int code, double seconds);
    // reason: auth::failureReason() ("bad_signature", "expired", ...); the known ones are
    // exported at 0 from the start.
    void authFailure(const QByteArray &reason);

    // -- beyond section 8 --

    void messageDelivered(qint64 count = 1); // confab_messages_delivered_total
    void messageDuplicate(); // confab_messages_duplicate_total
    void rateLimited(const QByteArray &scope); // confab_rate_limited_total{scope}
    // Close code this node sent or received: 1000-1015 and 4000-4099 as themselves, others
    // as "other" (confab_ws_closes_total{code}).
    void wsClosed(int code);
    void syncRequired(); // confab_sync_required_total
    void flushFailed(); // confab_flush_failures_total
    // source: "tail", "segments" or "mixed" (confab_history_read_duration_seconds{source}).
    void observeHistoryRead(const QByteArray &source, double seconds);
    // The public listener's running total of coalescing windows (http::Server::
    // webSocketWriteWindows()), mirrored like the Redis totals below.
    void setWsWriteWindowsTotal(quint64 total); // confab_ws_write_windows_total
    // The Redis client's own running totals (redis::Client::commandsSent()/reconnects());
    // exported as counters: a value lower than the last one (a new client) counts as a restart.
    void setRedisCommandsTotal(quint64 total); // confab_redis_commands_total
    void setRedisReconnectsTotal(quint64 total); // confab_redis_reconnects_total
    void setRedisWritesHeldTotal(quint64 total); // confab_redis_writes_held_total
    // confab_redis_pubsub_messages_received_total, confab_redis_pubsub_bytes_received_total
    void setRedisPubSubReceived(quint64 messages, quint64 bytes);
    // Redis INFO maxmemory; 0 means no limit (confab_redis_maxmemory_bytes).
    void setRedisMaxMemory(qint64 bytes);
    // Webhooks (docs/webhooks.md). status: delivered, failed (to be retried), dead_letter (the
    // last failure of the retry window), dropped (the app's webhook no longer wants it):
    // confab_webhook_deliveries_total{app,status}.
    void webhookDelivery(const QByteArray &app, const QByteArray &status);
    void observeWebhookLatency(double seconds); // confab_webhook_latency_seconds
    void setWebhookPending(qint64 events);      // confab_webhook_pending (deployment-wide)
    void webhookSkipped();                      // confab_webhook_skipped_total

    // Prometheus text format 0.0.4: every family with # HELP and # TYPE, including families
    // with no series yet, then process_* read from /proc at this moment.
    [[nodiscard]] QByteArray render() const;
    // The Content-Type to serve render() with.
    [[nodiscard]] static QByteArray contentType();

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace confab::metrics

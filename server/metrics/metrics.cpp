#include "metrics/metrics.h"

#include "confab/version.h"

#include "metrics/logging.h"
#include "metrics/processmetrics_p.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <QByteArrayView>
#include <QHash>
#include <QMutex>

#include <algorithm>
#include <atomic>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

namespace confab::metrics
{

namespace
{

using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Histogram;
using prometheus::MetricType;

std::string toStd(QByteArrayView v)
{
    return std::string(v.data(), size_t(v.size()));
}

// Delivery latency spans a loopback hop (sub-millisecond) to a stalled client (seconds).
const Histogram::BucketBoundaries deliveryBuckets
    = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5 };
// A flush is a PUT plus one transaction: tens of milliseconds when well, tens of seconds when
// the object store retries.
const Histogram::BucketBoundaries flushBuckets
    = { 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30 };
// Powers of four from 1 KiB to 64 MiB: segment sizes are set by max_bytes, which operators tune
// by orders of magnitude.
const Histogram::BucketBoundaries segmentByteBuckets
    = { 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864 };
const Histogram::BucketBoundaries httpBuckets
    = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
// DESIGN.md's targets are 20 ms (tail) and 50 ms (segments) at p99: buckets are dense there.
const Histogram::BucketBoundaries historyBuckets
    = { 0.001, 0.0025, 0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5 };
// Webhook calls end by [webhooks] timeout (10 s by default; at most 120 s).
const Histogram::BucketBoundaries webhookBuckets
    = { 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30 };

// auth::failureReason() labels, exported at 0 so that rate() sees a series from the start.
const char *const knownAuthReasons[] = {
    "missing",
    "malformed",
    "unsupported_algorithm",
    "bad_signature",
    "expired",
    "not_yet_valid",
    "wrong_issuer",
    "wrong_audience",
    "unknown_key",
    "jwks_unavailable",
    "unknown_app",
    "revoked",
    "unknown_credential",
};

const QByteArray other = QByteArrayLiteral("other");

// Label combinations of one family, looked up by their bytes so that recording does not build
// a std::map each time, and capped so that a caller passing unbounded values cannot exhaust
// memory or the Prometheus server.
template <typename M> class Labelled
{
public:
    using Make = std::function<M &(Family<M> &, const prometheus::Labels &)>;

    Labelled(Family<M> &family, std::vector<std::string> names, Make make)
        : m_family(family)
        , m_names(std::move(names))
        , m_make(std::move(make))
    {
    }

    M &at(std::initializer_list<QByteArrayView> values)
    {
        QByteArray key;
        for (QByteArrayView v : values) {
            key += v;
            key += '\0';
        }
        QMutexLocker lock(&m_mutex);
        if (const auto it = m_cache.constFind(key); it != m_cache.cend())
            return **it;
        std::vector<QByteArrayView> chosen(values.begin(), values.end());
        if (m_cache.size() >= Metrics::maxSeriesPerFamily) {
            if (!m_overflowed) {
                m_overflowed = true;
                qCWarning(lcMetrics).nospace()
                    << "more than " << Metrics::maxSeriesPerFamily << " label sets for "
                    << m_family.GetName().c_str() << ", counting new ones as \"other\"";
            }
            key.clear();
            for (auto &v : chosen) {
                v = other;
                key += other;
                key += '\0';
            }
            if (const auto it = m_cache.constFind(key); it != m_cache.cend())
                return **it;
        }
        prometheus::Labels labels;
        for (size_t i = 0; i < m_names.size() && i < chosen.size(); ++i)
            labels.emplace(m_names[i], toStd(chosen[i]));
        M &metric = m_make(m_family, labels);
        m_cache.insert(key, &metric);
        return metric;
    }

private:
    Family<M> &m_family;
    const std::vector<std::string> m_names;
    const Make m_make;
    QMutex m_mutex;
    QHash<QByteArray, M *> m_cache;
    bool m_overflowed = false;
};

Labelled<Counter>::Make plainCounter()
{
    return [](Family<Counter> &f, const prometheus::Labels &l) -> Counter & { return f.Add(l); };
}

Labelled<Histogram>::Make histogramWith(Histogram::BucketBoundaries buckets)
{
    return [buckets = std::move(buckets)](Family<Histogram> &f,
               const prometheus::Labels &l) -> Histogram & { return f.Add(l, buckets); };
}

QByteArrayView httpMethod(QByteArrayView method)
{
    static const QByteArray known[]
        = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" };
    for (const QByteArray &k : known) {
        if (method == k)
            return k;
    }
    return other;
}

// Counters take no negative steps; a negative count is a caller's bug, not a decrement.
double nonNegative(double v)
{
    return v > 0 ? v : 0;
}

// A counter mirroring a running total kept elsewhere.
void advance(Counter &counter, std::atomic<quint64> &last, quint64 total)
{
    const quint64 previous = last.exchange(total);
    counter.Increment(double(total >= previous ? total - previous : total));
}

} // namespace

class Metrics::Private
{
public:
    struct Declared {
        std::string name;
        std::string help;
        MetricType type;
    };

    Family<Counter> &counters(const char *name, const char *help)
    {
        declared.push_back({ name, help, MetricType::Counter });
        return prometheus::BuildCounter().Name(name).Help(help).Register(registry);
    }
    Family<Gauge> &gauges(const char *name, const char *help)
    {
        declared.push_back({ name, help, MetricType::Gauge });
        return prometheus::BuildGauge().Name(name).Help(help).Register(registry);
    }
    Family<Histogram> &histograms(const char *name, const char *help)
    {
        declared.push_back({ name, help, MetricType::Histogram });
        return prometheus::BuildHistogram().Name(name).Help(help).Register(registry);
    }

    prometheus::Registry registry;
    // In the order of registration, so render() can print families that have no series yet.
    std::vector<Declared> declared;

    Counter &ingested = counters(
        "confab_messages_ingested_total", "Newly accepted messages (not duplicates, not refused).")
                            .Add({});
    Gauge &wsConnections
        = gauges("confab_ws_connections", "Open client WebSockets on this node.").Add({});
    Histogram &deliveryLatency = histograms("confab_delivery_latency_seconds",
        "Time from a message's acceptance to its write on a recipient's socket.")
                                     .Add({}, deliveryBuckets);
    Gauge &streamDepth
        = gauges("confab_stream_depth", "Messages in the Redis tail not yet in segments.").Add({});
    Histogram &flushDuration = histograms("confab_flush_duration_seconds",
        "Time from opening a segment to its object written and indexed.")
                                   .Add({}, flushBuckets);
    Counter &segmentsWritten
        = counters("confab_segments_written_total", "Segment objects written.").Add({});
    Histogram &segmentBytes
        = histograms("confab_segment_bytes", "Compressed size of written segments in bytes.")
              .Add({}, segmentByteBuckets);
    Gauge &deadLetters = gauges("confab_dead_letters", "Dead letters waiting.").Add({});
    Counter &retentionDeleted
        = counters("confab_retention_deleted_segments_total", "Segments removed by retention.")
              .Add({});
    Labelled<Counter> s3Requests {
        counters("confab_s3_requests_total",
            "Object storage requests sent, by operation and HTTP status (\"error\" when "
            "no response came)."),
        { "op", "status" }, plainCounter()
    };
    Gauge &redisMemory = gauges("confab_redis_memory_bytes", "Redis used_memory in bytes.").Add({});
    Labelled<Counter> httpRequests {
        counters("confab_http_requests_total",
            "HTTP requests answered, by route pattern, method and status code."),
        { "route", "method", "code" }, plainCounter()
    };
    Labelled<Histogram> httpDuration {
        histograms("confab_http_request_duration_seconds",
            "Time from a request's arrival to its response written, by route."),
        { "route" }, histogramWith(httpBuckets)
    };
    Labelled<Counter> authFailures { counters("confab_auth_failures_total",
                                         "Refused credentials, by reason."),
        { "reason" }, plainCounter() };

    Counter &delivered = counters("confab_messages_delivered_total",
        "Messages written to a recipient's socket (one per recipient).")
                             .Add({});
    Counter &duplicates = counters("confab_messages_duplicate_total",
        "Sends answered from the idempotency key: retries of a "
        "message already accepted.")
                              .Add({});
    Labelled<Counter> rateLimitedTotal { counters("confab_rate_limited_total",
                                             "Requests refused as rate_limited, by scope."),
        { "scope" }, plainCounter() };
    Labelled<Counter> wsCloses { counters("confab_ws_closes_total",
                                     "Client WebSockets closed, by close code."),
        { "code" }, plainCounter() };
    Counter &syncRequired = counters(
        "confab_sync_required_total", "Slow clients switched to catch-up (sync.required).")
                                .Add({});
    Counter &flushFailures
        = counters("confab_flush_failures_total", "Segment flush attempts that failed.").Add({});
    Labelled<Histogram> historyReads {
        histograms("confab_history_read_duration_seconds",
            "Time to answer a history page, by where it was read from."),
        { "source" }, histogramWith(historyBuckets)
    };
    Counter &wsWriteWindows = counters("confab_ws_write_windows_total",
        "Coalescing windows client WebSocket frames waited for ([server] write_coalesce).")
                                  .Add({});
    Counter &redisCommands
        = counters("confab_redis_commands_total", "Commands sent to Redis.").Add({});
    Counter &redisWritesHeld = counters("confab_redis_writes_held_total",
        "Writes to Redis held back to go out with later commands ([redis] write_hold).")
                                   .Add({});
    Counter &redisReconnects = counters(
        "confab_redis_reconnects_total", "Redis connections re-established after a loss.")
                                   .Add({});
    Counter &pubsubMessages = counters("confab_redis_pubsub_messages_received_total",
                                       "Pub/sub messages Redis pushed to this node (fan-out between nodes).")
                                  .Add({});
    Counter &pubsubBytes = counters("confab_redis_pubsub_bytes_received_total",
                                    "Payload bytes of the pub/sub messages Redis pushed to this node.")
                               .Add({});
    Gauge &redisMaxMemory = gauges(
        "confab_redis_maxmemory_bytes", "Redis maxmemory in bytes; 0 when Redis has no limit.")
                                .Add({});
    Labelled<Counter> webhookDeliveries { counters("confab_webhook_deliveries_total",
                                              "Webhook attempts, by app and outcome (delivered, failed, "
                                              "dead_letter, dropped)."),
        { "app", "status" }, plainCounter() };
    Histogram &webhookLatency = histograms("confab_webhook_latency_seconds",
        "Time from a webhook call's start to its answer (or timeout).")
                                    .Add({}, webhookBuckets);
    Gauge &webhookPending = gauges("confab_webhook_pending",
        "Webhook events waiting for delivery in the whole deployment (not dead letters).")
                                .Add({});
    Counter &webhookSkipped = counters("confab_webhook_skipped_total",
        "message.offline events not recorded because this node had too many recordings under way.")
                                  .Add({});
    Family<Gauge> &buildInfo
        = gauges("confab_build_info", "Always 1; labels say which confabd and Qt are running.");

    std::atomic<quint64> lastWsWriteWindows { 0 };
    std::atomic<quint64> lastRedisCommands { 0 };
    std::atomic<quint64> lastPubsubMessages { 0 };
    std::atomic<quint64> lastPubsubBytes { 0 };
    std::atomic<quint64> lastRedisReconnects { 0 };
    std::atomic<quint64> lastRedisWritesHeld { 0 };
};

Metrics::Metrics(const QByteArray &version)
    : d(std::make_unique<Private>())
{
    d->buildInfo
        .Add({ { "version", version.isEmpty() ? std::string(confab::version()) : toStd(version) },
            { "commit", confab::commit() }, { "qt", qVersion() } })
        .Set(1);
    for (const char *reason : knownAuthReasons)
        d->authFailures.at({ QByteArrayView(reason) });
}

Metrics::~Metrics() = default;

void Metrics::messageIngested(qint64 count)
{
    d->ingested.Increment(nonNegative(double(count)));
}

void Metrics::setWsConnections(qint64 open)
{
    d->wsConnections.Set(double(open));
}

void Metrics::observeDeliveryLatency(double seconds, qint64 count)
{
    // Acceptance may be stamped by another node whose clock runs ahead: a negative latency
    // means "immediately", not an error.
    const double value = nonNegative(seconds);
    if (count == 1) {
        d->deliveryLatency.Observe(value);
        return;
    }
    if (count < 1)
        return;
    // One lock for every recipient, in the bucket Observe() would pick (the first bound >= value).
    std::vector<double> increments(deliveryBuckets.size() + 1, 0.0);
    const auto bound = std::lower_bound(deliveryBuckets.begin(), deliveryBuckets.end(), value);
    increments[size_t(bound - deliveryBuckets.begin())] = double(count);
    d->deliveryLatency.ObserveMultiple(increments, value * double(count));
}

void Metrics::setStreamDepth(qint64 messages)
{
    d->streamDepth.Set(double(messages));
}

void Metrics::observeFlush(double seconds)
{
    d->flushDuration.Observe(nonNegative(seconds));
}

void Metrics::segmentWritten(qint64 compressedBytes)
{
    d->segmentsWritten.Increment();
    d->segmentBytes.Observe(nonNegative(double(compressedBytes)));
}

void Metrics::setDeadLetters(qint64 waiting)
{
    d->deadLetters.Set(double(waiting));
}

void Metrics::retentionDeletedSegments(qint64 count)
{
    d->retentionDeleted.Increment(nonNegative(double(count)));
}

void Metrics::s3Request(const QByteArray &op, const QByteArray &status)
{
    d->s3Requests.at({ op, status }).Increment();
}

void Metrics::setRedisMemory(qint64 bytes)
{
    d->redisMemory.Set(double(bytes));
}

void Metrics::httpRequest(
    const QByteArray &route, const QByteArray &method, int code, double seconds)
{
    const QByteArray codeLabel = code >= 100 && code <= 599 ? QByteArray::number(code) : other;
    d->httpRequests.at({ route, httpMethod(method), codeLabel }).Increment();
    d->httpDuration.at({ route }).Observe(nonNegative(seconds));
}

void Metrics::authFailure(const QByteArray &reason)
{
    d->authFailures.at({ reason }).Increment();
}

void Metrics::messageDelivered(qint64 count)
{
    d->delivered.Increment(nonNegative(double(count)));
}

void Metrics::messageDuplicate()
{
    d->duplicates.Increment();
}

void Metrics::rateLimited(const QByteArray &scope)
{
    d->rateLimitedTotal.at({ scope }).Increment();
}

void Metrics::wsClosed(int code)
{
    const bool known = (code >= 1000 && code <= 1015) || (code >= 4000 && code <= 4099);
    d->wsCloses.at({ known ? QByteArray::number(code) : other }).Increment();
}

void Metrics::syncRequired()
{
    d->syncRequired.Increment();
}

void Metrics::flushFailed()
{
    d->flushFailures.Increment();
}

void Metrics::observeHistoryRead(const QByteArray &source, double seconds)
{
    static const QByteArray known[] = { "tail", "segments", "mixed" };
    const bool isKnown = std::find(std::begin(known), std::end(known), source) != std::end(known);
    d->historyReads.at({ isKnown ? QByteArrayView(source) : QByteArrayView(other) })
        .Observe(nonNegative(seconds));
}

void Metrics::setWsWriteWindowsTotal(quint64 total)
{
    advance(d->wsWriteWindows, d->lastWsWriteWindows, total);
}

void Metrics::setRedisCommandsTotal(quint64 total)
{
    advance(d->redisCommands, d->lastRedisCommands, total);
}

void Metrics::setRedisWritesHeldTotal(quint64 total)
{
    advance(d->redisWritesHeld, d->lastRedisWritesHeld, total);
}

void Metrics::setRedisReconnectsTotal(quint64 total)
{
    advance(d->redisReconnects, d->lastRedisReconnects, total);
}

void Metrics::setRedisPubSubReceived(quint64 messages, quint64 bytes)
{
    advance(d->pubsubMessages, d->lastPubsubMessages, messages);
    advance(d->pubsubBytes, d->lastPubsubBytes, bytes);
}

void Metrics::setRedisMaxMemory(qint64 bytes)
{
    d->redisMaxMemory.Set(double(bytes));
}

void Metrics::webhookDelivery(const QByteArray &app, const QByteArray &status)
{
    d->webhookDeliveries.at({ app, status }).Increment();
}

void Metrics::observeWebhookLatency(double seconds)
{
    d->webhookLatency.Observe(nonNegative(seconds));
}

void Metrics::setWebhookPending(qint64 events)
{
    d->webhookPending.Set(double(events));
}

void Metrics::webhookSkipped()
{
    d->webhookSkipped.Increment();
}

QByteArray Metrics::render() const
{
    std::vector<prometheus::MetricFamily> collected = d->registry.Collect();
    std::vector<prometheus::MetricFamily> families;
    families.reserve(d->declared.size() + 8);
    // prometheus-cpp leaves out families without series; section 8 wants every family listed.
    for (const Private::Declared &decl : d->declared) {
        auto it = std::find_if(collected.begin(), collected.end(),
            [&](const prometheus::MetricFamily &f) { return f.name == decl.name; });
        if (it != collected.end()) {
            families.push_back(std::move(*it));
        } else {
            prometheus::MetricFamily empty;
            empty.name = decl.name;
            empty.help = decl.help;
            empty.type = decl.type;
            families.push_back(std::move(empty));
        }
    }
    std::vector<prometheus::MetricFamily> process = collectProcessMetrics();
    std::move(process.begin(), process.end(), std::back_inserter(families));
    return QByteArray::fromStdString(prometheus::TextSerializer().Serialize(families));
}

QByteArray Metrics::contentType()
{
    return QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8");
}

} // namespace confab::metrics

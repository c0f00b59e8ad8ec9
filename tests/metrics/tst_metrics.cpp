#include "confab/version.h"
#include "metrics/metrics.h"
#include "support/exposition.h"

#include <QDateTime>
#include <QFile>
#include <QRegularExpression>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

using confab::metrics::Metrics;
using confab::test::Exposition;
using confab::test::Labels;
using confab::test::parseValue;
using confab::test::Sample;

namespace
{

Exposition scrape(const Metrics &m)
{
    return Exposition::parse(m.render());
}

} // namespace

class tst_Metrics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyFamilyIsListed_data();
    void everyFamilyIsListed();
    void unlabelledCountersStartAtZero();
    void countersMoveByWhatWasRecorded_data();
    void countersMoveByWhatWasRecorded();
    void gaugesHoldTheLastValue();
    void histogramBucketsAreCumulative();
    void deliveriesToSeveralRecipientsCountAsThatManyObservations();
    void segmentWrittenFeedsCounterAndSizes();
    void httpRequestLabels();
    void wsCloseAndHistoryLabelsAreBounded();
    void labelSetsAreCapped();
    void runningTotalsAreMirrored();
    void authReasonsArePresentFromTheStart();
    void buildInfo();
    void processMetricsArePlausible();
    void concurrentRecordingLosesNothing();
};

void tst_Metrics::everyFamilyIsListed_data()
{
    QTest::addColumn<QByteArray>("family");
    QTest::addColumn<QByteArray>("type");
    // PROTOCOL.md section 8.
    QTest::newRow("ingested") << QByteArray("confab_messages_ingested_total")
                              << QByteArray("counter");
    QTest::newRow("ws connections") << QByteArray("confab_ws_connections") << QByteArray("gauge");
    QTest::newRow("delivery latency")
        << QByteArray("confab_delivery_latency_seconds") << QByteArray("histogram");
    QTest::newRow("stream depth") << QByteArray("confab_stream_depth") << QByteArray("gauge");
    QTest::newRow("flush duration")
        << QByteArray("confab_flush_duration_seconds") << QByteArray("histogram");
    QTest::newRow("segments written")
        << QByteArray("confab_segments_written_total") << QByteArray("counter");
    QTest::newRow("segment bytes") << QByteArray("confab_segment_bytes") << QByteArray("histogram");
    QTest::newRow("dead letters") << QByteArray("confab_dead_letters") << QByteArray("gauge");
    QTest::newRow("retention") << QByteArray("confab_retention_deleted_segments_total")
                               << QByteArray("counter");
    QTest::newRow("s3 requests") << QByteArray("confab_s3_requests_total") << QByteArray("counter");
    QTest::newRow("redis memory") << QByteArray("confab_redis_memory_bytes") << QByteArray("gauge");
    QTest::newRow("http requests")
        << QByteArray("confab_http_requests_total") << QByteArray("counter");
    QTest::newRow("http duration")
        << QByteArray("confab_http_request_duration_seconds") << QByteArray("histogram");
    QTest::newRow("auth failures")
        << QByteArray("confab_auth_failures_total") << QByteArray("counter");
    // Beyond section 8.
    QTest::newRow("delivered") << QByteArray("confab_messages_delivered_total")
                               << QByteArray("counter");
    QTest::newRow("duplicates") << QByteArray("confab_messages_duplicate_total")
                                << QByteArray("counter");
    QTest::newRow("rate limited") << QByteArray("confab_rate_limited_total")
                                  << QByteArray("counter");
    QTest::newRow("ws closes") << QByteArray("confab_ws_closes_total") << QByteArray("counter");
    QTest::newRow("sync required")
        << QByteArray("confab_sync_required_total") << QByteArray("counter");
    QTest::newRow("flush failures")
        << QByteArray("confab_flush_failures_total") << QByteArray("counter");
    QTest::newRow("history reads")
        << QByteArray("confab_history_read_duration_seconds") << QByteArray("histogram");
    QTest::newRow("ws write windows")
        << QByteArray("confab_ws_write_windows_total") << QByteArray("counter");
    QTest::newRow("redis commands")
        << QByteArray("confab_redis_commands_total") << QByteArray("counter");
    QTest::newRow("redis reconnects")
        << QByteArray("confab_redis_reconnects_total") << QByteArray("counter");
    QTest::newRow("redis writes held")
        << QByteArray("confab_redis_writes_held_total") << QByteArray("counter");
    QTest::newRow("redis maxmemory")
        << QByteArray("confab_redis_maxmemory_bytes") << QByteArray("gauge");
    QTest::newRow("webhook deliveries")
        << QByteArray("confab_webhook_deliveries_total") << QByteArray("counter");
    QTest::newRow("webhook latency")
        << QByteArray("confab_webhook_latency_seconds") << QByteArray("histogram");
    QTest::newRow("webhook pending") << QByteArray("confab_webhook_pending") << QByteArray("gauge");
    QTest::newRow("webhook skipped")
        << QByteArray("confab_webhook_skipped_total") << QByteArray("counter");
    QTest::newRow("build info") << QByteArray("confab_build_info") << QByteArray("gauge");
    // Process.
    QTest::newRow("cpu") << QByteArray("process_cpu_seconds_total") << QByteArray("counter");
    QTest::newRow("rss") << QByteArray("process_resident_memory_bytes") << QByteArray("gauge");
    QTest::newRow("vsz") << QByteArray("process_virtual_memory_bytes") << QByteArray("gauge");
    QTest::newRow("open fds") << QByteArray("process_open_fds") << QByteArray("gauge");
    QTest::newRow("max fds") << QByteArray("process_max_fds") << QByteArray("gauge");
    QTest::newRow("start time") << QByteArray("process_start_time_seconds") << QByteArray("gauge");
}

void tst_Metrics::everyFamilyIsListed()
{
    QFETCH(QByteArray, family);
    QFETCH(QByteArray, type);

    // GIVEN a server that has recorded nothing
    const Metrics metrics;
    const Exposition e = scrape(metrics);

    // THEN the family is still announced, with its type and help
    QCOMPARE(e.types.value(family), type);
    QVERIFY(e.helps.contains(family));
}

void tst_Metrics::unlabelledCountersStartAtZero()
{
    const Metrics metrics;
    const Exposition e = scrape(metrics);
    for (const char *name : { "confab_messages_ingested_total", "confab_segments_written_total",
             "confab_retention_deleted_segments_total", "confab_messages_delivered_total",
             "confab_messages_duplicate_total", "confab_sync_required_total",
             "confab_flush_failures_total", "confab_redis_commands_total",
             "confab_ws_write_windows_total", "confab_redis_reconnects_total",
             "confab_redis_writes_held_total", "confab_ws_connections", "confab_stream_depth",
             "confab_dead_letters", "confab_redis_memory_bytes" }) {
        QCOMPARE(e.value(name), std::optional<double>(0.0));
    }
    QCOMPARE(e.value("confab_delivery_latency_seconds_count"), std::optional<double>(0.0));
    QCOMPARE(e.value("confab_flush_duration_seconds_count"), std::optional<double>(0.0));
}

void tst_Metrics::countersMoveByWhatWasRecorded_data()
{
    QTest::addColumn<QString>("action");
    QTest::addColumn<int>("times");
    QTest::addColumn<QByteArray>("family");
    QTest::addColumn<Labels>("labels");
    QTest::addColumn<double>("expected");

    QTest::newRow("ingested") << u"ingested"_qs << 7 << QByteArray("confab_messages_ingested_total")
                              << Labels {} << 7.0;
    QTest::newRow("ingested in batches")
        << u"ingested x3"_qs << 4 << QByteArray("confab_messages_ingested_total") << Labels {}
        << 12.0;
    QTest::newRow("delivered") << u"delivered"_qs << 5
                               << QByteArray("confab_messages_delivered_total") << Labels {} << 5.0;
    QTest::newRow("duplicate") << u"duplicate"_qs << 3
                               << QByteArray("confab_messages_duplicate_total") << Labels {} << 3.0;
    QTest::newRow("retention") << u"retention x2"_qs << 3
                               << QByteArray("confab_retention_deleted_segments_total") << Labels {}
                               << 6.0;
    QTest::newRow("s3 put 200") << u"s3 put 200"_qs << 4 << QByteArray("confab_s3_requests_total")
                                << Labels { { "op", "put" }, { "status", "200" } } << 4.0;
    QTest::newRow("s3 get error") << u"s3 get error"_qs << 2
                                  << QByteArray("confab_s3_requests_total")
                                  << Labels { { "op", "get" }, { "status", "error" } } << 2.0;
    QTest::newRow("auth expired") << u"auth expired"_qs << 6
                                  << QByteArray("confab_auth_failures_total")
                                  << Labels { { "reason", "expired" } } << 6.0;
    QTest::newRow("rate limited") << u"rate limited"_qs << 2
                                  << QByteArray("confab_rate_limited_total")
                                  << Labels { { "scope", "app" } } << 2.0;
    QTest::newRow("ws close") << u"ws close 1001"_qs << 3 << QByteArray("confab_ws_closes_total")
                              << Labels { { "code", "1001" } } << 3.0;
    QTest::newRow("sync required")
        << u"sync required"_qs << 2 << QByteArray("confab_sync_required_total") << Labels {} << 2.0;
    QTest::newRow("flush failed") << u"flush failed"_qs << 1
                                  << QByteArray("confab_flush_failures_total") << Labels {} << 1.0;
    QTest::newRow("negative batch ignored")
        << u"ingested -5"_qs << 3 << QByteArray("confab_messages_ingested_total") << Labels {}
        << 0.0;
}

void tst_Metrics::countersMoveByWhatWasRecorded()
{
    QFETCH(QString, action);
    QFETCH(int, times);
    QFETCH(QByteArray, family);
    QFETCH(Labels, labels);
    QFETCH(double, expected);

    Metrics metrics;
    for (int i = 0; i < times; ++i) {
        if (action == u"ingested")
            metrics.messageIngested();
        else if (action == u"ingested x3")
            metrics.messageIngested(3);
        else if (action == u"ingested -5")
            metrics.messageIngested(-5);
        else if (action == u"delivered")
            metrics.messageDelivered();
        else if (action == u"duplicate")
            metrics.messageDuplicate();
        else if (action == u"retention x2")
            metrics.retentionDeletedSegments(2);
        else if (action == u"s3 put 200")
            metrics.s3Request("put", "200");
        else if (action == u"s3 get error")
            metrics.s3Request("get", "error");
        else if (action == u"auth expired")
            metrics.authFailure("expired");
        else if (action == u"rate limited")
            metrics.rateLimited("app");
        else if (action == u"ws close 1001")
            metrics.wsClosed(1001);
        else if (action == u"sync required")
            metrics.syncRequired();
        else if (action == u"flush failed")
            metrics.flushFailed();
        else
            QFAIL("unknown action in test data");
    }
    const Exposition e = scrape(metrics);
    QCOMPARE(e.value(family, labels), std::optional<double>(expected));
    // Other series of the family do not move along.
    for (const Sample &s : e.series(family)) {
        if (s.labels != labels)
            QCOMPARE(s.value, 0.0);
    }
}

void tst_Metrics::gaugesHoldTheLastValue()
{
    Metrics metrics;
    metrics.setWsConnections(10);
    metrics.setWsConnections(42);
    metrics.setStreamDepth(1500);
    metrics.setDeadLetters(3);
    metrics.setRedisMemory(123456789);
    metrics.setStreamDepth(900);
    metrics.setRedisMaxMemory(2147483648);
    const Exposition e = scrape(metrics);
    QCOMPARE(e.value("confab_ws_connections"), std::optional<double>(42));
    QCOMPARE(e.value("confab_stream_depth"), std::optional<double>(900));
    QCOMPARE(e.value("confab_dead_letters"), std::optional<double>(3));
    QCOMPARE(e.value("confab_redis_memory_bytes"), std::optional<double>(123456789));
    QCOMPARE(e.value("confab_redis_maxmemory_bytes"), std::optional<double>(2147483648));
}

void tst_Metrics::deliveriesToSeveralRecipientsCountAsThatManyObservations()
{
    // GIVEN one node observing each recipient alone and another observing them together (a
    // value on a bound, between bounds, above the last, negative, and a count of 0)
    Metrics single;
    Metrics together;
    const QList<QPair<double, qint64>> observed = { { 0.01, 3 }, { 0.003, 100 }, { 7, 2 }, { -1, 4 }, { 0.2, 0 } };
    for (const auto &[seconds, count] : observed) {
        for (qint64 i = 0; i < count; ++i)
            single.observeDeliveryLatency(seconds);
        together.observeDeliveryLatency(seconds, count);
    }

    // THEN both expose the same buckets, count and sum
    const QByteArray name = "confab_delivery_latency_seconds";
    const Exposition a = scrape(single);
    const Exposition b = scrape(together);
    QCOMPARE(b.value(name + "_count"), std::optional<double>(109));
    QCOMPARE(b.value(name + "_count"), a.value(name + "_count"));
    QVERIFY(qFuzzyCompare(*b.value(name + "_sum"), *a.value(name + "_sum")));
    const auto buckets = a.series(name + "_bucket");
    QCOMPARE(b.series(name + "_bucket").size(), buckets.size());
    for (const QByteArray le : { "0.005", "0.01", "0.025", "5", "+Inf" })
        QCOMPARE(b.value(name + "_bucket", { { "le", le } }), a.value(name + "_bucket", { { "le", le } }));
    QCOMPARE(b.value(name + "_bucket", { { "le", "0.01" } }), std::optional<double>(107));
}

void tst_Metrics::histogramBucketsAreCumulative()
{
    // GIVEN latencies on both sides of several bucket bounds, one negative (clock skew)
    Metrics metrics;
    const QList<double> observed = { -0.002, 0.0003, 0.003, 0.03, 0.3, 3, 30 };
    for (double v : observed)
        metrics.observeDeliveryLatency(v);

    const Exposition e = scrape(metrics);
    const QByteArray name = "confab_delivery_latency_seconds";

    // THEN count and sum are right (the negative one counted as 0)
    QCOMPARE(e.value(name + "_count"), std::optional<double>(7));
    QVERIFY(qFuzzyCompare(*e.value(name + "_sum"), 0.0003 + 0.003 + 0.03 + 0.3 + 3 + 30));

    // AND each bucket holds everything at or below its bound
    const QList<QPair<QByteArray, double>> expected = { { "0.0005", 2 }, { "0.001", 2 },
        { "0.0025", 2 }, { "0.005", 3 }, { "0.01", 3 }, { "0.025", 3 }, { "0.05", 4 }, { "0.1", 4 },
        { "0.25", 4 }, { "0.5", 5 }, { "1", 5 }, { "2.5", 5 }, { "5", 6 }, { "+Inf", 7 } };
    for (const auto &[le, count] : expected)
        QCOMPARE(e.value(name + "_bucket", { { "le", le } }), std::optional<double>(count));
    QCOMPARE(e.series(name + "_bucket").size(), expected.size());

    // AND in every histogram family the buckets never decrease and +Inf equals _count
    metrics.observeFlush(0.2);
    metrics.observeFlush(12);
    metrics.httpRequest("/v1/messages", "POST", 200, 0.004);
    metrics.observeHistoryRead("tail", 0.015);
    metrics.segmentWritten(50000);
    const Exposition all = scrape(metrics);
    for (auto it = all.types.cbegin(); it != all.types.cend(); ++it) {
        if (it.value() != "histogram")
            continue;
        // Series of one label set (le aside) -> (le, cumulative count).
        QList<QPair<Labels, QList<QPair<double, double>>>> byLabels;
        for (const Sample &s : all.series(it.key() + "_bucket")) {
            Labels rest = s.labels;
            const double le = parseValue(rest.take("le"));
            auto found = std::find_if(
                byLabels.begin(), byLabels.end(), [&](const auto &p) { return p.first == rest; });
            if (found == byLabels.end())
                byLabels.append({ rest, { { le, s.value } } });
            else
                found->second.append({ le, s.value });
        }
        for (const auto &[labels, seriesBuckets] : byLabels) {
            QList<QPair<double, double>> buckets = seriesBuckets;
            std::sort(buckets.begin(), buckets.end());
            for (qsizetype i = 1; i < buckets.size(); ++i)
                QVERIFY2(buckets[i].second >= buckets[i - 1].second, it.key().constData());
            QVERIFY(qIsInf(buckets.last().first));
            QCOMPARE(all.value(it.key() + "_count", labels),
                std::optional<double>(buckets.last().second));
        }
    }
}

void tst_Metrics::segmentWrittenFeedsCounterAndSizes()
{
    Metrics metrics;
    metrics.segmentWritten(500);
    metrics.segmentWritten(3 * 1024 * 1024);
    metrics.segmentWritten(100 * 1024 * 1024);
    const Exposition e = scrape(metrics);
    QCOMPARE(e.value("confab_segments_written_total"), std::optional<double>(3));
    QCOMPARE(e.value("confab_segment_bytes_count"), std::optional<double>(3));
    QCOMPARE(e.value("confab_segment_bytes_sum"),
        std::optional<double>(500 + 3 * 1024 * 1024 + 100 * 1024 * 1024));
    QCOMPARE(
        e.value("confab_segment_bytes_bucket", { { "le", "1024" } }), std::optional<double>(1));
    QCOMPARE(
        e.value("confab_segment_bytes_bucket", { { "le", "4194304" } }), std::optional<double>(2));
    QCOMPARE(
        e.value("confab_segment_bytes_bucket", { { "le", "67108864" } }), std::optional<double>(2));
    QCOMPARE(
        e.value("confab_segment_bytes_bucket", { { "le", "+Inf" } }), std::optional<double>(3));
}

void tst_Metrics::httpRequestLabels()
{
    Metrics metrics;
    metrics.httpRequest("/v1/conversations/{id}/messages", "POST", 201, 0.003);
    metrics.httpRequest("/v1/conversations/{id}/messages", "POST", 201, 0.007);
    metrics.httpRequest("/v1/conversations/{id}/messages", "GET", 200, 0.002);
    metrics.httpRequest("unmatched", "BREW", 404, 0.0001);
    metrics.httpRequest("unmatched", "GET", 1234, 0.0001);

    const Exposition e = scrape(metrics);
    const QByteArray route = "/v1/conversations/{id}/messages";
    QCOMPARE(e.value("confab_http_requests_total",
                 { { "route", route }, { "method", "POST" }, { "code", "201" } }),
        std::optional<double>(2));
    QCOMPARE(e.value("confab_http_requests_total",
                 { { "route", route }, { "method", "GET" }, { "code", "200" } }),
        std::optional<double>(1));
    // Methods outside the standard verbs and impossible codes cannot mint new series.
    QCOMPARE(e.value("confab_http_requests_total",
                 { { "route", "unmatched" }, { "method", "other" }, { "code", "404" } }),
        std::optional<double>(1));
    QCOMPARE(e.value("confab_http_requests_total",
                 { { "route", "unmatched" }, { "method", "GET" }, { "code", "other" } }),
        std::optional<double>(1));
    QCOMPARE(e.value("confab_http_request_duration_seconds_count", { { "route", route } }),
        std::optional<double>(3));
    QCOMPARE(e.value("confab_http_request_duration_seconds_bucket",
                 { { "route", route }, { "le", "0.005" } }),
        std::optional<double>(2));
    QCOMPARE(e.value("confab_http_request_duration_seconds_count", { { "route", "unmatched" } }),
        std::optional<double>(2));
}

void tst_Metrics::wsCloseAndHistoryLabelsAreBounded()
{
    Metrics metrics;
    metrics.wsClosed(1000);
    metrics.wsClosed(4008);
    metrics.wsClosed(3999);
    metrics.wsClosed(65000);
    metrics.observeHistoryRead("segments", 0.04);
    metrics.observeHistoryRead("../etc", 0.04);
    const Exposition e = scrape(metrics);
    QCOMPARE(e.value("confab_ws_closes_total", { { "code", "1000" } }), std::optional<double>(1));
    QCOMPARE(e.value("confab_ws_closes_total", { { "code", "4008" } }), std::optional<double>(1));
    QCOMPARE(e.value("confab_ws_closes_total", { { "code", "other" } }), std::optional<double>(2));
    QCOMPARE(e.series("confab_ws_closes_total").size(), qsizetype(3));
    QCOMPARE(e.value("confab_history_read_duration_seconds_count", { { "source", "segments" } }),
        std::optional<double>(1));
    QCOMPARE(e.value("confab_history_read_duration_seconds_count", { { "source", "other" } }),
        std::optional<double>(1));
}

void tst_Metrics::labelSetsAreCapped()
{
    // GIVEN a caller that passes a new label value each time
    Metrics metrics;
    const int extra = 25;
    QTest::ignoreMessage(
        QtWarningMsg, QRegularExpression(QStringLiteral("confab_rate_limited_total.*other")));
    for (int i = 0; i < Metrics::maxSeriesPerFamily + extra; ++i)
        metrics.rateLimited("scope-" + QByteArray::number(i));

    // THEN the family stops growing at the cap and the rest is counted under "other"
    const Exposition e = scrape(metrics);
    QCOMPARE(e.series("confab_rate_limited_total").size(), Metrics::maxSeriesPerFamily + 1);
    QCOMPARE(e.value("confab_rate_limited_total", { { "scope", "other" } }),
        std::optional<double>(extra));
    QCOMPARE(
        e.value("confab_rate_limited_total", { { "scope", "scope-0" } }), std::optional<double>(1));

    // AND values already known keep their own series
    metrics.rateLimited("scope-7");
    QCOMPARE(scrape(metrics).value("confab_rate_limited_total", { { "scope", "scope-7" } }),
        std::optional<double>(2));
}

void tst_Metrics::runningTotalsAreMirrored()
{
    Metrics metrics;
    metrics.setRedisCommandsTotal(10);
    metrics.setRedisCommandsTotal(25);
    metrics.setRedisReconnectsTotal(2);
    metrics.setWsWriteWindowsTotal(7);
    metrics.setRedisWritesHeldTotal(3);
    QCOMPARE(scrape(metrics).value("confab_redis_writes_held_total"), std::optional<double>(3));
    QCOMPARE(scrape(metrics).value("confab_ws_write_windows_total"), std::optional<double>(7));
    QCOMPARE(scrape(metrics).value("confab_redis_commands_total"), std::optional<double>(25));
    QCOMPARE(scrape(metrics).value("confab_redis_reconnects_total"), std::optional<double>(2));

    // A new client starts from 0: the counter keeps going up instead of going back.
    metrics.setRedisCommandsTotal(5);
    metrics.setRedisCommandsTotal(5);
    QCOMPARE(scrape(metrics).value("confab_redis_commands_total"), std::optional<double>(30));
}

void tst_Metrics::authReasonsArePresentFromTheStart()
{
    Metrics metrics;
    Exposition e = scrape(metrics);
    for (const char *reason : { "missing", "malformed", "bad_signature", "expired", "revoked",
             "unknown_credential", "jwks_unavailable" }) {
        QCOMPARE(e.value("confab_auth_failures_total", { { "reason", reason } }),
            std::optional<double>(0));
    }
    metrics.authFailure("something_new");
    e = scrape(metrics);
    QCOMPARE(e.value("confab_auth_failures_total", { { "reason", "something_new" } }),
        std::optional<double>(1));
}

void tst_Metrics::buildInfo()
{
    const Exposition named = scrape(Metrics("9.8.7"));
    QCOMPARE(named.value("confab_build_info",
                 { { "version", "9.8.7" }, { "commit", confab::commit() }, { "qt", qVersion() } }),
        std::optional<double>(1));

    const Exposition defaulted = scrape(Metrics());
    const QList<Sample> info = defaulted.series("confab_build_info");
    QCOMPARE(info.size(), qsizetype(1));
    // The build's own version and commit, as confabd --version and /healthz report them.
    QCOMPARE(info.first().labels.value("version"), QByteArray(confab::version()));
    QCOMPARE(info.first().labels.value("commit"), QByteArray(confab::commit()));
    QCOMPARE(Metrics::contentType(), QByteArray("text/plain; version=0.0.4; charset=utf-8"));
}

void tst_Metrics::processMetricsArePlausible()
{
    // GIVEN memory this process certainly touched
    std::vector<char> touched(8 * 1024 * 1024, 1);
    const Metrics metrics;
    const Exposition e = scrape(metrics);

    const double rss = e.value("process_resident_memory_bytes").value_or(-1);
    const double vsz = e.value("process_virtual_memory_bytes").value_or(-1);
    QVERIFY2(rss >= double(touched.size()), QByteArray::number(rss).constData());
    QVERIFY(vsz >= rss);
    const double fds = e.value("process_open_fds").value_or(-1);
    QVERIFY(fds >= 3); // stdin, stdout, stderr at least
    QVERIFY(e.value("process_max_fds").value_or(-1) >= fds);
    QVERIFY(e.value("process_cpu_seconds_total").value_or(-1) >= 0);
    const double start = e.value("process_start_time_seconds").value_or(-1);
    const double now = double(QDateTime::currentSecsSinceEpoch());
    QVERIFY2(start <= now + 1 && start > now - 3600, QByteArray::number(start).constData());

    // An extra descriptor shows at the next scrape.
    QFile extra(QStringLiteral("/proc/self/status"));
    QVERIFY(extra.open(QIODevice::ReadOnly));
    QCOMPARE(scrape(metrics).value("process_open_fds"), std::optional<double>(fds + 1));
}

void tst_Metrics::concurrentRecordingLosesNothing()
{
    Metrics metrics;
    const int perThread = 20000;
    std::vector<std::unique_ptr<QThread>> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back(QThread::create([&metrics, t] {
            const QByteArray route = "/r" + QByteArray::number(t % 2);
            for (int i = 0; i < perThread; ++i) {
                metrics.messageIngested();
                metrics.httpRequest(route, "GET", 200, 0.001);
                metrics.observeDeliveryLatency(0.002);
            }
        }));
        threads.back()->start();
    }
    for (auto &thread : threads)
        QVERIFY(thread->wait(QDeadlineTimer(60000)));

    const Exposition e = scrape(metrics);
    QCOMPARE(e.value("confab_messages_ingested_total"), std::optional<double>(4 * perThread));
    QCOMPARE(
        e.value("confab_delivery_latency_seconds_count"), std::optional<double>(4 * perThread));
    for (const char *route : { "/r0", "/r1" }) {
        QCOMPARE(e.value("confab_http_requests_total",
                     { { "route", route }, { "method", "GET" }, { "code", "200" } }),
            std::optional<double>(2 * perThread));
    }
}

QTEST_GUILESS_MAIN(tst_Metrics)
#include "tst_metrics.moc"

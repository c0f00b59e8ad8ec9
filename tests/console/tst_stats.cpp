#include "core/stats.h"
#include "fixtures.h"

#include <QJsonArray>
#include <QTest>

using namespace confab::console;

class tst_Stats : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesProtocolExample()
    {
        const auto stats = parseStats(test::protocolStatsFrame());
        QVERIFY(stats.has_value());
        QCOMPARE(stats->ts, 1732240000000);
        QCOMPARE(stats->nodeId, QStringLiteral("n1"));
        QCOMPARE(stats->nodes.size(), 1);
        QCOMPARE(stats->nodes.at(0).connections, 12);
        QCOMPARE(stats->connections, 12);
        QCOMPARE(stats->ingestPerS, 350.5);
        QCOMPARE(stats->streamDepth, 1234);
        QCOMPARE(stats->streams.size(), 1);
        QCOMPARE(stats->streams.at(0).appId, QStringLiteral("a"));
        QCOMPARE(stats->streams.at(0).convoId, QStringLiteral("c1"));
        QCOMPARE(stats->streams.at(0).depth, 300);
        QCOMPARE(stats->streams.at(0).oldestUnflushedAgeMs, 5000);
        QCOMPARE(stats->flush.p50Ms, 10.1);
        QCOMPARE(stats->flush.p95Ms, 30.2);
        QCOMPARE(stats->flush.p99Ms, 44.0);
        QCOMPARE(stats->flush.lastMs, 12.5);
        QCOMPARE(stats->flush.segmentsTotal, 88);
        QCOMPARE(stats->flush.bytesTotal, 1048576);
        QCOMPARE(stats->deadLetterCount, 2);
        QCOMPARE(stats->redisUsedMemoryBytes, 12345678);
    }

    void epochOldestIsTurnedIntoAnAge()
    {
        // GIVEN a server that sends the oldest record's time instead of its age
        QJsonObject frame = test::protocolStatsFrame();
        QJsonObject stream = frame.value(QLatin1String("streams")).toArray().at(0).toObject();
        stream.insert(QStringLiteral("oldest_unflushed_ms"), qint64(1732240000000 - 90000));
        frame.insert(QStringLiteral("streams"), QJsonArray { stream });
        // THEN the console still shows the age
        const auto stats = parseStats(frame);
        QVERIFY(stats.has_value());
        QCOMPARE(stats->streams.at(0).oldestUnflushedAgeMs, 90'000);
    }

    void unknownFieldsAreIgnored()
    {
        QJsonObject frame = test::protocolStatsFrame();
        frame.insert(QStringLiteral("future_field"), QJsonObject { { QStringLiteral("x"), 1 } });
        QVERIFY(parseStats(frame).has_value());
    }

    void rejectsMalformed_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<QString>("named"); // the error message names the culprit
        QTest::addRow("ts missing")
            << QStringLiteral("ts") << QJsonValue(QJsonValue::Undefined) << QStringLiteral("ts");
        QTest::addRow("ts string")
            << QStringLiteral("ts") << QJsonValue(QStringLiteral("now")) << QStringLiteral("ts");
        QTest::addRow("connections missing")
            << QStringLiteral("connections") << QJsonValue(QJsonValue::Undefined)
            << QStringLiteral("connections");
        QTest::addRow("ingest string")
            << QStringLiteral("ingest_per_s") << QJsonValue(QStringLiteral("1"))
            << QStringLiteral("ingest_per_s");
        QTest::addRow("depth missing")
            << QStringLiteral("stream_depth") << QJsonValue(QJsonValue::Undefined)
            << QStringLiteral("stream_depth");
        QTest::addRow("stream without convo")
            << QStringLiteral("streams")
            << QJsonValue(
                   QJsonArray { QJsonObject { { QStringLiteral("app_id"), QStringLiteral("a") },
                       { QStringLiteral("depth"), 3 } } })
            << QStringLiteral("convo_id");
        QTest::addRow("node without id")
            << QStringLiteral("nodes")
            << QJsonValue(QJsonArray { QJsonObject { { QStringLiteral("connections"), 3 } } })
            << QStringLiteral("node_id");
        QTest::addRow("flush p99 string")
            << QStringLiteral("flush")
            << QJsonValue(QJsonObject { { QStringLiteral("p99_ms"), QStringLiteral("x") } })
            << QStringLiteral("flush");
    }

    void rejectsMalformed()
    {
        QFETCH(QString, field);
        QFETCH(QJsonValue, value);
        QFETCH(QString, named);
        QJsonObject frame = test::protocolStatsFrame();
        if (value.isUndefined())
            frame.remove(field);
        else
            frame.insert(field, value);
        const auto stats = parseStats(frame);
        QVERIFY(!stats.has_value());
        QCOMPARE(stats.error().code, confab::ErrorCode::BadRequest);
        QVERIFY2(stats.error().message.contains(named), qPrintable(stats.error().message));
    }

    void parsesDeadLetter()
    {
        const auto d = parseDeadLetter(test::protocolDeadLetter(QStringLiteral("dl1"), 41, 80));
        QVERIFY(d.has_value());
        QCOMPARE(d->id, QStringLiteral("dl1"));
        QCOMPARE(d->kind, QStringLiteral("segment_flush"));
        QCOMPARE(d->appId, QStringLiteral("a"));
        QCOMPARE(d->convoId, QStringLiteral("c1"));
        QCOMPARE(d->firstSeq, 41);
        QCOMPARE(d->lastSeq, 80);
        QCOMPARE(d->attempts, 5);
        QCOMPARE(d->createdMs, 1732240000000);
        QCOMPARE(d->lastAttemptMs, 1732240090000);
        QVERIFY(d->error.contains(QLatin1String("connection refused")));
    }

    void deadLetterNeedsIdAndKind()
    {
        QJsonObject o = test::protocolDeadLetter(QStringLiteral("dl1"));
        o.remove(QStringLiteral("kind"));
        QVERIFY(!parseDeadLetter(o).has_value());
        o = test::protocolDeadLetter(QStringLiteral("dl1"));
        o.insert(QStringLiteral("id"), 7);
        QVERIFY(!parseDeadLetter(o).has_value());
    }
};

QTEST_GUILESS_MAIN(tst_Stats)
#include "tst_stats.moc"

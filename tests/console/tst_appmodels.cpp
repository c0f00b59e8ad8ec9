// The console's app-related models and logic without a display: AppsModel, KeysModel, app
// names in the streams and dead letters models, per-app samples, AlertWatcher, and the
// command line's direct connection.
#include "core/alertwatcher.h"
#include "core/appsmodel.h"
#include "core/deadlettersmodel.h"
#include "core/keysmodel.h"
#include "core/profilestore.h"
#include "core/roles.h"
#include "core/statshistory.h"
#include "core/streamsmodel.h"
#include "fixtures.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace confab::console;

namespace
{

QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(text).object();
}

Stats statsWithApps()
{
    QJsonObject frame = test::protocolStatsFrame();
    frame.insert(QStringLiteral("apps"),
        QJsonDocument::fromJson(
            R"([{"app_id":"a","name":"Alpha","connections":7,"ingest_per_s":12.5,"dead_letters":2},
                {"app_id":"b","name":"Beta","connections":0,"ingest_per_s":0,"dead_letters":0}])")
            .array());
    auto s = parseStats(frame);
    Q_ASSERT(s.has_value());
    return s.value();
}

} // namespace

class tst_AppModels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void statsAppsParsedAndOptional()
    {
        const Stats s = statsWithApps();
        QCOMPARE(s.apps.size(), 2);
        QCOMPARE(s.apps[0].name, QStringLiteral("Alpha"));
        QCOMPARE(s.apps[0].connections, 7);
        QCOMPARE(s.apps[0].ingestPerS, 12.5);
        QCOMPARE(s.apps[0].deadLetters, 2);
        // A server without the addition: no apps, not an error.
        QVERIFY(parseStats(test::protocolStatsFrame()).value().apps.isEmpty());
        QJsonObject bad = test::protocolStatsFrame();
        bad.insert(QStringLiteral("apps"), QJsonArray { QJsonObject { { QStringLiteral("connections"), 1 } } });
        QVERIFY(!parseStats(bad).has_value());
    }

    void appsModelMergesListAndStats()
    {
        AppsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy names(&model, &AppsModel::namesChanged);
        model.setApps(json(R"({"apps":[{"app_id":"a","name":"Alpha","oidc_issuer":"https:\/\/id.example\/","oidc_audience":"chat",
            "limits":{"user_msgs_per_min":120},"created_ms":1}, {"app_id":"b","name":"Beta","limits":{}}]})"));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(names.size(), 1);
        QCOMPARE(model.index(0, AppsModel::NameColumn).data().toString(), QStringLiteral("Alpha"));
        QCOMPARE(model.index(0, AppsModel::NameColumn).data(Qt::ToolTipRole).toString(), QStringLiteral("App id: a"));
        QCOMPARE(model.index(0, AppsModel::IdColumn).data(AppIdRole).toString(), QStringLiteral("a"));
        QCOMPARE(model.index(0, AppsModel::IssuerColumn).data().toString(), QStringLiteral("https://id.example/"));
        QCOMPARE(model.index(1, AppsModel::IssuerColumn).data().toString(), QStringLiteral("none"));
        QCOMPARE(model.index(0, AppsModel::LimitsColumn).data().toString(), QStringLiteral("user_msgs_per_min 120"));
        QCOMPARE(model.index(1, AppsModel::LimitsColumn).data().toString(), QStringLiteral("defaults"));

        // Figures from a stats frame; the settings stay.
        model.setStats(statsWithApps().apps);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0, AppsModel::ConnectionsColumn).data(SortRole).toLongLong(), 7);
        QCOMPARE(model.index(0, AppsModel::DeadLettersColumn).data(SortRole).toLongLong(), 2);
        QCOMPARE(model.index(0, AppsModel::IngestColumn).data(SortRole).toDouble(), 12.5);
        QCOMPARE(model.index(0, AppsModel::AudienceColumn).data().toString(), QStringLiteral("chat"));
        QCOMPARE(names.size(), 1); // same names

        // A rename and a deletion seen in the next frame.
        AppStats renamed = statsWithApps().apps[0];
        renamed.name = QStringLiteral("Alpha 2");
        model.setStats({ renamed });
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.nameOf(QStringLiteral("a")), QStringLiteral("Alpha 2"));
        QCOMPARE(model.nameOf(QStringLiteral("zzz")), QStringLiteral("zzz"));
        QCOMPARE(names.size(), 2);
        // The list keeps the figures already known.
        model.setApps(json(R"({"apps":[{"app_id":"a","name":"Alpha 2"}]})"));
        QCOMPARE(model.index(0, AppsModel::ConnectionsColumn).data(SortRole).toLongLong(), 7);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(names.size(), 3);
    }

    void keysModel()
    {
        KeysModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setKeys(json(R"({"keys":[{"key_id":"k_1","label":"backend","created_ms":1732240000000,"expires_ms":1732326400000},
            {"key_id":"k_2","label":"backend","created_ms":1732240001000}]})"));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0, KeysModel::IdColumn).data().toString(), QStringLiteral("k_1"));
        QCOMPARE(model.index(0, KeysModel::IdColumn).data(KeyRole).toString(), QStringLiteral("k_1"));
        QVERIFY(model.index(0, KeysModel::ExpiresColumn).data(Qt::ToolTipRole).toString().contains(QLatin1String("stops working")));
        QCOMPARE(model.index(1, KeysModel::ExpiresColumn).data().toString(), QStringLiteral("never"));
        QCOMPARE(model.index(1, KeysModel::LastUsedColumn).data().toString(), QStringLiteral("not recorded"));
        QVERIFY(model.index(1, KeysModel::ExpiresColumn).data(SortRole).toLongLong()
            > model.index(0, KeysModel::ExpiresColumn).data(SortRole).toLongLong());
        model.setKeys(json(R"({"keys":[{"key_id":"k_2","label":"backend","created_ms":1732240001000}]})"));
        QCOMPARE(model.rowCount(), 1);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void appNamesInStreamsAndDeadLetters()
    {
        StreamsModel streams;
        QAbstractItemModelTester t1(&streams, QAbstractItemModelTester::FailureReportingMode::QtTest);
        streams.setStreams(statsWithApps().streams);
        QCOMPARE(streams.index(0, StreamsModel::AppColumn).data().toString(), QStringLiteral("a"));
        streams.setAppNames({ { QStringLiteral("a"), QStringLiteral("Alpha") } });
        QCOMPARE(streams.index(0, StreamsModel::AppColumn).data().toString(), QStringLiteral("Alpha"));
        QCOMPARE(streams.index(0, StreamsModel::AppColumn).data(AppIdRole).toString(), QStringLiteral("a"));
        QCOMPARE(streams.index(0, StreamsModel::AppColumn).data(Qt::ToolTipRole).toString(), QStringLiteral("App id: a"));
        // The filter finds the stream by name and by id.
        StreamsFilterModel filter;
        filter.setSourceModel(&streams);
        filter.setFilterText(QStringLiteral("alp"));
        QCOMPARE(filter.rowCount(), 1);
        streams.setAppNames({ { QStringLiteral("a"), QStringLiteral("Zed") } });
        filter.setFilterText(QStringLiteral("a"));
        QCOMPARE(filter.rowCount(), 1); // by its id
        filter.setFilterText(QStringLiteral("q"));
        QCOMPARE(filter.rowCount(), 0);

        DeadLettersModel dead;
        QAbstractItemModelTester t2(&dead, QAbstractItemModelTester::FailureReportingMode::QtTest);
        dead.setItems({ parseDeadLetter(test::protocolDeadLetter(QStringLiteral("d1"))).value() });
        dead.setAppNames({ { QStringLiteral("a"), QStringLiteral("Alpha") } });
        QCOMPARE(dead.index(0, DeadLettersModel::AppColumn).data().toString(), QStringLiteral("Alpha"));
        QCOMPARE(dead.index(0, DeadLettersModel::AppColumn).data(Qt::ToolTipRole).toString(), QStringLiteral("App id: a"));
        QCOMPARE(dead.index(0, DeadLettersModel::AppColumn).data(AppIdRole).toString(), QStringLiteral("a"));
    }

    void samplesNarrowToOneApp()
    {
        StatsHistory history(10);
        history.append(statsWithApps());
        const StatsSample s = history.latest();
        QCOMPARE(s.streamDepth, 1234);
        const StatsSample a = s.forApp(QStringLiteral("a"));
        QCOMPARE(a.streamDepth, 300); // its one listed stream
        QCOMPARE(a.ingestPerS, 12.5);
        QCOMPARE(a.flushP95Ms, s.flushP95Ms);
        const StatsSample b = s.forApp(QStringLiteral("b"));
        QCOMPARE(b.streamDepth, 0);
        QCOMPARE(b.ingestPerS, 0.0);
    }

    void alertsOnNodeLossDeadLettersAndConnection()
    {
        AlertWatcher w;
        QSignalSpy alerts(&w, &AlertWatcher::alert);
        QSignalSpy resolved(&w, &AlertWatcher::resolved);
        Stats s = statsWithApps();
        s.nodes = { NodeStats { QStringLiteral("n1"), 1 }, NodeStats { QStringLiteral("n2"), 1 } };
        s.deadLetterCount = 0;
        w.onStats(s);
        w.onStats(s);
        QCOMPARE(alerts.size(), 0);

        s.nodes = { NodeStats { QStringLiteral("n1"), 1 } };
        w.onStats(s);
        QCOMPARE(alerts.size(), 1);
        QCOMPARE(alerts.last().at(0).toString(), QStringLiteral("Node n2 stopped answering"));
        w.onStats(s); // still gone: no second alert
        QCOMPARE(alerts.size(), 1);

        s.deadLetterCount = 3;
        w.onStats(s);
        QCOMPARE(alerts.size(), 2);
        QVERIFY(alerts.last().at(0).toString().startsWith(QLatin1String("3 new dead letter")));
        QCOMPARE(w.activeCount(), 2);

        // The node comes back and the dead letters are handled: nothing is wrong any more.
        s.nodes = { NodeStats { QStringLiteral("n1"), 1 }, NodeStats { QStringLiteral("n2"), 1 } };
        s.deadLetterCount = 0;
        w.onStats(s);
        QCOMPARE(w.activeCount(), 0);
        QCOMPARE(resolved.size(), 1);

        w.onConnectionLost(QStringLiteral("prod"), QStringLiteral("connection refused"));
        w.onConnectionLost(QStringLiteral("prod"), QStringLiteral("connection refused"));
        QCOMPARE(alerts.size(), 3);
        QCOMPARE(alerts.last().at(0).toString(), QStringLiteral("Lost the connection to prod: connection refused"));
        w.onConnected();
        QCOMPARE(resolved.size(), 2);
    }

    void alertsOnAnUnreadyNode()
    {
        // GIVEN two ready nodes
        AlertWatcher w;
        QSignalSpy alerts(&w, &AlertWatcher::alert);
        QSignalSpy resolved(&w, &AlertWatcher::resolved);
        Stats s = statsWithApps();
        s.deadLetterCount = 0;
        s.nodes = { NodeStats { QStringLiteral("n1"), 1, true }, NodeStats { QStringLiteral("n2"), 1, true } };
        w.onStats(s);
        QCOMPARE(alerts.size(), 0);
        // WHEN n2 reports its readiness checks failing, for two frames
        s.nodes[1].ready = false;
        w.onStats(s);
        w.onStats(s);
        // THEN one alert names it, and it clears once n2 is ready again
        QCOMPARE(alerts.size(), 1);
        QCOMPARE(alerts.last().at(0).toString(),
                 QStringLiteral("Node n2 is not ready: PostgreSQL, Redis or object storage does not answer it"));
        s.nodes[1].ready = true;
        w.onStats(s);
        QCOMPARE(w.activeCount(), 0);
        QCOMPARE(resolved.size(), 1);
    }

    void directConnectionFromTheCommandLine()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("token"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("secret-token\nignored\n");
        f.close();
        auto d = directConnection(QStringLiteral("ws://127.0.0.1:8081/admin/ws"), file, QStringLiteral("env"), {});
        QVERIFY(d.has_value());
        QCOMPARE(d->token, QStringLiteral("secret-token")); // the file wins over the environment
        d = directConnection(QStringLiteral("ws://127.0.0.1:8081/admin/ws"), {}, QStringLiteral(" env-token "), {});
        QVERIFY(d.has_value());
        QCOMPARE(d->token, QStringLiteral("env-token"));
        QVERIFY(!directConnection(QStringLiteral("ws://127.0.0.1:8081/admin/ws"), {}, {}, {}).has_value());
        QVERIFY(!directConnection(QStringLiteral("http://x/admin/ws"), {}, QStringLiteral("t"), {}).has_value());
        QVERIFY(!directConnection(QStringLiteral("ws://x/admin/ws?access_token=t"), {}, QStringLiteral("t"), {}).has_value());
        QVERIFY(!directConnection(QStringLiteral("ws://x/admin/ws"), dir.filePath(QStringLiteral("none")), {}, {}).has_value());
        QVERIFY(!directConnection(QStringLiteral("ws://x/admin/ws"), {}, QStringLiteral("t"), file).has_value());
        const auto err = directConnection(QStringLiteral("ws://x/admin/ws"), {}, {}, {});
        QVERIFY(!err.error().message.contains(QLatin1String("secret")));
    }
};

QTEST_GUILESS_MAIN(tst_AppModels)
#include "tst_appmodels.moc"

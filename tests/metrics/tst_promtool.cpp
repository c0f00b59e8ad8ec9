#include "metrics/metrics.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using confab::metrics::Metrics;

namespace
{

const QString sourceDir = QStringLiteral(CONFAB_SOURCE_DIR);

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

// Runs promtool to completion without blocking calls: the test's event loop turns while
// QSignalSpy waits for finished().
Run promtool(const QStringList &args, const QByteArray &input = {})
{
    QProcess process;
    QSignalSpy finished(&process, &QProcess::finished);
    process.start(QStandardPaths::findExecutable(QStringLiteral("promtool")), args);
    process.write(input);
    process.closeWriteChannel();
    if (!finished.wait(60000))
        return {};
    return { process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
        process.readAllStandardOutput(), process.readAllStandardError() };
}

bool havePromtool()
{
    return !QStandardPaths::findExecutable(QStringLiteral("promtool")).isEmpty();
}

// A server that has recorded some of everything, so that every kind of series is printed.
QByteArray busyExposition()
{
    Metrics m("0.1.0");
    m.messageIngested(12);
    m.setWsConnections(3);
    m.observeDeliveryLatency(0.004);
    m.setStreamDepth(120);
    m.observeFlush(0.3);
    m.segmentWritten(200000);
    m.setDeadLetters(1);
    m.retentionDeletedSegments(2);
    m.s3Request("put", "200");
    m.s3Request("get", "error");
    m.setRedisMemory(1 << 20);
    m.setRedisMaxMemory(1 << 30);
    m.httpRequest("/v1/conversations/{id}/messages", "POST", 201, 0.006);
    m.httpRequest("unmatched", "GET", 404, 0.0002);
    m.authFailure("expired");
    m.messageDelivered(30);
    m.messageDuplicate();
    m.rateLimited("user");
    m.wsClosed(1001);
    m.syncRequired();
    m.flushFailed();
    m.observeHistoryRead("segments", 0.03);
    m.setRedisCommandsTotal(400);
    m.setRedisReconnectsTotal(1);
    // Label values with characters the text format must escape.
    m.rateLimited("quote\" back\\slash\nnewline");
    return m.render();
}

QSet<QByteArray> renderedFamilies()
{
    QSet<QByteArray> names;
    for (const QByteArray &line : busyExposition().split('\n')) {
        if (line.startsWith("# TYPE "))
            names.insert(line.mid(7).split(' ').value(0));
    }
    return names;
}

} // namespace

class tst_Promtool : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void emptyExpositionPassesCheckMetrics();
    void busyExpositionPassesCheckMetrics();
    void alertRulesPassCheckRules();
    void alertRulesUnitTests();
    void rulesAndDashboardUseExistingFamilies_data();
    void rulesAndDashboardUseExistingFamilies();
    void dashboardIsGrafanaJson();
    void dashboardQueriesParse();
};

void tst_Promtool::emptyExpositionPassesCheckMetrics()
{
    if (!havePromtool())
        QSKIP("promtool not on PATH (Debian package prometheus)");
    const Metrics metrics;
    const Run run
        = promtool({ QStringLiteral("check"), QStringLiteral("metrics") }, metrics.render());
    QVERIFY2(run.out.isEmpty() && run.err.isEmpty(), (run.out + run.err).constData());
    QCOMPARE(run.exitCode, 0);
}

void tst_Promtool::busyExpositionPassesCheckMetrics()
{
    if (!havePromtool())
        QSKIP("promtool not on PATH (Debian package prometheus)");
    const Run run
        = promtool({ QStringLiteral("check"), QStringLiteral("metrics") }, busyExposition());
    QVERIFY2(run.out.isEmpty() && run.err.isEmpty(), (run.out + run.err).constData());
    QCOMPARE(run.exitCode, 0);
}

void tst_Promtool::alertRulesPassCheckRules()
{
    if (!havePromtool())
        QSKIP("promtool not on PATH (Debian package prometheus)");
    const Run run = promtool({ QStringLiteral("check"), QStringLiteral("rules"),
        sourceDir + QStringLiteral("/resources/prometheus/alerts.yml") });
    QVERIFY2(run.exitCode == 0, (run.out + run.err).constData());
    QVERIFY2(run.out.contains("SUCCESS"), run.out.constData());
}

void tst_Promtool::alertRulesUnitTests()
{
    if (!havePromtool())
        QSKIP("promtool not on PATH (Debian package prometheus)");
    // Each alert fires on a synthetic series that should page, and stays quiet on one that
    // should not (resources/prometheus/alerts_test.yml).
    const Run run = promtool({ QStringLiteral("test"), QStringLiteral("rules"),
        sourceDir + QStringLiteral("/resources/prometheus/alerts_test.yml") });
    QVERIFY2(run.exitCode == 0, (run.out + run.err).constData());
}

void tst_Promtool::rulesAndDashboardUseExistingFamilies_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("alerts") << QStringLiteral("/resources/prometheus/alerts.yml");
    QTest::newRow("dashboard") << QStringLiteral("/resources/grafana/confab-dashboard.json");
}

void tst_Promtool::rulesAndDashboardUseExistingFamilies()
{
    QFETCH(QString, file);

    // GIVEN the families confabd exports
    const QSet<QByteArray> families = renderedFamilies();

    // WHEN a query names a confab_ or process_ series
    QFile f(sourceDir + file);
    QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(f.fileName()));
    const QString text = QString::fromUtf8(f.readAll());
    static const QRegularExpression series(QStringLiteral("\\b((?:confab|process)_[a-z0-9_]+)"));
    int seen = 0;
    for (auto it = series.globalMatch(text); it.hasNext();) {
        QByteArray name = it.next().captured(1).toUtf8();
        // THEN it is an exported family (histograms are queried by their _bucket/_sum/_count)
        for (const char *suffix : { "_bucket", "_sum", "_count" }) {
            if (!families.contains(name) && name.endsWith(suffix))
                name.chop(qsizetype(qstrlen(suffix)));
        }
        QVERIFY2(families.contains(name), name.constData());
        ++seen;
    }
    QVERIFY(seen > 5);
}

void tst_Promtool::dashboardIsGrafanaJson()
{
    QFile f(sourceDir + QStringLiteral("/resources/grafana/confab-dashboard.json"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    const QJsonObject dashboard = doc.object();
    QVERIFY(!dashboard.value(QLatin1String("title")).toString().isEmpty());
    QVERIFY(!dashboard.value(QLatin1String("uid")).toString().isEmpty());

    // Every panel has a title, a datasource variable and at least one query; ids are unique.
    const QJsonArray panels = dashboard.value(QLatin1String("panels")).toArray();
    QVERIFY(panels.size() >= 12);
    QSet<int> ids;
    for (const QJsonValue &v : panels) {
        const QJsonObject panel = v.toObject();
        const QString title = panel.value(QLatin1String("title")).toString();
        QVERIFY(!title.isEmpty());
        const int id = panel.value(QLatin1String("id")).toInt();
        QVERIFY2(!ids.contains(id), qPrintable(title));
        ids.insert(id);
        if (panel.value(QLatin1String("type")).toString() == QLatin1String("row"))
            continue;
        const QJsonArray targets = panel.value(QLatin1String("targets")).toArray();
        QVERIFY2(!targets.isEmpty(), qPrintable(title));
        for (const QJsonValue &t : targets)
            QVERIFY2(
                !t.toObject().value(QLatin1String("expr")).toString().isEmpty(), qPrintable(title));
    }
}

void tst_Promtool::dashboardQueriesParse()
{
    if (!havePromtool())
        QSKIP("promtool not on PATH (Debian package prometheus)");
    // GIVEN every query of the dashboard, with Grafana's variables as Grafana would fill them
    QFile f(sourceDir + QStringLiteral("/resources/grafana/confab-dashboard.json"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonArray panels
        = QJsonDocument::fromJson(f.readAll()).object().value(QLatin1String("panels")).toArray();
    QByteArray rules = "groups:\n  - name: dashboard\n    rules:\n";
    int n = 0;
    for (const QJsonValue &panel : panels) {
        for (const QJsonValue &target :
            panel.toObject().value(QLatin1String("targets")).toArray()) {
            QString expr = target.toObject().value(QLatin1String("expr")).toString();
            expr.replace(QLatin1String("$__rate_interval"), QLatin1String("5m"))
                .replace(QLatin1String("$job"), QLatin1String(".*"))
                .replace(QLatin1String("$instance"), QLatin1String(".*"))
                .replace(QLatin1Char('\''), QLatin1String("''"));
            rules += "      - record: confab:dashboard_" + QByteArray::number(++n)
                + "\n        expr: '" + expr.toUtf8() + "'\n";
        }
    }
    QTemporaryDir dir;
    QFile file(dir.filePath(QStringLiteral("dashboard-rules.yml")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(rules);
    file.close();

    // THEN Prometheus's own parser accepts them all
    const Run run = promtool({ QStringLiteral("check"), QStringLiteral("rules"), file.fileName() });
    QVERIFY2(run.exitCode == 0, (run.out + run.err + rules).constData());
    QVERIFY2(run.out.contains(QByteArray::number(n) + " rules found"), run.out.constData());
}

QTEST_GUILESS_MAIN(tst_Promtool)
#include "tst_promtool.moc"

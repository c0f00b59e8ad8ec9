#include "node/node.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace confab;

namespace
{

QString sourcePath(const char *relative)
{
    return QStringLiteral(CONFAB_SOURCE_DIR "/") + QLatin1String(relative);
}

// Debian's interpreter first: python3-yaml and python3-jsonschema are installed for it
// (scripts/install-deps.sh), whatever else PATH may put first.
QString python()
{
    const QString debian = QStringLiteral("/usr/bin/python3");
    return QFile::exists(debian) ? debian : QStringLiteral("python3");
}

QStringList operationNames(const QList<http::Router::Entry> &routes)
{
    QStringList out;
    for (const auto &r : routes)
        out.append(QString::fromLatin1(r.method + ' ' + r.pattern));
    return out;
}

} // namespace

// docs/openapi.yaml against the server: the document is valid OpenAPI 3.1 (openapi_check.py),
// every route a node registers on either listener is documented, and every documented
// operation is a registered route.
class TestOpenApi : public QObject
{
    Q_OBJECT

    QStringList m_documented;

private Q_SLOTS:
    void documentIsValid()
    {
        QProcess p;
        p.start(python(),
            { sourcePath("tests/server/openapi_check.py"), sourcePath("docs/openapi.yaml") });
        QVERIFY2(p.waitForFinished(60000), "openapi_check.py did not finish");
        const QByteArray problems = p.readAllStandardError();
        QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0, problems.constData());
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(p.readAllStandardOutput(), &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        for (const QJsonValue op : doc.object().value(QLatin1String("operations")).toArray()) {
            const QJsonArray pair = op.toArray();
            m_documented.append(pair.at(0).toString() + u' ' + pair.at(1).toString());
        }
        QVERIFY(m_documented.size() > 10);
    }

    void routesMatchTheDocument()
    {
        QVERIFY2(!m_documented.isEmpty(), "documentIsValid failed");
        // A node is built as confabd builds it; nothing is started, so no service is needed.
        QTemporaryDir objects;
        QVERIFY(objects.isValid());
        Config config;
        config.s3.endpoint = QStringLiteral("file://") + objects.path();
        const node::Node node(config);
        const QStringList registered
            = operationNames(node.publicRoutes()) + operationNames(node.internalRoutes());
        QVERIFY(registered.contains(QStringLiteral("POST /v1/conversations/{id}/messages")));

        QStringList undocumented;
        for (const QString &r : registered) {
            if (!m_documented.contains(r))
                undocumented.append(r);
        }
        QStringList missing;
        for (const QString &d : std::as_const(m_documented)) {
            if (!registered.contains(d))
                missing.append(d);
        }
        QVERIFY2(undocumented.isEmpty(),
            qPrintable(
                QStringLiteral("routes not in docs/openapi.yaml: ") + undocumented.join(u", ")));
        QVERIFY2(missing.isEmpty(),
            qPrintable(QStringLiteral("documented but not registered: ") + missing.join(u", ")));
        QCOMPARE(registered.size(), m_documented.size());
    }
};

QTEST_GUILESS_MAIN(TestOpenApi)
#include "tst_openapi.moc"

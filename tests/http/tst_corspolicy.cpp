#include "http/cors.h"

#include <QTest>

using namespace confab::http;

namespace
{
QByteArray header(const QList<QPair<QByteArray, QByteArray>> &headers, QByteArrayView name)
{
    for (const auto &[n, v] : headers) {
        if (n.compare(name, Qt::CaseInsensitive) == 0)
            return v;
    }
    return {};
}
} // namespace

// The policy alone, on bytes; tst_cors (tests/integration) drives it through a real confabd.
class TestCorsPolicy : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void unsetPolicyDoesNothing()
    {
        const CorsPolicy none;
        QVERIFY(!none.isSet());
        QVERIFY(!none.allows("https://a.example"));
        QVERIFY(!none.preflight("OPTIONS", "https://a.example", "POST", { "POST" }));
        QVERIFY(none.responseHeaders("https://a.example").isEmpty());
        QVERIFY(none.allowsWebSocket("https://evil.example"));
    }

    void exactOrigins_data()
    {
        QTest::addColumn<QByteArray>("origin");
        QTest::addColumn<bool>("allowed");
        QTest::addRow("listed") << QByteArray("https://a.example") << true;
        QTest::addRow("second listed") << QByteArray("http://localhost:3000") << true;
        QTest::addRow("other port") << QByteArray("http://localhost:3001") << false;
        QTest::addRow("other scheme") << QByteArray("http://a.example") << false;
        QTest::addRow("suffix trick") << QByteArray("https://a.example.evil") << false;
        QTest::addRow("null origin") << QByteArray("null") << false;
        QTest::addRow("none") << QByteArray() << false;
    }
    void exactOrigins()
    {
        QFETCH(QByteArray, origin);
        QFETCH(bool, allowed);
        const CorsPolicy p(
            { QStringLiteral("https://a.example"), QStringLiteral("http://localhost:3000") });
        QCOMPARE(p.allows(origin), allowed);
        QCOMPARE(header(p.responseHeaders(origin), "access-control-allow-origin"),
            allowed ? origin : QByteArray());
        QCOMPARE(header(p.responseHeaders(origin), "vary"), QByteArray("Origin"));
        // No Origin at all: a client outside a browser, never refused.
        QCOMPARE(p.allowsWebSocket(origin), allowed || origin.isEmpty());
    }

    void preflightAnswer()
    {
        const CorsPolicy p({ QStringLiteral("https://a.example") });
        const auto ok = p.preflight("OPTIONS", "https://a.example", "POST", { "GET", "POST" });
        QVERIFY(ok);
        QCOMPARE(ok->status, 204);
        QCOMPARE(
            header(ok->headers, "access-control-allow-origin"), QByteArray("https://a.example"));
        QCOMPARE(header(ok->headers, "access-control-allow-methods"), QByteArray("GET, POST"));
        QCOMPARE(header(ok->headers, "access-control-allow-headers"),
            QByteArray("Authorization, Content-Type"));
        QCOMPARE(header(ok->headers, "access-control-max-age"),
            QByteArray::number(CorsPolicy::kMaxAgeSeconds));
        QVERIFY(header(ok->headers, "access-control-allow-credentials").isEmpty());

        const auto refused = p.preflight("OPTIONS", "https://b.example", "POST", { "POST" });
        QVERIFY(refused);
        QCOMPARE(refused->status, 403);
        QVERIFY(header(refused->headers, "access-control-allow-origin").isEmpty());
        QVERIFY(refused->body.contains("forbidden"));

        // Not a preflight: the router answers as for any request.
        QVERIFY(!p.preflight("OPTIONS", "https://a.example", {}, { "POST" }));
        QVERIFY(!p.preflight("OPTIONS", {}, "POST", { "POST" }));
        QVERIFY(!p.preflight("GET", "https://a.example", "POST", { "POST" }));
    }

    void anyOrigin()
    {
        const CorsPolicy p({ QStringLiteral("*") });
        QVERIFY(p.allows("https://whatever.example"));
        QCOMPARE(
            header(p.responseHeaders("https://whatever.example"), "access-control-allow-origin"),
            QByteArray("*"));
        QVERIFY(p.allowsWebSocket("https://whatever.example"));
    }
};

QTEST_APPLESS_MAIN(TestCorsPolicy)
#include "tst_corspolicy.moc"

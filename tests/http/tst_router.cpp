#include "http/router.h"

#include <QTest>

using namespace confab::http;

namespace {

QCoro::Task<Response> answer(Request)
{
    co_return Response::noContent();
}

} // namespace

class tst_Router : public QObject
{
    Q_OBJECT

private:
    Router m_router;

private Q_SLOTS:
    void initTestCase()
    {
        m_router.add("GET", "/", answer);
        m_router.add("GET", "/v1/conversations", answer);
        m_router.add("POST", "/v1/conversations", answer);
        m_router.add("GET", "/v1/conversations/{id}", answer);
        m_router.add("DELETE", "/v1/conversations/{id}/members/{user_id}", answer);
        m_router.add("GET", "/v1/attachments/{key}", answer);
        // added after the {key} pattern on purpose: literal segments win regardless of order
        m_router.add("GET", "/v1/attachments/url", answer);
    }

    void match_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("route"); // empty: no route at all (404)
        QTest::addColumn<bool>("methodNotAllowed");
        QTest::addColumn<QByteArray>("params"); // "k=v;k=v", sorted by key

        QTest::addRow("root") << QByteArray("GET") << QByteArray("/") << QByteArray("/") << false
                              << QByteArray();
        QTest::addRow("literal") << QByteArray("GET") << QByteArray("/v1/conversations")
                                 << QByteArray("/v1/conversations") << false << QByteArray();
        QTest::addRow("same path other method")
            << QByteArray("POST") << QByteArray("/v1/conversations")
            << QByteArray("/v1/conversations") << false << QByteArray();
        QTest::addRow("trailing slash ignored")
            << QByteArray("GET") << QByteArray("/v1/conversations/")
            << QByteArray("/v1/conversations") << false << QByteArray();
        QTest::addRow("one param") << QByteArray("GET") << QByteArray("/v1/conversations/c42")
                                   << QByteArray("/v1/conversations/{id}") << false
                                   << QByteArray("id=c42");
        QTest::addRow("two params")
            << QByteArray("DELETE") << QByteArray("/v1/conversations/c1/members/u%202")
            << QByteArray("/v1/conversations/{id}/members/{user_id}") << false
            << QByteArray("id=c1;user_id=u 2");
        QTest::addRow("encoded slash stays in its segment")
            << QByteArray("GET") << QByteArray("/v1/conversations/a%2Fb")
            << QByteArray("/v1/conversations/{id}") << false << QByteArray("id=a/b");
        QTest::addRow("utf-8 segment") << QByteArray("GET")
                                       << QByteArray("/v1/conversations/caf%C3%A9")
                                       << QByteArray("/v1/conversations/{id}") << false
                                       << QByteArray("id=caf\xc3\xa9");
        QTest::addRow("encoded literal") << QByteArray("GET") << QByteArray("/v1/conversation%73")
                                         << QByteArray("/v1/conversations") << false
                                         << QByteArray();
        QTest::addRow("literal beats param") << QByteArray("GET") << QByteArray("/v1/attachments/url")
                                             << QByteArray("/v1/attachments/url") << false
                                             << QByteArray();
        QTest::addRow("param when literal differs")
            << QByteArray("GET") << QByteArray("/v1/attachments/k1")
            << QByteArray("/v1/attachments/{key}") << false << QByteArray("key=k1");
        QTest::addRow("405 on known path") << QByteArray("PUT") << QByteArray("/v1/conversations")
                                           << QByteArray("/v1/conversations") << true
                                           << QByteArray();
        QTest::addRow("405 with params") << QByteArray("GET")
                                         << QByteArray("/v1/conversations/c1/members/u1")
                                         << QByteArray("/v1/conversations/{id}/members/{user_id}")
                                         << true << QByteArray();
        QTest::addRow("404 unknown") << QByteArray("GET") << QByteArray("/v2/conversations")
                                     << QByteArray() << false << QByteArray();
        QTest::addRow("404 too deep") << QByteArray("GET") << QByteArray("/v1/conversations/c1/x")
                                      << QByteArray() << false << QByteArray();
        QTest::addRow("404 empty param segment")
            << QByteArray("DELETE") << QByteArray("/v1/conversations//members/u1") << QByteArray()
            << false << QByteArray();
        QTest::addRow("404 double slash") << QByteArray("GET") << QByteArray("/v1//conversations")
                                          << QByteArray() << false << QByteArray();
    }

    void match()
    {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, route);
        QFETCH(bool, methodNotAllowed);
        QFETCH(QByteArray, params);

        const Router::Match m = m_router.match(method, path);
        QCOMPARE(m.route, route);
        QCOMPARE(m.methodNotAllowed, methodNotAllowed);
        QCOMPARE(m.handler != nullptr, !route.isEmpty() && !methodNotAllowed);

        QList<QByteArray> got;
        for (auto it = m.params.cbegin(); it != m.params.cend(); ++it)
            got.append(it.key() + '=' + it.value());
        std::sort(got.begin(), got.end());
        QCOMPARE(got.join(';'), params);
    }

    void allowedMethods()
    {
        const Router::Match m = m_router.match("DELETE", "/v1/conversations");
        QVERIFY(m.methodNotAllowed);
        QList<QByteArray> allowed = m.allowedMethods;
        std::sort(allowed.begin(), allowed.end());
        QCOMPARE(allowed, (QList<QByteArray>{"GET", "POST"}));
    }

    void handlerRuns()
    {
        Router router;
        router.add("get", "/x/{a}", [](Request r) -> QCoro::Task<Response> {
            co_return Response::json(200, r.params.value("a"));
        });
        const Router::Match m = router.match("GET", "/x/hello");
        QVERIFY(m.handler);
        Request request;
        request.params = m.params;
        const Response response = QCoro::waitFor((*m.handler)(request));
        QCOMPARE(response.body, QByteArray("hello"));
    }
};

QTEST_GUILESS_MAIN(tst_Router)
#include "tst_router.moc"

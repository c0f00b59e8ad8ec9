#include "admin/adminframe.h"

#include <QTest>

using namespace confab::admin;

Q_DECLARE_METATYPE(confab::admin::AdminFrameError)

class TestAdminFrame : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void frames()
    {
        ParsedAdminFrame p = parseAdminFrame(R"({"type":"dead_letters.list","req":"r1","limit":100})");
        QCOMPARE(p.error, AdminFrameError::None);
        QCOMPARE(p.frame.type, QStringLiteral("dead_letters.list"));
        QCOMPARE(p.frame.req, QStringLiteral("r1"));
        QVERIFY(p.frame.hasReq);
        QCOMPARE(p.frame.limit, 100);
        QCOMPARE(p.frame.intervalMs, -1);

        p = parseAdminFrame(R"({"type":"auth","token":"secret"})");
        QCOMPARE(p.error, AdminFrameError::None);
        QCOMPARE(p.frame.token, QByteArray("secret"));
        QVERIFY(!p.frame.hasReq);

        p = parseAdminFrame(R"({"type":"stats.subscribe","interval_ms":1e12})");
        QCOMPARE(p.error, AdminFrameError::None);
        QCOMPARE(p.frame.intervalMs, std::numeric_limits<int>::max()); // the session clamps it

        p = parseAdminFrame(R"({"type":"dead_letters.retry","id":"dl_1"})");
        QCOMPARE(p.frame.id, QStringLiteral("dl_1"));

        // Operator frames (docs/protocol.md, "Operator actions").
        p = parseAdminFrame(R"({"type":"user.disconnect","req":"r9","app_id":"a","user_id":"dora","close_code":4003,"reason":"bye"})");
        QCOMPARE(p.error, AdminFrameError::None);
        QCOMPARE(p.frame.appId, QStringLiteral("a"));
        QCOMPARE(p.frame.userId, QStringLiteral("dora"));
        QCOMPARE(p.frame.closeCode, 4003);
        QCOMPARE(p.frame.reason, QStringLiteral("bye"));
        p = parseAdminFrame(R"({"type":"conversation.messages","convo_id":"c1","before_seq":9007199254740992,"operator":"olga"})");
        QCOMPARE(p.error, AdminFrameError::None);
        QCOMPARE(p.frame.convoId, QStringLiteral("c1"));
        QCOMPARE(p.frame.beforeSeq, qint64(1) << 53);
        QCOMPARE(p.frame.operatorName, QStringLiteral("olga"));
        QCOMPARE(p.frame.closeCode, -1);
        p = parseAdminFrame(R"({"type":"notice.send","code":"upgrade","message":"hi"})");
        QCOMPARE(p.frame.code, QStringLiteral("upgrade"));
        QCOMPARE(p.frame.message, QStringLiteral("hi"));
        QCOMPARE(p.frame.beforeSeq, -1);
    }

    void errors_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<AdminFrameError>("error");
        QTest::addColumn<QString>("message");
        QTest::addColumn<QString>("req");
        const QString close = QStringLiteral("frame is not a JSON object with a string type");
        QTest::addRow("not json") << QByteArray("nope") << AdminFrameError::Protocol << close << QString();
        QTest::addRow("array") << QByteArray("[]") << AdminFrameError::Protocol << close << QString();
        QTest::addRow("no type") << QByteArray(R"({"req":"r"})") << AdminFrameError::Protocol << close << QString();
        QTest::addRow("duplicate key") << QByteArray(R"({"type":"ping","req":"r2","type":"flush.now"})")
                                       << AdminFrameError::BadRequest << QStringLiteral("duplicate key 'type'") << QStringLiteral("r2");
        QTest::addRow("number past 2^64") << QByteArray(R"({"type":"dead_letters.list","req":"r3","limit":18446744073709551616})")
                                          << AdminFrameError::BadRequest
                                          << QStringLiteral("field 'limit' holds a number out of range (integers must fit in 64 bits, decimals in a double)")
                                          << QStringLiteral("r3");
        QTest::addRow("interval not integer") << QByteArray(R"({"type":"stats.subscribe","req":"r4","interval_ms":"1000"})")
                                              << AdminFrameError::BadRequest << QStringLiteral("field 'interval_ms' must be an integer") << QStringLiteral("r4");
        QTest::addRow("limit decimal") << QByteArray(R"({"type":"dead_letters.list","req":"r5","limit":1.5})")
                                       << AdminFrameError::BadRequest << QStringLiteral("field 'limit' must be an integer") << QStringLiteral("r5");
        QTest::addRow("id not string") << QByteArray(R"({"type":"dead_letters.retry","req":"r6","id":7})")
                                       << AdminFrameError::BadRequest << QStringLiteral("field 'id' must be a string") << QStringLiteral("r6");
        QTest::addRow("before_seq negative") << QByteArray(R"({"type":"conversation.messages","req":"r7","before_seq":-1})")
                                             << AdminFrameError::BadRequest << QStringLiteral("field 'before_seq' must be a non-negative integer") << QStringLiteral("r7");
        QTest::addRow("before_seq past 2^53") << QByteArray(R"({"type":"conversation.messages","req":"r8","before_seq":9007199254740994})")
                                              << AdminFrameError::BadRequest << QStringLiteral("field 'before_seq' must be a non-negative integer") << QStringLiteral("r8");
        QTest::addRow("user_id not string") << QByteArray(R"({"type":"user.lookup","req":"r9","user_id":5})")
                                            << AdminFrameError::BadRequest << QStringLiteral("field 'user_id' must be a string") << QStringLiteral("r9");
        QTest::addRow("close_code not integer") << QByteArray(R"({"type":"user.disconnect","req":"r10","close_code":"4009"})")
                                                << AdminFrameError::BadRequest << QStringLiteral("field 'close_code' must be an integer") << QStringLiteral("r10");
        QTest::addRow("req not string") << QByteArray(R"({"type":"ping","req":7})")
                                        << AdminFrameError::BadRequest << QStringLiteral("field 'req' must be a string") << QString();
    }
    void errors()
    {
        QFETCH(QByteArray, frame);
        QFETCH(AdminFrameError, error);
        QFETCH(QString, message);
        QFETCH(QString, req);
        const ParsedAdminFrame p = parseAdminFrame(frame);
        QCOMPARE(p.error, error);
        QCOMPARE(p.message, message);
        QCOMPARE(p.frame.req, req);
        QCOMPARE(p.frame.hasReq, !req.isEmpty());
    }
};

QTEST_APPLESS_MAIN(TestAdminFrame)
#include "tst_adminframe.moc"

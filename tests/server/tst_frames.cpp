#include "gateway/frames.h"

#include <QTest>

using namespace confab::gateway;

Q_DECLARE_METATYPE(confab::gateway::FrameError)

class TestFrames : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void errors_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<FrameError>("error");
        QTest::addRow("not json") << QByteArray("hello") << FrameError::Protocol;
        QTest::addRow("empty") << QByteArray("") << FrameError::Protocol;
        QTest::addRow("array") << QByteArray("[]") << FrameError::Protocol;
        QTest::addRow("string") << QByteArray("\"x\"") << FrameError::Protocol;
        QTest::addRow("no type") << QByteArray(R"({"req":"1"})") << FrameError::Protocol;
        QTest::addRow("numeric type") << QByteArray(R"({"type":1})") << FrameError::Protocol;
        QTest::addRow("trailing garbage") << QByteArray(R"({"type":"ping"} x)") << FrameError::Protocol;
        QTest::addRow("bad escape") << QByteArray(R"({"type":"ping","x":"\q"})") << FrameError::Protocol;
        QTest::addRow("unknown type") << QByteArray(R"({"type":"nope"})") << FrameError::BadRequest;
        QTest::addRow("req not string") << QByteArray(R"({"type":"ping","req":5})") << FrameError::BadRequest;
        QTest::addRow("send no content") << QByteArray(R"({"type":"message.send","convo_id":"c","client_msg_id":"m"})") << FrameError::BadRequest;
        QTest::addRow("send bad convo") << QByteArray(R"({"type":"message.send","convo_id":"a b","client_msg_id":"m","content":1})") << FrameError::BadRequest;
        QTest::addRow("send empty cmid") << QByteArray(R"({"type":"message.send","convo_id":"c","client_msg_id":"","content":1})") << FrameError::BadRequest;
        QTest::addRow("send attachments object") << QByteArray(R"({"type":"message.send","convo_id":"c","client_msg_id":"m","content":1,"attachments":{}})") << FrameError::BadRequest;
        QTest::addRow("send attachment without key") << QByteArray(R"({"type":"message.send","convo_id":"c","client_msg_id":"m","content":1,"attachments":[{"size":1}]})") << FrameError::BadRequest;
        QTest::addRow("read float") << QByteArray(R"({"type":"message.read","convo_id":"c","seq_no":1.5})") << FrameError::BadRequest;
        QTest::addRow("read negative") << QByteArray(R"({"type":"message.read","convo_id":"c","seq_no":-1})") << FrameError::BadRequest;
        QTest::addRow("sync zero limit") << QByteArray(R"({"type":"sync","convo_id":"c","after_seq":0,"limit":0})") << FrameError::BadRequest;
        QTest::addRow("presence bad id") << QByteArray(R"({"type":"presence.subscribe","user_ids":["a b"]})") << FrameError::BadRequest;
        QTest::addRow("auth empty") << QByteArray(R"({"type":"auth","token":""})") << FrameError::BadRequest;
        QTest::addRow("too large") << QByteArray(R"({"type":"message.send","convo_id":"c","client_msg_id":"m","content":"0123456789012345678901234567890123456789"})") << FrameError::TooLarge;
    }
    void errors()
    {
        QFETCH(QByteArray, frame);
        QFETCH(FrameError, error);
        const ParsedFrame p = parseClientFrame(frame, 32);
        QCOMPARE(p.error, error);
        QVERIFY(!p.message.isEmpty());
    }

    void sendIsCompacted()
    {
        // GIVEN content with white space, WHEN parsed, THEN content is the compact serialization
        const ParsedFrame p = parseClientFrame(R"({"type":"message.send","req":"r9","convo_id":"c1","client_msg_id":"m1", "content": { "text" : "hi there" , "n" : [1, 2] },"attachments":[{"key":"k1","size":3}]})", 1000);
        QCOMPARE(p.error, FrameError::None);
        QCOMPARE(p.frame.type, FrameType::MessageSend);
        QCOMPARE(p.frame.req, QByteArray("r9"));
        QVERIFY(p.frame.hasReq);
        QCOMPARE(p.frame.convoId, QByteArray("c1"));
        QCOMPARE(p.frame.content, QByteArray(R"({"text":"hi there","n":[1,2]})"));
        QCOMPARE(p.frame.attachments, QByteArray(R"([{"key":"k1","size":3}])"));
    }

    void limitCountsCompactBytes()
    {
        const QByteArray frame = R"({"type":"message.send","convo_id":"c","client_msg_id":"m","content":{"a" :   1}})";
        QCOMPARE(parseClientFrame(frame, 7).error, FrameError::None);     // {"a":1} is 7 bytes
        QCOMPARE(parseClientFrame(frame, 6).error, FrameError::TooLarge);
    }

    void others()
    {
        ParsedFrame p = parseClientFrame(R"({"type":"sync","req":"s","convo_id":"c","after_seq":41,"limit":500})", 10);
        QCOMPARE(p.error, FrameError::None);
        QCOMPARE(p.frame.afterSeq, 41);
        QCOMPARE(p.frame.limit, 500);
        p = parseClientFrame(R"({"type":"presence.subscribe","user_ids":["a","auth0|b"]})", 10);
        QCOMPARE(p.frame.userIds, (QList<QByteArray>{"a", "auth0|b"}));
        p = parseClientFrame(R"({"type":"auth","token":"abc.def.ghi"})", 10);
        QCOMPARE(p.frame.type, FrameType::Auth);
        QCOMPARE(p.frame.token, QByteArray("abc.def.ghi"));
        p = parseClientFrame(R"({"type":"ping"})", 10);
        QCOMPARE(p.frame.type, FrameType::Ping);
        QVERIFY(!p.frame.hasReq);
    }

    void messageBody()
    {
        ParsedFrame p = parseMessageBody(R"({"client_msg_id":"m","content":[1, 2],"sender_id":"u1"})", 100);
        QCOMPARE(p.error, FrameError::None);
        QCOMPARE(p.frame.content, QByteArray("[1,2]"));
        QCOMPARE(p.frame.senderId, QByteArray("u1"));
        QCOMPARE(parseMessageBody("garbage", 100).error, FrameError::BadRequest);
    }

    void duplicateKeysAreRefused_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<QString>("message");
        QTest::addColumn<QByteArray>("req"); // empty: the answer has none
        QTest::addRow("convo_id twice") << QByteArray(R"({"type":"sync","req":"r1","convo_id":"c1","convo_id":"c2","after_seq":0})")
                                        << QStringLiteral("duplicate key 'convo_id'") << QByteArray("r1");
        QTest::addRow("type twice") << QByteArray(R"({"type":"ping","type":"auth","req":"r2"})")
                                    << QStringLiteral("duplicate key 'type'") << QByteArray("r2");
        QTest::addRow("req twice") << QByteArray(R"({"type":"ping","req":"a","req":"b"})")
                                   << QStringLiteral("duplicate key 'req'") << QByteArray();
        QTest::addRow("escaped spelling") << QByteArray(R"({"type":"ping","req":"r3","x":1,"\u0078":2})")
                                          << QStringLiteral("duplicate key 'x'") << QByteArray("r3");
        QTest::addRow("inside content") << QByteArray(R"({"type":"message.send","req":"r4","convo_id":"c","client_msg_id":"m","content":{"a":[{"k":1,"k":2}]}})")
                                        << QStringLiteral("duplicate key 'k'") << QByteArray("r4");
    }
    void duplicateKeysAreRefused()
    {
        // GIVEN a frame naming a key twice, WHEN parsed, THEN bad_request names the key (first-
        // and last-wins readers would disagree) and the answer keeps an unambiguous req
        QFETCH(QByteArray, frame);
        QFETCH(QString, message);
        QFETCH(QByteArray, req);
        const ParsedFrame p = parseClientFrame(frame, 1000);
        QCOMPARE(p.error, FrameError::BadRequest);
        QCOMPARE(p.message, message);
        QCOMPARE(p.frame.hasReq, !req.isEmpty());
        QCOMPARE(p.frame.req, req);

        const ParsedFrame body = parseMessageBody(R"({"client_msg_id":"m","content":1,"client_msg_id":"n"})", 100);
        QCOMPARE(body.error, FrameError::BadRequest);
        QCOMPARE(body.message, QStringLiteral("duplicate key 'client_msg_id'"));
    }

    void numbersOutOfRangeNameTheField_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<QString>("message");
        QTest::addRow("past 2^64") << QByteArray(R"({"type":"sync","req":"r1","convo_id":"c","after_seq":18446744073709551616})")
                                   << QStringLiteral("field 'after_seq' holds a number out of range (integers must fit in 64 bits, decimals in a double)");
        QTest::addRow("below -2^63") << QByteArray(R"({"type":"message.read","req":"r1","convo_id":"c","seq_no":-9223372036854775809})")
                                     << QStringLiteral("field 'seq_no' holds a number out of range (integers must fit in 64 bits, decimals in a double)");
        QTest::addRow("huge decimal in content") << QByteArray(R"({"type":"message.send","req":"r1","convo_id":"c","client_msg_id":"m","content":{"big":[1e999]}})")
                                                 << QStringLiteral("field 'big' holds a number out of range (integers must fit in 64 bits, decimals in a double)");
        QTest::addRow("uint64 where int64 is expected") << QByteArray(R"({"type":"message.read","req":"r1","convo_id":"c","seq_no":18446744073709551615})")
                                                        << QStringLiteral("field 'seq_no' is out of range");
        QTest::addRow("decimal where an integer is expected") << QByteArray(R"({"type":"sync","req":"r1","convo_id":"c","after_seq":2.0})")
                                                              << QStringLiteral("field 'after_seq' must be an integer");
    }
    void numbersOutOfRangeNameTheField()
    {
        // GIVEN a number no reader holds, WHEN parsed, THEN bad_request naming the field, with
        // the req (not a close for "not JSON")
        QFETCH(QByteArray, frame);
        QFETCH(QString, message);
        const ParsedFrame p = parseClientFrame(frame, 1000);
        QCOMPARE(p.error, FrameError::BadRequest);
        QCOMPARE(p.message, message);
        QVERIFY(p.frame.hasReq);
        QCOMPARE(p.frame.req, QByteArray("r1"));
    }

    void tinyDecimalsAndBoundaryIntegersAreFine()
    {
        const ParsedFrame p = parseClientFrame(
            R"({"type":"message.send","convo_id":"c","client_msg_id":"m","content":[1e-400,18446744073709551615,-9223372036854775808]})", 1000);
        QCOMPARE(p.error, FrameError::None);
        const ParsedFrame body = parseMessageBody(R"({"client_msg_id":"m","content":{"n":123456789012345678901}})", 100);
        QCOMPARE(body.error, FrameError::BadRequest);
        QCOMPARE(body.message, QStringLiteral("field 'n' holds a number out of range (integers must fit in 64 bits, decimals in a double)"));
        // Broken syntax is still not JSON (a close), even with a number in it.
        QCOMPARE(parseClientFrame(R"({"type":"ping","n":01})", 100).error, FrameError::Protocol);
    }
};

QTEST_APPLESS_MAIN(TestFrames)
#include "tst_frames.moc"

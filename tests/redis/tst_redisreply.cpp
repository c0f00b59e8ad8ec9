// The hiredis reader building redis::Values itself (server/redis/reply.cpp): every RESP2 type,
// nesting, replies split over reads and several in one, a protocol error halfway through an
// array, and the part of a reply hiredis itself reads. Pure logic: bytes fed to a reader.

#include "redis/connection_p.h"

#include <QTest>

#include <hiredis/hiredis.h>
#include <hiredis/read.h>

#include <memory>

using namespace confab::redis;
using namespace confab::redis::detail;

namespace
{

// A Value as compact text: "s:abc", "i:42", "+OK", "-ERR", "nil", "[a, b]".
QByteArray show(const Value &v)
{
    switch (v.type) {
    case Value::Type::String:
        return "s:" + v.str;
    case Value::Type::Status:
        return "+" + v.str;
    case Value::Type::Error:
        return "-" + v.str;
    case Value::Type::Integer:
        return "i:" + QByteArray::number(v.integer);
    case Value::Type::Nil:
        return "nil";
    case Value::Type::Array: {
        QByteArrayList parts;
        for (const Value &e : v.elements)
            parts.append(show(e));
        return "[" + parts.join(", ") + "]";
    }
    }
    return "?";
}

struct ReaderFree {
    void operator()(redisReader *r) const { redisReaderFree(r); }
};
using Reader = std::unique_ptr<redisReader, ReaderFree>;

Reader reader()
{
    return Reader(redisReaderCreateWithFunctions(replyFunctions()));
}

// The replies `bytes` hold, fed `chunk` bytes at a time, as text.
QByteArrayList read(const QByteArray &bytes, qsizetype chunk)
{
    Reader r = reader();
    QByteArrayList out;
    for (qsizetype at = 0; at < bytes.size(); at += chunk) {
        if (redisReaderFeed(r.get(), bytes.constData() + at, size_t(qMin(chunk, bytes.size() - at)))
            != REDIS_OK)
            return { "feed failed" };
        for (;;) {
            void *reply = nullptr;
            if (redisReaderGetReply(r.get(), &reply) != REDIS_OK)
                return out << "protocol error";
            if (!reply)
                break;
            out.append(show(takeValue(reply)));
            freeReply(reply);
        }
    }
    return out;
}

} // namespace

class TestRedisReply : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void everyType_data()
    {
        QTest::addColumn<QByteArray>("resp");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("status") << QByteArray("+OK\r\n") << QByteArray("+OK");
        QTest::newRow("error") << QByteArray("-ERR no\r\n") << QByteArray("-ERR no");
        QTest::newRow("integer") << QByteArray(":-42\r\n") << QByteArray("i:-42");
        QTest::newRow("string") << QByteArray("$3\r\na\0c\r\n", 9) << QByteArray("s:a\0c", 5);
        QTest::newRow("empty string") << QByteArray("$0\r\n\r\n") << QByteArray("s:");
        QTest::newRow("nil string") << QByteArray("$-1\r\n") << QByteArray("nil");
        QTest::newRow("nil array") << QByteArray("*-1\r\n") << QByteArray("nil");
        QTest::newRow("empty array") << QByteArray("*0\r\n") << QByteArray("[]");
        // an accept call's answer, and an smessage push
        QTest::newRow("nested") << QByteArray(
            "*3\r\n:1\r\n*3\r\n$1\r\na\r\n$-1\r\n*1\r\n:7\r\n-ERR in\r\n")
                                << QByteArray("[i:1, [s:a, nil, [i:7]], -ERR in]");
        QTest::newRow("push") << QByteArray("*3\r\n$8\r\nsmessage\r\n$2\r\nch\r\n$5\r\nm 1\n{\r\n")
                              << QByteArray("[s:smessage, s:ch, s:m 1\n{]");
    }

    void everyType()
    {
        QFETCH(QByteArray, resp);
        QFETCH(QByteArray, expected);
        // whole, and split at every byte
        QCOMPARE(read(resp, resp.size()), QByteArrayList { expected });
        QCOMPARE(read(resp, 1), QByteArrayList { expected });
    }

    void severalRepliesInOneRead()
    {
        QCOMPARE(read("+OK\r\n:1\r\n*2\r\n:2\r\n$1\r\nx\r\n$-1\r\n", 64),
            (QByteArrayList { "+OK", "i:1", "[i:2, s:x]", "nil" }));
    }

    void aProtocolErrorHalfwayThroughAnArray()
    {
        // the reader frees the array it had begun (ASan in the fuzz build would see a leak)
        QCOMPARE(read("*3\r\n:1\r\n$1\r\na\r\n?what\r\n", 64), QByteArrayList { "protocol error" });
        QCOMPARE(read("*3\r\n:1\r\n$1\r\na\r\n?what\r\n", 1), QByteArrayList { "protocol error" });
    }

    void anArrayClaimingMoreThanArrivesHoldsOnlyWhatArrived()
    {
        // a count from the wire (a server that is not Redis, a corrupt stream) is not allocated
        // up front: two billion elements claimed, two arrived, the reply not complete yet
        QCOMPARE(read("*2000000000\r\n:1\r\n:2\r\n", 64), QByteArrayList {});
        QCOMPARE(read("*2000\r\n" + QByteArray("$1\r\nx\r\n").repeated(2000), 64).size(), 1);
    }

    void whatHiredisReadsOfAReply()
    {
        // async.c reads a reply no callback waits for as a redisReply: its type, and an error's
        // text to report
        Reader r = reader();
        const QByteArray bytes("-ERR max number of clients reached\r\n:5\r\n");
        QCOMPARE(redisReaderFeed(r.get(), bytes.constData(), size_t(bytes.size())), REDIS_OK);
        void *reply = nullptr;
        QCOMPARE(redisReaderGetReply(r.get(), &reply), REDIS_OK);
        const auto *seen = static_cast<const redisReply *>(reply);
        QCOMPARE(seen->type, REDIS_REPLY_ERROR);
        QCOMPARE(QByteArray(seen->str), QByteArray("ERR max number of clients reached"));
        const Reply taken = takeReply(reply);
        QVERIFY(!taken);
        QCOMPARE(taken.error().message, QStringLiteral("redis: ERR max number of clients reached"));
        freeReply(reply);

        QCOMPARE(redisReaderGetReply(r.get(), &reply), REDIS_OK);
        QCOMPARE(static_cast<const redisReply *>(reply)->type, REDIS_REPLY_INTEGER);
        QCOMPARE(takeReply(reply)->integer, 5);
        freeReply(reply);
    }
};

QTEST_APPLESS_MAIN(TestRedisReply)
#include "tst_redisreply.moc"

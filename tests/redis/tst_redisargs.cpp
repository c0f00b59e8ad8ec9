#include "redis/args.h"

#include <QTest>

#include <limits>

using confab::redis::Args;

// Arguments written once in RESP's form (server/redis/args.h): what the accept call and every
// script call send.
class TestRedisArgs : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void argumentsAreBulkStrings();
    void numbersAreWrittenInDecimal();
    void bytesArePassedAsTheyAre();
    void everyWayOfBuildingWritesTheSame();
    void appendKeepsTheCount();
    void readBack();
    void anArgumentFromTheBufferItself();
};

void TestRedisArgs::argumentsAreBulkStrings()
{
    Args args;
    args.add("EVALSHA").add("").add("key");
    QCOMPARE(args.size(), 3);
    QCOMPARE(args.resp(), QByteArray("$7\r\nEVALSHA\r\n$0\r\n\r\n$3\r\nkey\r\n"));
    QVERIFY(Args().isEmpty());
    QCOMPARE(Args().resp(), QByteArray());
}

void TestRedisArgs::numbersAreWrittenInDecimal()
{
    Args args;
    args.addNumber(0)
        .addNumber(-1)
        .addNumber(std::numeric_limits<qint64>::min())
        .addNumber(std::numeric_limits<qint64>::max());
    QCOMPARE(args.toList(),
        QList<QByteArray>({ "0", "-1", "-9223372036854775808", "9223372036854775807" }));
    QCOMPARE(args.resp().left(12), QByteArray("$1\r\n0\r\n$2\r\n-"));
}

void TestRedisArgs::bytesArePassedAsTheyAre()
{
    // A fingerprint is 8 raw bytes: NUL, CR and LF included, counted and not escaped.
    const QByteArray raw("\0\r\n$*\xff\r\n", 8);
    Args args;
    args.add(raw).add("after");
    QCOMPARE(args.resp(), QByteArray("$8\r\n") + raw + QByteArray("\r\n$5\r\nafter\r\n"));
    QCOMPARE(args.value(0), raw);
    QCOMPARE(args.value(1), QByteArray("after"));
}

void TestRedisArgs::everyWayOfBuildingWritesTheSame()
{
    const QList<QByteArray> list { "channel", "", "1800000", QByteArray("\0x", 2) };
    Args added;
    added.add("channel").add("").addNumber(1800000).add(QByteArray("\0x", 2));
    const Args fromList(list);
    const Args fromBraces { "channel", "", "1800000", QByteArrayView("\0x", 2) };
    QCOMPARE(fromList.resp(), added.resp());
    QCOMPARE(fromBraces.resp(), added.resp());
    QCOMPARE(fromList.size(), 4);
    QCOMPARE(fromBraces.size(), 4);
}

void TestRedisArgs::appendKeepsTheCount()
{
    Args head { "CONFAB.ACCEPT" };
    head.addNumber(2);
    const Args tail { "a", "b", "c" };
    head.append(tail);
    QCOMPARE(head.size(), 5);
    QCOMPARE(head.toList(), QList<QByteArray>({ "CONFAB.ACCEPT", "2", "a", "b", "c" }));
}

void TestRedisArgs::readBack()
{
    const QList<QByteArray> list { "x", QByteArray(70000, 'y'), "", "z" };
    const Args args(list);
    QCOMPARE(args.toList(), list);
    for (int i = 0; i < list.size(); ++i)
        QCOMPARE(args.value(i), list.at(i));
    QCOMPARE(args.value(4), QByteArray()); // past the end
    QCOMPARE(args.value(-1), QByteArray());
}

// appendBulk grows the buffer before it copies: bytes taken from the buffer itself must still
// arrive as they were, however often it grows.
void TestRedisArgs::anArgumentFromTheBufferItself()
{
    QByteArray out = "$5\r\nhello\r\n";
    out.squeeze();
    for (int i = 0; i < 6; ++i)
        Args::appendBulk(out, QByteArrayView(out).first(out.size()));
    QByteArray want = "$5\r\nhello\r\n";
    for (int i = 0; i < 6; ++i)
        Args::appendBulk(want, QByteArray(want));
    QCOMPARE(out, want);
    QCOMPARE(out.size(), want.size());
}

QTEST_APPLESS_MAIN(TestRedisArgs)
#include "tst_redisargs.moc"

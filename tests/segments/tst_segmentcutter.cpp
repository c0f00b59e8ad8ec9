// SegmentCutter and encodeSegment on records in memory: segments cut by size whatever one
// conversation holds, a conversation spanning segments in order, the partial segment kept for
// the next read, and a block the codec refuses left out alone.

#include "segments/segmentcutter.h"

#include <QTest>

using namespace confab;
using namespace confab::segments;
using segment::Record;
using segment::RecordEncoding;

namespace
{

// n records of one conversation from seq `first`, each with a payload of `size` bytes.
QList<Record> records(qint64 first, int n, int size)
{
    QList<Record> out;
    for (int i = 0; i < n; ++i) {
        QByteArray payload = "{\"n\":" + QByteArray::number(first + i) + ",\"t\":\"";
        payload += QByteArray(qMax(0, size - int(payload.size()) - 2), 'x') + "\"}";
        out.append(Record { first + i, 1000 + first + i, payload });
    }
    return out;
}

// Every seq of a conversation across the plans, in order.
QList<qint64> seqsOf(const QList<SegmentPlan> &plans, const QString &convo)
{
    QList<qint64> out;
    for (const SegmentPlan &p : plans) {
        int blocks = 0;
        for (const Piece &piece : p.blocks) {
            if (piece.convoId != convo)
                continue;
            ++blocks;
            for (const Record &r : piece.records)
                out.append(r.seq);
        }
        if (blocks > 1)
            return { -1 }; // two blocks of one conversation in one segment
    }
    return out;
}

QList<qint64> range(qint64 from, qint64 to)
{
    QList<qint64> out;
    for (qint64 s = from; s <= to; ++s)
        out.append(s);
    return out;
}

} // namespace

class TestSegmentCutter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void cutsAtMaxBytes();
    void conversationsShareSegments();
    void partialSegmentWaitsForMore();
    void recordLargerThanLimitGetsItsOwnSegment();
    void limitNeverExceedsWhatACodecBlockTakes();
    void passingTheCodecLimitIsCutNotRefused();
    void refusedBlockIsLeftOutAlone();
    void dropForgetsAConversation();
};

void TestSegmentCutter::cutsAtMaxBytes()
{
    // GIVEN one conversation of 100 records of 120 stream bytes (100 + 20) and max_bytes 1000
    SegmentCutter cutter(1000, RecordEncoding::Json);
    cutter.add(QStringLiteral("c"), records(1, 100, 100));
    QCOMPARE(cutter.bufferedBytes(), 100 * 120);

    // WHEN everything is taken
    const QList<SegmentPlan> plans = cutter.take(true);

    // THEN 8 records (960 bytes) per segment, 13 segments, in order, nothing left
    QCOMPARE(plans.size(), 13);
    for (const SegmentPlan &p : plans) {
        QVERIFY(p.bytes <= 1000);
        QCOMPARE(p.blocks.size(), 1);
    }
    QCOMPARE(plans.first().bytes, 960);
    QCOMPARE(plans.last().bytes, 4 * 120);
    QCOMPARE(seqsOf(plans, QStringLiteral("c")), range(1, 100));
    QVERIFY(cutter.isEmpty());
    QCOMPARE(cutter.bufferedBytes(), 0);
}

void TestSegmentCutter::conversationsShareSegments()
{
    SegmentCutter cutter(1000, RecordEncoding::Json);
    cutter.add(QStringLiteral("a"), records(1, 3, 100));
    cutter.add(QStringLiteral("b"), records(5, 20, 100));
    cutter.add(QStringLiteral("c"), records(1, 2, 100));
    const QList<SegmentPlan> plans = cutter.take(true);
    // 25 records of 120 bytes: 8 + 8 + 8 + 1; a's 3 and b's first 5 share the first segment
    QCOMPARE(plans.size(), 4);
    QCOMPARE(plans[0].blocks.size(), 2);
    QCOMPARE(plans[0].blocks[0].records.size(), 3);
    QCOMPARE(plans[0].blocks[1].records.size(), 5);
    QCOMPARE(seqsOf(plans, QStringLiteral("a")), range(1, 3));
    QCOMPARE(seqsOf(plans, QStringLiteral("b")), range(5, 24));
    QCOMPARE(seqsOf(plans, QStringLiteral("c")), range(1, 2));
    QCOMPARE(plans[0].oldestTs(), 1001);
}

void TestSegmentCutter::partialSegmentWaitsForMore()
{
    SegmentCutter cutter(1000, RecordEncoding::Json);
    cutter.add(QStringLiteral("c"), records(1, 10, 100));
    // the first 8 fill a segment; the last 2 wait
    const QList<SegmentPlan> first = cutter.take(false);
    QCOMPARE(first.size(), 1);
    QCOMPARE(seqsOf(first, QStringLiteral("c")), range(1, 8));
    QVERIFY(cutter.holds(QStringLiteral("c")));
    QCOMPARE(cutter.bufferedBytes(), 240);
    // the next read continues the same conversation's block: 9..20, of which 8 fill a segment
    cutter.add(QStringLiteral("c"), records(11, 10, 100));
    const QList<SegmentPlan> second = cutter.take(false);
    QCOMPARE(second.size(), 1);
    QCOMPARE(seqsOf(second, QStringLiteral("c")), range(9, 16));
    // and the last read takes the rest, partial segment included
    const QList<SegmentPlan> last = cutter.take(true);
    QCOMPARE(last.size(), 1);
    QCOMPARE(seqsOf(last, QStringLiteral("c")), range(17, 20));
    QVERIFY(cutter.isEmpty());
}

void TestSegmentCutter::recordLargerThanLimitGetsItsOwnSegment()
{
    SegmentCutter cutter(1000, RecordEncoding::Json);
    cutter.add(QStringLiteral("c"), records(1, 2, 100));
    cutter.add(QStringLiteral("c"), records(3, 1, 5000));
    cutter.add(QStringLiteral("c"), records(4, 2, 100));
    const QList<SegmentPlan> plans = cutter.take(true);
    QCOMPARE(plans.size(), 3);
    QCOMPARE(plans[1].bytes, 5020);
    QCOMPARE(plans[1].blocks.first().records.size(), 1);
    QCOMPARE(seqsOf(plans, QStringLiteral("c")), range(1, 5));
}

void TestSegmentCutter::limitNeverExceedsWhatACodecBlockTakes()
{
    QCOMPARE(SegmentCutter(1LL << 30, RecordEncoding::Json).limit(), segment::MaxBlockRawBytes);
    QCOMPARE(SegmentCutter(1LL << 30, RecordEncoding::Cbor).limit(), segment::MaxBlockRawBytes / 4);
    QCOMPARE(SegmentCutter(4096, RecordEncoding::Cbor).limit(), 4096);
}

void TestSegmentCutter::passingTheCodecLimitIsCutNotRefused()
{
    // GIVEN more than 64 MiB of one conversation (1,200 records of 60,000 bytes, the probe of
    // issue 12) and max_bytes at its largest
    SegmentCutter cutter(1LL << 30, RecordEncoding::Json);
    const QList<Record> all = records(1, 1200, 60000);
    cutter.add(QStringLiteral("c"), all);
    QVERIFY(cutter.bufferedBytes() > segment::MaxBlockRawBytes);

    // WHEN cut and encoded
    const QList<SegmentPlan> plans = cutter.take(true);

    // THEN two segments, each one block the codec takes, and they decode to the records
    QCOMPARE(plans.size(), 2);
    QList<Record> decoded;
    for (const SegmentPlan &p : plans) {
        QVERIFY(p.bytes <= segment::MaxBlockRawBytes);
        const EncodedSegment e = encodeSegment(QStringLiteral("app"), p, RecordEncoding::Json);
        QVERIFY(e.refused.isEmpty());
        QVERIFY(!e.error);
        QVERIFY(e.sealed);
        const segment::BlockInfo &info = e.sealed->blocks.first();
        const Expected<segment::Block> block
            = segment::decodeBlock(QByteArrayView(e.sealed->bytes).sliced(info.offset, info.length),
                QStringLiteral("app"), QStringLiteral("c"));
        QVERIFY(block);
        decoded.append(block->records);
    }
    QCOMPARE(decoded, all);
}

void TestSegmentCutter::refusedBlockIsLeftOutAlone()
{
    // GIVEN CBOR encoding and one conversation whose tail holds a payload that is not JSON
    SegmentCutter cutter(1 << 20, RecordEncoding::Cbor);
    cutter.add(QStringLiteral("good"), records(1, 5, 100));
    QList<Record> bad = records(1, 3, 100);
    bad[1].payload = "not json";
    cutter.add(QStringLiteral("bad"), bad);
    cutter.add(QStringLiteral("other"), records(7, 2, 100));
    const QList<SegmentPlan> plans = cutter.take(true);
    QCOMPARE(plans.size(), 1);

    // WHEN encoded
    const EncodedSegment e
        = encodeSegment(QStringLiteral("app"), plans.first(), RecordEncoding::Cbor);

    // THEN only that conversation's block is refused; the object holds the two others
    QCOMPARE(e.refused.size(), 1);
    QCOMPARE(e.refused.first().first, QStringLiteral("bad"));
    QCOMPARE(e.refused.first().second.code, ErrorCode::BadRequest);
    QVERIFY(e.refused.first().second.message.contains(QStringLiteral("app/bad")));
    QVERIFY(e.sealed);
    QCOMPARE(e.sealed->blocks.size(), 2);
    QCOMPARE(e.sealed->blocks[0].convoId, QStringLiteral("good"));
    QCOMPARE(e.sealed->blocks[1].convoId, QStringLiteral("other"));
    QVERIFY(segment::readDirectory(e.sealed->bytes));

    // AND a segment of refused blocks only is no object at all
    SegmentPlan onlyBad;
    onlyBad.blocks.append(Piece { QStringLiteral("bad"), bad });
    const EncodedSegment none = encodeSegment(QStringLiteral("app"), onlyBad, RecordEncoding::Cbor);
    QVERIFY(!none.sealed);
    QVERIFY(!none.error);
    QCOMPARE(none.refused.size(), 1);
}

void TestSegmentCutter::dropForgetsAConversation()
{
    SegmentCutter cutter(1000, RecordEncoding::Json);
    cutter.add(QStringLiteral("a"), records(1, 3, 100));
    cutter.add(QStringLiteral("b"), records(1, 3, 100));
    cutter.drop(QStringLiteral("a"));
    QVERIFY(!cutter.holds(QStringLiteral("a")));
    QCOMPARE(cutter.bufferedBytes(), 360);
    const QList<SegmentPlan> plans = cutter.take(true);
    QCOMPARE(seqsOf(plans, QStringLiteral("a")), QList<qint64> {});
    QCOMPARE(seqsOf(plans, QStringLiteral("b")), range(1, 3));
}

QTEST_GUILESS_MAIN(TestSegmentCutter)
#include "tst_segmentcutter.moc"

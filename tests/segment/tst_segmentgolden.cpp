#include "segment/segment.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QTest>

using namespace confab::segment;

// QVERIFY2 evaluates its message even on success, and error() of a value is not allowed.
#define CONFAB_VERIFY_EXPECTED(e) QVERIFY2(e, (e) ? "" : qPrintable((e).error().message))

// The golden files were written once by regenerate() with format version 1 and are frozen:
// every later version of the codec must still read them exactly like this.
namespace {

const QString GoldenApp = QStringLiteral("app-golden");

struct GoldenBlock {
    QString convoId;
    QList<Record> records;
};

QList<GoldenBlock> goldenContents(RecordEncoding encoding)
{
    const auto env = [](const char *convo, qint64 seq, qint64 ts, const char *sender,
                        const char *content) {
        return Record{seq, ts,
                      QByteArray("{\"server_msg_id\":\"01JDGOLDEN") + QByteArray::number(seq)
                              + "\",\"convo_id\":\"" + convo + "\",\"seq_no\":"
                              + QByteArray::number(seq) + ",\"sender_id\":\"" + sender
                              + "\",\"client_msg_id\":\"cm-" + QByteArray::number(seq)
                              + "\",\"ts\":" + QByteArray::number(ts) + ",\"content\":" + content
                              + "}"};
    };
    QList<GoldenBlock> blocks;
    blocks.append({QStringLiteral("c1"),
                   {env("c1", 1, 1732240000000, "u1", "{\"text\":\"hi\"}"),
                    env("c1", 2, 1732240001000, "u2", "{\"text\":\"hello\"}"),
                    env("c1", 3, 1732240002000, "u1", "{\"text\":\"how are you?\"}"),
                    env("c1", 4, 1732240003000, "u2", "[1,2.5,true,null,\"x\"]"),
                    env("c1", 5, 1732240004000, "u1", "{\"text\":\"bye\",\"n\":{\"deep\":[{}]}}")}});
    blocks.append({QStringLiteral("c-ünïcødé-🙂"),
                   {env("c-ünïcødé-🙂", 41, 1732241000000, "u3", "{\"text\":\"😀 ünïcødé\"}"),
                    env("c-ünïcødé-🙂", 42, 1732240999000, "u3", "{\"text\":\"ts went back\"}"),
                    env("c-ünïcødé-🙂", 43, 1732241002000, "u4", "{\"text\":\"\\\"quoted\\\"\"}")}});
    blocks.append({QStringLiteral("c3"),
                   {env("c3", 9007199254740993, -1, "u5", "{}")}});
    if (encoding == RecordEncoding::Json)
        blocks.append({QStringLiteral("c-empty"), {{7, 0, QByteArray()}, {8, 1, QByteArray()}}});
    return blocks;
}

QString goldenPath(RecordEncoding encoding)
{
    return QStringLiteral(CONFAB_SEGMENT_DATA_DIR "/")
            + (encoding == RecordEncoding::Json ? QStringLiteral("golden-v1.seg")
                                                : QStringLiteral("golden-v1-cbor.seg"));
}

QByteArray readGolden(RecordEncoding encoding)
{
    QFile f(goldenPath(encoding));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

} // namespace

class tst_SegmentGolden : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void regenerate();
    void decodesEveryRecord_data();
    void decodesEveryRecord();
    void fixedBytesArePinned();
};

// Run once with CONFAB_REGENERATE_GOLDEN=1 to write the files; never again for version 1.
void tst_SegmentGolden::regenerate()
{
    if (qEnvironmentVariableIsEmpty("CONFAB_REGENERATE_GOLDEN"))
        QSKIP("the golden files are frozen; set CONFAB_REGENERATE_GOLDEN=1 only for a new version");
    for (const RecordEncoding encoding : {RecordEncoding::Json, RecordEncoding::Cbor}) {
        SegmentWriter writer(GoldenApp, encoding);
        for (const GoldenBlock &b : goldenContents(encoding))
            QVERIFY(writer.addBlock(b.convoId, b.records));
        auto sealed = writer.finish();
        QVERIFY(sealed);
        QFile f(goldenPath(encoding));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        QCOMPARE(f.write(sealed->bytes), sealed->bytes.size());
    }
}

void tst_SegmentGolden::decodesEveryRecord_data()
{
    QTest::addColumn<RecordEncoding>("encoding");
    QTest::addRow("json") << RecordEncoding::Json;
    QTest::addRow("cbor") << RecordEncoding::Cbor;
}

void tst_SegmentGolden::decodesEveryRecord()
{
    QFETCH(RecordEncoding, encoding);
    const QByteArray golden = readGolden(encoding);
    QVERIFY2(!golden.isEmpty(), qPrintable(goldenPath(encoding)));

    const auto directory = readDirectory(golden);
    CONFAB_VERIFY_EXPECTED(directory);
    const QList<GoldenBlock> want = goldenContents(encoding);
    QCOMPARE(directory->size(), want.size());

    for (qsizetype i = 0; i < want.size(); ++i) {
        const BlockInfo &info = directory->at(i);
        const QList<Record> &records = want.at(i).records;
        QCOMPARE(info.appId, GoldenApp);
        QCOMPARE(info.convoId, want.at(i).convoId);
        QCOMPARE(info.encoding, encoding);
        QCOMPARE(info.count, records.size());
        QCOMPARE(info.firstSeq, records.constFirst().seq);
        QCOMPARE(info.lastSeq, records.constLast().seq);
        QCOMPARE(info.firstTs, records.constFirst().ts);
        QCOMPARE(info.lastTs, records.constLast().ts);

        const auto block = decodeBlock(golden.sliced(info.offset, info.length), GoldenApp,
                                       info.convoId);
        CONFAB_VERIFY_EXPECTED(block);
        QCOMPARE(block->records.size(), records.size());
        for (qsizetype r = 0; r < records.size(); ++r) {
            QCOMPARE(block->records.at(r).seq, records.at(r).seq);
            QCOMPARE(block->records.at(r).ts, records.at(r).ts);
            if (encoding == RecordEncoding::Json)
                QCOMPARE(block->records.at(r).payload, records.at(r).payload);
            else
                QCOMPARE(QJsonDocument::fromJson(block->records.at(r).payload),
                         QJsonDocument::fromJson(records.at(r).payload));
        }
        // CBOR keeps integers beyond 2^53 exact, as the JSON text had them.
        if (info.convoId == QStringLiteral("c3")) {
            QVERIFY(block->records.at(0).payload.contains("\"seq_no\":9007199254740993"));
        }
    }
}

// The parts of the layout that do not depend on zstd's output, byte for byte as
// docs/segment-format.md shows them.
void tst_SegmentGolden::fixedBytesArePinned()
{
    const QByteArray golden = readGolden(RecordEncoding::Json);
    QVERIFY(!golden.isEmpty());
    // "CFSG", version 1, encoding json, flags 0, app id length 10, "app-golden", then CRC-32C.
    QCOMPARE(golden.first(20).toHex(' '),
             QByteArray("43 46 53 47 01 00 01 00 0a 00 61 70 70 2d 67 6f 6c 64 65 6e"));
    QCOMPARE(golden.last(8).toHex(' '), QByteArray("01 00 00 00 43 46 53 45"));
    // The first block follows the 24-byte header: "CFBK", version 1, json, flags 0, 5 records,
    // seqs 1..5.
    QCOMPARE(golden.sliced(24, 28).toHex(' '),
             QByteArray("43 46 42 4b 01 00 01 00 05 00 00 00 01 00 00 00 00 00 00 00 05 00 00 00 00 "
                        "00 00 00"));
    const QByteArray cbor = readGolden(RecordEncoding::Cbor);
    QVERIFY(!cbor.isEmpty());
    QCOMPARE(cbor.first(8).toHex(' '), QByteArray("43 46 53 47 01 00 02 00"));
}

QTEST_GUILESS_MAIN(tst_SegmentGolden)
#include "tst_segmentgolden.moc"

#include "segment/segment.h"

#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTest>

using namespace confab::segment;

// QVERIFY2 evaluates its message even on success, and error() of a value is not allowed.
#define CONFAB_VERIFY_EXPECTED(e) QVERIFY2(e, (e) ? "" : qPrintable((e).error().message))

namespace {

enum class PayloadKind { Envelope, Empty, Large };

const QString App = QStringLiteral("app-1");

QByteArray randomText(QRandomGenerator &rng, int length)
{
    static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    QByteArray s(length, Qt::Uninitialized);
    for (char &c : s)
        c = alphabet[rng.bounded(32)];
    return s;
}

// Shaped like PROTOCOL.md's envelope: random ids, a few senders, chat-like text.
QByteArray envelope(QRandomGenerator &rng, const QString &convo, qint64 seq, qint64 ts)
{
    static const char *const texts[] = {
        "hi", "are you coming to the standup?", "yes, five minutes",
        "can you review my pull request when you have a moment", "lunch?",
        "the deploy is green again", "👍", "I'll look at it after the meeting",
    };
    return QByteArray("{\"server_msg_id\":\"01JD") + randomText(rng, 22) + "\",\"convo_id\":\""
            + convo.toUtf8() + "\",\"seq_no\":" + QByteArray::number(seq) + ",\"sender_id\":\"u"
            + QByteArray::number(rng.bounded(5)) + "\",\"client_msg_id\":\""
            + randomText(rng, 32).toLower() + "\",\"ts\":" + QByteArray::number(ts)
            + ",\"content\":{\"text\":\"" + texts[rng.bounded(8)] + "\"},\"attachments\":[]}";
}

QList<Record> makeRecords(QRandomGenerator &rng, const QString &convo, int count, PayloadKind kind,
                          qint64 firstSeq = 1)
{
    QList<Record> records;
    for (int i = 0; i < count; ++i) {
        Record r;
        r.seq = firstSeq + i;
        r.ts = 1732240000000 + r.seq * 250 + rng.bounded(100);
        switch (kind) {
        case PayloadKind::Envelope:
            r.payload = envelope(rng, convo, r.seq, r.ts);
            break;
        case PayloadKind::Empty:
            break;
        case PayloadKind::Large:
            r.payload = "{\"text\":\"" + randomText(rng, 2 * 1024 * 1024) + "\"}";
            break;
        }
        records.append(r);
    }
    return records;
}

struct Built {
    SealedSegment sealed;
    QMap<QString, QList<Record>> records;
};

Built build(RecordEncoding encoding, int convos, int perConvo, PayloadKind kind = PayloadKind::Envelope)
{
    QRandomGenerator rng(7);
    Built b;
    SegmentWriter writer(App, encoding);
    for (int c = 0; c < convos; ++c) {
        const QString convo = QStringLiteral("c%1").arg(c);
        const auto records = makeRecords(rng, convo, perConvo, kind, 1 + c * 3);
        const auto added = writer.addBlock(convo, records);
        if (!added)
            qFatal("addBlock: %s", qPrintable(added.error().message));
        b.records.insert(convo, records);
    }
    const qint64 predicted = writer.size();
    auto sealed = writer.finish();
    if (!sealed || sealed->bytes.size() != predicted)
        qFatal("finish failed or size() was wrong");
    b.sealed = std::move(sealed).value();
    return b;
}

bool samePayload(RecordEncoding encoding, const QByteArray &got, const QByteArray &want)
{
    if (encoding == RecordEncoding::Json)
        return got == want;
    return QJsonDocument::fromJson(got) == QJsonDocument::fromJson(want);
}

QByteArray blockBytes(const SealedSegment &s, int i)
{
    // A detached copy: the block must decode with nothing around it, as after a Range GET.
    return s.bytes.sliced(s.blocks.at(i).offset, s.blocks.at(i).length);
}

} // namespace

class tst_SegmentCodec : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void crc32cKnownValues();
    void roundTrip_data();
    void roundTrip();
    void wrongAppOrConvoRefused();
    void writerRefusesBadInput_data();
    void writerRefusesBadInput();
    void secondBlockForAConversationIsAConflict();
    void oversizedBlockRefused();
    void writerIsReusableAfterFinish();
    void emptySegmentIsValid();
    void everySingleByteCorruptionFails();
    void everyTruncationAndExtensionFails();
    void checksumMismatchDetected();
    void randomGarbageIsAnError();
    void compressionShrinksRepetitiveJson();
};

void tst_SegmentCodec::crc32cKnownValues()
{
    // RFC 3720 appendix B.4 check value and the all-zero vector.
    QCOMPARE(crc32c("123456789"), 0xE3069283u);
    QCOMPARE(crc32c(QByteArray(32, '\0')), 0x8A9136AAu);
    QCOMPARE(crc32c("56789", crc32c("1234")), 0xE3069283u);
}

void tst_SegmentCodec::roundTrip_data()
{
    QTest::addColumn<RecordEncoding>("encoding");
    QTest::addColumn<int>("convos");
    QTest::addColumn<int>("perConvo");
    QTest::addColumn<PayloadKind>("kind");
    for (const RecordEncoding e : {RecordEncoding::Json, RecordEncoding::Cbor}) {
        const char *n = e == RecordEncoding::Json ? "json" : "cbor";
        QTest::addRow("%s: one record", n) << e << 1 << 1 << PayloadKind::Envelope;
        QTest::addRow("%s: 50 conversations", n) << e << 50 << 20 << PayloadKind::Envelope;
        QTest::addRow("%s: 10000 records", n) << e << 1 << 10000 << PayloadKind::Envelope;
        QTest::addRow("%s: large payloads", n) << e << 2 << 2 << PayloadKind::Large;
    }
    QTest::addRow("json: empty payloads") << RecordEncoding::Json << 3 << 5 << PayloadKind::Empty;
}

void tst_SegmentCodec::roundTrip()
{
    QFETCH(RecordEncoding, encoding);
    QFETCH(int, convos);
    QFETCH(int, perConvo);
    QFETCH(PayloadKind, kind);

    const Built b = build(encoding, convos, perConvo, kind);

    const auto directory = readDirectory(b.sealed.bytes);
    CONFAB_VERIFY_EXPECTED(directory);
    QCOMPARE(*directory, b.sealed.blocks);
    QCOMPARE(directory->size(), convos);

    for (int i = 0; i < directory->size(); ++i) {
        const BlockInfo &info = directory->at(i);
        const auto block = decodeBlock(blockBytes(b.sealed, i), App, info.convoId);
        CONFAB_VERIFY_EXPECTED(block);
        BlockInfo standalone = info;
        standalone.offset = 0;
        QCOMPARE(block->info, standalone);

        const QList<Record> &want = b.records.value(info.convoId);
        QCOMPARE(block->records.size(), want.size());
        QCOMPARE(info.count, want.size());
        QCOMPARE(info.firstSeq, want.constFirst().seq);
        QCOMPARE(info.lastSeq, want.constLast().seq);
        QCOMPARE(info.firstTs, want.constFirst().ts);
        QCOMPARE(info.lastTs, want.constLast().ts);
        for (qsizetype r = 0; r < want.size(); ++r) {
            QCOMPARE(block->records.at(r).seq, want.at(r).seq);
            QCOMPARE(block->records.at(r).ts, want.at(r).ts);
            QVERIFY(samePayload(encoding, block->records.at(r).payload, want.at(r).payload));
        }
    }
}

void tst_SegmentCodec::wrongAppOrConvoRefused()
{
    const Built b = build(RecordEncoding::Json, 2, 3);
    const QByteArray block0 = blockBytes(b.sealed, 0);
    QVERIFY(decodeBlock(block0, App, QStringLiteral("c0")));
    QVERIFY(decodeBlock(block0)); // no expectation: anything well formed

    const auto otherApp = decodeBlock(block0, QStringLiteral("app-2"), QStringLiteral("c0"));
    QVERIFY(!otherApp);
    QCOMPARE(otherApp.error().code, confab::ErrorCode::Internal);
    QVERIFY(!decodeBlock(block0, App, QStringLiteral("c1")));
    QVERIFY(!decodeBlock(blockBytes(b.sealed, 1), QString(), QStringLiteral("c0")));
}

void tst_SegmentCodec::writerRefusesBadInput_data()
{
    QTest::addColumn<QString>("appId");
    QTest::addColumn<RecordEncoding>("encoding");
    QTest::addColumn<QString>("convoId");
    QTest::addColumn<QList<Record>>("records");
    QTest::addColumn<confab::ErrorCode>("code");

    const Record one{1, 10, "{}"};
    const auto bad = confab::ErrorCode::BadRequest;
    const auto json = RecordEncoding::Json;
    const auto cbor = RecordEncoding::Cbor;
    const QString c = QStringLiteral("c");
    QTest::addRow("no records") << App << json << c << QList<Record>{} << bad;
    QTest::addRow("empty convo id") << App << json << QString() << QList<Record>{one} << bad;
    QTest::addRow("empty app id") << QString() << json << c << QList<Record>{one} << bad;
    QTest::addRow("convo id too long") << App << json << QString(MaxIdBytes + 1, u'x')
                                       << QList<Record>{one} << bad;
    QTest::addRow("seq zero") << App << json << c << QList<Record>{{0, 1, "{}"}} << bad;
    QTest::addRow("gap") << App << json << c << QList<Record>{one, {3, 11, "{}"}} << bad;
    QTest::addRow("descending") << App << json << c << QList<Record>{{2, 1, "{}"}, one} << bad;
    QTest::addRow("repeated seq") << App << json << c << QList<Record>{one, one} << bad;
    QTest::addRow("seq overflow") << App << json << c
                                  << QList<Record>{{std::numeric_limits<qint64>::max(), 1, "{}"},
                                                   {std::numeric_limits<qint64>::min(), 2, "{}"}}
                                  << bad;
    QTest::addRow("cbor: not json") << App << cbor << c << QList<Record>{{1, 1, "{nope"}} << bad;
    QTest::addRow("cbor: empty payload") << App << cbor << c << QList<Record>{{1, 1, ""}} << bad;
}

void tst_SegmentCodec::writerRefusesBadInput()
{
    QFETCH(QString, appId);
    QFETCH(RecordEncoding, encoding);
    QFETCH(QString, convoId);
    QFETCH(QList<Record>, records);
    QFETCH(confab::ErrorCode, code);

    SegmentWriter writer(appId, encoding);
    const auto added = writer.addBlock(convoId, records);
    QVERIFY(!added);
    QCOMPARE(added.error().code, code);
    QVERIFY(!added.error().message.isEmpty());
    QCOMPARE(writer.blockCount(), 0);
}

void tst_SegmentCodec::secondBlockForAConversationIsAConflict()
{
    // GIVEN a segment that already holds seqs 1..2 of c
    SegmentWriter writer(App);
    QVERIFY(writer.addBlock(QStringLiteral("c"), {{1, 1, "{}"}, {2, 2, "{}"}}));
    // WHEN the same conversation is added again, overlapping or not
    const auto again = writer.addBlock(QStringLiteral("c"), {{3, 3, "{}"}});
    // THEN it is refused and the segment is unchanged
    QVERIFY(!again);
    QCOMPARE(again.error().code, confab::ErrorCode::Conflict);
    QCOMPARE(writer.blockCount(), 1);
}

void tst_SegmentCodec::oversizedBlockRefused()
{
    SegmentWriter writer(App);
    const QByteArray big(MaxBlockRawBytes - 2 * 20 - 10, 'x');
    const auto added = writer.addBlock(QStringLiteral("c"), {{1, 1, big}, {2, 2, QByteArray(11, 'y')}});
    QVERIFY(!added);
    QCOMPARE(added.error().code, confab::ErrorCode::PayloadTooLarge);
    // Exactly at the limit is still fine.
    QVERIFY(writer.addBlock(QStringLiteral("c"), {{1, 1, big}, {2, 2, QByteArray(10, 'y')}}));
    auto sealed = writer.finish();
    QVERIFY(sealed);
    const auto block = decodeBlock(blockBytes(*sealed, 0));
    CONFAB_VERIFY_EXPECTED(block);
    QCOMPARE(block->records.at(0).payload.size(), big.size());
}

void tst_SegmentCodec::writerIsReusableAfterFinish()
{
    SegmentWriter writer(App);
    QVERIFY(writer.addBlock(QStringLiteral("c"), {{1, 1, "{\"a\":1}"}}));
    QVERIFY(writer.finish());
    QCOMPARE(writer.blockCount(), 0);
    // The same conversation is allowed again: it is a new segment.
    QVERIFY(writer.addBlock(QStringLiteral("c"), {{2, 2, "{\"a\":2}"}}));
    auto second = writer.finish();
    QVERIFY(second);
    const auto directory = readDirectory(second->bytes);
    QVERIFY(directory);
    QCOMPARE(directory->size(), 1);
    QCOMPARE(directory->at(0).firstSeq, 2);
}

void tst_SegmentCodec::emptySegmentIsValid()
{
    SegmentWriter writer(App);
    auto sealed = writer.finish();
    QVERIFY(sealed);
    const auto directory = readDirectory(sealed->bytes);
    CONFAB_VERIFY_EXPECTED(directory);
    QVERIFY(directory->isEmpty());
}

void tst_SegmentCodec::everySingleByteCorruptionFails()
{
    for (const RecordEncoding encoding : {RecordEncoding::Json, RecordEncoding::Cbor}) {
        const Built b = build(encoding, 2, 3);
        const QByteArray &whole = b.sealed.bytes;
        for (qsizetype i = 0; i < whole.size(); ++i) {
            for (const char mask : {'\x01', '\x80', '\xFF'}) {
                QByteArray bad = whole;
                bad[i] = char(bad[i] ^ mask);
                const auto directory = readDirectory(bad);
                if (directory)
                    QFAIL(qPrintable(QStringLiteral("byte %1 ^ %2 went unnoticed").arg(i).arg(int(uchar(mask)))));
                QCOMPARE(directory.error().code, confab::ErrorCode::Internal);
                for (const BlockInfo &info : b.sealed.blocks) {
                    if (i < info.offset || i >= info.offset + info.length)
                        continue;
                    const auto block = decodeBlock(bad.sliced(info.offset, info.length));
                    if (block)
                        QFAIL(qPrintable(QStringLiteral("block byte %1 ^ %2 went unnoticed")
                                                 .arg(i - info.offset)
                                                 .arg(int(uchar(mask)))));
                }
            }
        }
    }
}

void tst_SegmentCodec::everyTruncationAndExtensionFails()
{
    const Built b = build(RecordEncoding::Json, 2, 3);
    const QByteArray &whole = b.sealed.bytes;
    for (qsizetype n = 0; n < whole.size(); ++n)
        QVERIFY2(!readDirectory(whole.first(n)), qPrintable(QString::number(n)));
    QVERIFY(!readDirectory(whole + '\0'));
    QVERIFY(!readDirectory('\0' + whole));

    const QByteArray block = blockBytes(b.sealed, 1);
    for (qsizetype n = 0; n < block.size(); ++n) {
        QVERIFY2(!decodeBlock(block.first(n)), qPrintable(QString::number(n)));
        QVERIFY2(!decodeBlock(block.last(n)), qPrintable(QString::number(n)));
    }
    QVERIFY(!decodeBlock(block + '\0'));
    // A Range GET one byte off in either direction must not decode either.
    const BlockInfo &info = b.sealed.blocks.at(1);
    QVERIFY(!decodeBlock(QByteArrayView(whole).sliced(info.offset - 1, info.length)));
    QVERIFY(!decodeBlock(QByteArrayView(whole).sliced(info.offset + 1, info.length)));
}

void tst_SegmentCodec::checksumMismatchDetected()
{
    const Built b = build(RecordEncoding::Json, 1, 50);
    QByteArray block = blockBytes(b.sealed, 0);
    // Past the 56-byte fixed header and the two ids: inside the zstd frame.
    const qsizetype frameStart = 56 + App.size() + 2;
    block[frameStart + 20] = char(block[frameStart + 20] ^ 0x10);
    const auto decoded = decodeBlock(block);
    QVERIFY(!decoded);
    QVERIFY2(decoded.error().message.contains(QStringLiteral("checksum")),
             qPrintable(decoded.error().message));

    QByteArray whole = b.sealed.bytes;
    whole[2] = char(whole[2] ^ 1); // the header's version byte: caught by the header checksum
    QVERIFY(!readDirectory(whole));
}

void tst_SegmentCodec::randomGarbageIsAnError()
{
    QRandomGenerator rng(1234);
    const Built b = build(RecordEncoding::Cbor, 1, 2);
    const QByteArray validBlock = blockBytes(b.sealed, 0);
    for (int i = 0; i < 3000; ++i) {
        QByteArray junk(rng.bounded(600), Qt::Uninitialized);
        for (char &c : junk)
            c = char(rng.bounded(256));
        // Give a third of them a real prefix so parsing gets past the magic numbers.
        if (i % 3 == 1)
            junk.prepend(b.sealed.bytes.first(20));
        if (i % 3 == 2)
            junk.prepend(validBlock.first(56));
        QVERIFY(!decodeBlock(junk));
        QVERIFY(!readDirectory(junk));
    }
}

void tst_SegmentCodec::compressionShrinksRepetitiveJson()
{
    constexpr int convos = 20;
    constexpr int perConvo = 500;
    for (const RecordEncoding encoding : {RecordEncoding::Json, RecordEncoding::Cbor}) {
        const Built b = build(encoding, convos, perConvo);
        qint64 rawJson = 0;
        for (const auto &records : b.records)
            for (const Record &r : records)
                rawJson += r.payload.size();
        const double perMessage = double(b.sealed.bytes.size()) / (convos * perConvo);
        qInfo("%s: %lld bytes of JSON envelopes -> %lld bytes of segment: %.1f vs %.1f bytes per "
              "message (%.0f%%)",
              encoding == RecordEncoding::Json ? "json" : "cbor", rawJson,
              qint64(b.sealed.bytes.size()), perMessage, double(rawJson) / (convos * perConvo),
              100.0 * double(b.sealed.bytes.size()) / double(rawJson));
        QVERIFY(b.sealed.bytes.size() * 2 < rawJson);
    }
}

QTEST_GUILESS_MAIN(tst_SegmentCodec)
#include "tst_segmentcodec.moc"

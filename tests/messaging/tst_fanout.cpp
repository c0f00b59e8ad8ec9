// Fanout's payload decoding: one accept call publishes the messages it accepted as one payload.
#include "messaging/fanout.h"

#include <QTest>

using namespace confab::messaging;

class TestFanout : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void oneMessageIsItsOwnPart()
    {
        const QByteArray payload = R"(m 17)" "\n" R"({"type":"message.create","message":{"seq_no":1}})";
        const QList<QByteArray> parts = Fanout::split(payload);
        QCOMPARE(parts, QList<QByteArray>{payload});
        const Event ev = Fanout::decode(parts.first());
        QCOMPARE(ev.kind, 'm');
        QCOMPARE(ev.acceptedMs, 17);
        QCOMPARE(ev.frame, QByteArray(R"({"type":"message.create","message":{"seq_no":1}})"));
    }

    void aBatchSplitsIntoItsMessagesInOrder()
    {
        const QByteArray payload = "m 1\n{\"n\":1}\nm 2\n{\"n\":2,\"t\":\"a\\nb\"}\nm 3\n{\"n\":3}";
        const QList<QByteArray> parts = Fanout::split(payload);
        QCOMPARE(parts.size(), 3);
        for (int i = 0; i < 3; ++i) {
            const Event ev = Fanout::decode(parts[i]);
            QCOMPARE(ev.kind, 'm');
            QCOMPARE(ev.acceptedMs, i + 1);
            QVERIFY(ev.frame.startsWith("{\"n\":" + QByteArray::number(i + 1)));
            QVERIFY(!ev.wire.isEmpty());
        }
        QCOMPARE(Fanout::decode(parts[1]).frame, QByteArray("{\"n\":2,\"t\":\"a\\nb\"}"));
    }

    void otherKindsAreNotSplit()
    {
        const QByteArray event = "e u1\n{\"type\":\"typing\"}";
        QCOMPARE(Fanout::split(event), QList<QByteArray>{event});
        const QByteArray bare = "{\"type\":\"presence.update\"}";
        QCOMPARE(Fanout::split(bare), QList<QByteArray>{bare});
        QCOMPARE(Fanout::decode(bare).kind, 'f');
    }

    void aTruncatedBatchKeepsWhatIsWhole()
    {
        // A trailing part without its frame line is dropped; one with an empty frame sends nothing.
        QCOMPARE(Fanout::split("m 1\n{\"n\":1}\nm 2"), QList<QByteArray>{"m 1\n{\"n\":1}"});
        const QList<QByteArray> parts = Fanout::split("m 1\n{\"n\":1}\nm 2\n");
        QCOMPARE(parts.size(), 2);
        QVERIFY(Fanout::decode(parts[1]).wire.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestFanout)
#include "tst_fanout.moc"

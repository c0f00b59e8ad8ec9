// Fanout's payload decoding (one accept call publishes the messages it accepted as one payload)
// and its delivery to local listeners. The subscriber is never started: its message signal is
// what Redis's pub/sub would raise.
#include "messaging/fanout.h"
#include "redis/subscriber.h"

#include <QTest>

#include <functional>

using namespace confab::messaging;

namespace {

// Records what it was given; answers `writes` for messages, as a session that wrote one does.
class Recorder : public Listener
{
public:
    explicit Recorder(bool writes = true) : m_writes(writes) {}
    bool onEvent(const QByteArray &, const Event &event) override
    {
        seen.append(event.frame);
        if (then)
            then();
        return m_writes && event.kind == 'm';
    }
    QList<QByteArray> seen;
    std::function<void()> then;

private:
    bool m_writes;
};

} // namespace

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

    void deliveriesAreCountedOncePerMessage()
    {
        // GIVEN three listeners on a channel, two of which write messages to a client
        confab::redis::Subscriber subscriber{confab::redis::Options{}};
        Fanout fanout(&subscriber);
        Recorder a, b, skipping(false);
        fanout.add("ch", &a);
        fanout.add("ch", &skipping);
        fanout.add("ch", &b);
        QList<QPair<qint64, qsizetype>> counted;
        fanout.setDeliveredHook([&](const Event &ev, qsizetype n) { counted.append({ev.acceptedMs, n}); });

        // WHEN one payload carries two messages, and an event follows
        Q_EMIT subscriber.message("ch", "m 5\n{\"n\":1}\nm 6\n{\"n\":2}");
        Q_EMIT subscriber.message("ch", "e u1\n{\"type\":\"typing\"}");

        // THEN every listener saw all three, and the hook ran once per message with the writers
        QCOMPARE(a.seen.size(), 3);
        QCOMPARE(skipping.seen.size(), 3);
        QCOMPARE(counted, (QList<QPair<qint64, qsizetype>>{{5, 2}, {6, 2}}));
    }

    void aListenerRemovedDuringDeliveryIsSkipped()
    {
        // GIVEN a listener that, on its event, removes the next one and adds a new one
        confab::redis::Subscriber subscriber{confab::redis::Options{}};
        Fanout fanout(&subscriber);
        Recorder first, removed, last, added;
        first.then = [&] {
            fanout.remove("ch", &removed);
            fanout.add("ch", &added);
        };
        fanout.add("ch", &first);
        fanout.add("ch", &removed);
        fanout.add("ch", &last);
        qsizetype counted = 0;
        fanout.setDeliveredHook([&](const Event &, qsizetype n) { counted += n; });

        // WHEN a message arrives
        Q_EMIT subscriber.message("ch", "m 1\n{\"n\":1}");

        // THEN the removed one is not called, the one added during the delivery waits for the
        // next message, and only the listeners that wrote are counted
        QCOMPARE(first.seen.size(), 1);
        QCOMPARE(removed.seen.size(), 0);
        QCOMPARE(last.seen.size(), 1);
        QCOMPARE(added.seen.size(), 0);
        QCOMPARE(counted, 2);
        Q_EMIT subscriber.message("ch", "m 2\n{\"n\":2}");
        QCOMPARE(added.seen.size(), 1);
        QCOMPARE(removed.seen.size(), 0);
    }

    void aChannelDroppedDuringDeliveryStopsIt()
    {
        // GIVEN a listener that removes every listener of the channel
        confab::redis::Subscriber subscriber{confab::redis::Options{}};
        Fanout fanout(&subscriber);
        Recorder first, second;
        first.then = [&] {
            fanout.remove("ch", &first);
            fanout.remove("ch", &second);
        };
        fanout.add("ch", &first);
        fanout.add("ch", &second);
        qsizetype counted = 0;
        fanout.setDeliveredHook([&](const Event &, qsizetype n) { counted += n; });

        // WHEN a message arrives THEN nobody after it is called, and what was written is counted
        Q_EMIT subscriber.message("ch", "m 1\n{\"n\":1}");
        QCOMPARE(second.seen.size(), 0);
        QCOMPARE(counted, 1);
        QCOMPARE(fanout.channelCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestFanout)
#include "tst_fanout.moc"

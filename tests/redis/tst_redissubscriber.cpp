#include "redis/client.h"
#include "redis/subscriber.h"
#include "support/testenv.h"

#include <QSignalSpy>
#include <QTest>

#include <optional>

using confab::redis::Client;
using confab::redis::Options;
using confab::redis::Reply;
using confab::redis::Subscriber;
using Args = QList<QByteArray>;

namespace
{

Options optionsFor(const QString &url)
{
    auto o = Options::fromUrl(url);
    if (!o)
        qFatal("bad test url");
    o->reconnectMinMs = 20;
    o->reconnectMaxMs = 200;
    return *o;
}

// How many subscribers received it (PUBLISH's answer), or -1.
qint64 publish(Client &client, const QByteArray &channel, const QByteArray &payload)
{
    std::optional<Reply> out;
    client.command(
        { "PUBLISH", channel, payload }, nullptr, [&out](Reply r) { out.emplace(std::move(r)); });
    if (!QTest::qWaitFor([&] { return out.has_value(); }) || !*out)
        return -1;
    return (*out)->integer;
}

// Publishes until `expected` subscribers received it (a SUBSCRIBE or UNSUBSCRIBE just sent is
// not confirmed yet); each message counted as received was published exactly once.
bool publishUntil(
    Client &client, const QByteArray &channel, const QByteArray &payload, qint64 expected)
{
    return QTest::qWaitFor([&] { return publish(client, channel, payload) == expected; }, 5000);
}

} // namespace

class TestRedisSubscriber : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void subscribeReceiveUnsubscribe();
    void binaryPayloads();
    void taggedChannelsAreSharded();
    void resubscribeRaceKeepsChannel();
    void resubscribesAfterRestart();
    void destroyWhileConnected();

private:
    confab::test::RedisServer m_server;
    std::unique_ptr<Client> m_publisher;
};

void TestRedisSubscriber::initTestCase()
{
    QVERIFY(m_server.start());
}

void TestRedisSubscriber::init()
{
    m_publisher = std::make_unique<Client>(optionsFor(m_server.url()));
    QSignalSpy connected(m_publisher.get(), &Client::connected);
    m_publisher->start();
    QVERIFY(connected.wait(5000));
}

void TestRedisSubscriber::cleanup()
{
    m_publisher.reset();
}

void TestRedisSubscriber::subscribeReceiveUnsubscribe()
{
    Subscriber sub(optionsFor(m_server.url()));
    QSignalSpy connected(&sub, &Subscriber::connected);
    QSignalSpy messages(&sub, &Subscriber::message);
    // GIVEN a channel subscribed before start THEN connected means it is subscribed
    sub.subscribe("conv:a");
    sub.subscribe("conv:a"); // idempotent
    QCOMPARE(sub.channelCount(), 1);
    sub.start();
    QVERIFY(connected.wait(5000));
    QVERIFY(sub.isConnected());
    QCOMPARE(publish(*m_publisher, "conv:a", "hello"), 1);
    QTRY_COMPARE(messages.count(), 1);
    QCOMPARE(messages.at(0).at(0).toByteArray(), QByteArray("conv:a"));
    QCOMPARE(messages.at(0).at(1).toByteArray(), QByteArray("hello"));

    // WHEN subscribing while connected THEN messages arrive once Redis confirmed it
    sub.subscribe("conv:b");
    QCOMPARE(sub.channelCount(), 2);
    QVERIFY(publishUntil(*m_publisher, "conv:b", "to b", 1));
    QTRY_COMPARE(messages.count(), 2);
    QCOMPARE(messages.at(1).at(0).toByteArray(), QByteArray("conv:b"));

    // WHEN unsubscribing THEN Redis has no subscriber left for it and nothing more arrives
    sub.unsubscribe("conv:a");
    sub.unsubscribe("conv:a");
    QCOMPARE(sub.channelCount(), 1);
    QVERIFY(publishUntil(*m_publisher, "conv:a", "gone", 0));
    QCOMPARE(publish(*m_publisher, "conv:b", "still"), 1);
    QTRY_COMPARE(messages.count(), 3);
    QCOMPARE(messages.at(2).at(1).toByteArray(), QByteArray("still"));
    QCOMPARE(connected.count(), 1);
}

void TestRedisSubscriber::binaryPayloads()
{
    Subscriber sub(optionsFor(m_server.url()));
    QSignalSpy connected(&sub, &Subscriber::connected);
    QSignalSpy messages(&sub, &Subscriber::message);
    sub.subscribe("bin");
    sub.start();
    QVERIFY(connected.wait(5000));
    const QByteArray payload("\0\r\n\xff{\"seq\":1}", 13);
    QCOMPARE(publish(*m_publisher, "bin", payload), 1);
    QTRY_COMPARE(messages.count(), 1);
    QCOMPARE(messages.at(0).at(1).toByteArray(), payload);
}

void TestRedisSubscriber::taggedChannelsAreSharded()
{
    Subscriber sub(optionsFor(m_server.url()));
    QSignalSpy connected(&sub, &Subscriber::connected);
    QSignalSpy messages(&sub, &Subscriber::message);
    // GIVEN a channel with a hash tag and one without, on one (non-cluster) Redis 7
    sub.subscribe("ch:{a:c1}");
    sub.subscribe("plain");
    sub.start();
    QVERIFY(connected.wait(5000));
    // WHEN the Client publishes to both THEN PUBLISH to the tagged one went out as SPUBLISH
    // (only a sharded subscriber counts for it) and both arrive
    QCOMPARE(publish(*m_publisher, "ch:{a:c1}", "sharded"), 1);
    QCOMPARE(publish(*m_publisher, "plain", "classic"), 1);
    QTRY_COMPARE(messages.count(), 2);
    QCOMPARE(messages.at(0).at(0).toByteArray(), QByteArray("ch:{a:c1}"));
    QCOMPARE(messages.at(0).at(1).toByteArray(), QByteArray("sharded"));
    QCOMPARE(messages.at(1).at(1).toByteArray(), QByteArray("classic"));
    // AND Redis sees one shard channel and one classic channel
    std::optional<Reply> shard;
    m_publisher->command({ "PUBSUB", "SHARDCHANNELS" }, nullptr,
        [&shard](const Reply &r) { shard.emplace(r); });
    QTRY_VERIFY(shard.has_value());
    QVERIFY(*shard);
    QCOMPARE(shard->value().elements.size(), 1);
    // WHEN the tagged channel is dropped THEN nothing more reaches it
    sub.unsubscribe("ch:{a:c1}");
    QVERIFY(publishUntil(*m_publisher, "ch:{a:c1}", "gone", 0));
    QCOMPARE(messages.count(), 2);
}

void TestRedisSubscriber::resubscribeRaceKeepsChannel()
{
    Subscriber sub(optionsFor(m_server.url()));
    QSignalSpy connected(&sub, &Subscriber::connected);
    QSignalSpy messages(&sub, &Subscriber::message);
    sub.subscribe("flap");
    sub.start();
    QVERIFY(connected.wait(5000));
    // WHEN a channel is dropped and taken again before Redis confirms the UNSUBSCRIBE
    sub.unsubscribe("flap");
    sub.subscribe("flap");
    // THEN it ends up subscribed and receiving
    QVERIFY(publishUntil(*m_publisher, "flap", "x", 1));
    QTRY_VERIFY(messages.count() >= 1);
    QCOMPARE(messages.constLast().at(1).toByteArray(), QByteArray("x"));
}

void TestRedisSubscriber::resubscribesAfterRestart()
{
    Subscriber sub(optionsFor(m_server.url()));
    QSignalSpy connected(&sub, &Subscriber::connected);
    QSignalSpy disconnected(&sub, &Subscriber::disconnected);
    QSignalSpy messages(&sub, &Subscriber::message);
    sub.subscribe("one");
    sub.subscribe("two");
    sub.start();
    QVERIFY(connected.wait(5000));

    // WHEN Redis restarts
    m_server.stop();
    QTRY_COMPARE(disconnected.count(), 1);
    QVERIFY(!sub.isConnected());
    QVERIFY(m_server.start());
    // THEN connected comes again only once both channels are subscribed again
    QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 2, 5000);
    QTRY_VERIFY(m_publisher->isConnected());
    QCOMPARE(publish(*m_publisher, "one", "after restart"), 1);
    QCOMPARE(publish(*m_publisher, "two", "also"), 1);
    QTRY_COMPARE(messages.count(), 2);
    QCOMPARE(messages.at(0).at(1).toByteArray(), QByteArray("after restart"));
    QCOMPARE(messages.at(1).at(0).toByteArray(), QByteArray("two"));
}

void TestRedisSubscriber::destroyWhileConnected()
{
    auto sub = std::make_unique<Subscriber>(optionsFor(m_server.url()));
    QSignalSpy connected(sub.get(), &Subscriber::connected);
    sub->subscribe("bye");
    sub->start();
    QVERIFY(connected.wait(5000));
    sub->subscribe("late"); // a confirmation still in flight
    sub.reset();
    QVERIFY(publishUntil(*m_publisher, "bye", "anyone?", 0));
}

QTEST_GUILESS_MAIN(TestRedisSubscriber)
#include "tst_redissubscriber.moc"

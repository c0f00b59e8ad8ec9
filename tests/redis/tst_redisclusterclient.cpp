#include "redis/client.h"
#include "redis/keyslot.h"
#include "redis/subscriber.h"
#include "replies.h"
#include "support/rediscluster.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <memory>
#include <optional>

using confab::ErrorCode;
using confab::HostPort;
using confab::redis::Client;
using confab::redis::keySlot;
using confab::redis::Options;
using confab::redis::Reply;
using confab::redis::Script;
using confab::redis::Subscriber;
using confab::test::RedisCluster;
using Args = QList<QByteArray>;
using confab::test::call;

namespace
{

// How long a test waits for one answer: a cluster's commands may follow MOVED, ASK and retries.
constexpr int kTimeoutMs = 10000;

Options clusterOptions(const RedisCluster &cluster, qint64 timeoutMs = 3000)
{
    auto o = Options::fromUrl(QStringLiteral("redis://127.0.0.1/0"));
    if (!o)
        qFatal("bad test url");
    for (quint16 port : cluster.ports())
        o->clusterNodes.append(HostPort { QStringLiteral("127.0.0.1"), port });
    o->commandTimeoutMs = timeoutMs;
    o->reconnectMinMs = 20;
    o->reconnectMaxMs = 200;
    return *o;
}

// A key of `prefix` whose slot the master on `port` owns.
QByteArray keyOn(const RedisCluster &cluster, quint16 port, const QByteArray &prefix)
{
    for (int i = 0; i < 10000; ++i) {
        const QByteArray key = prefix + "{" + QByteArray::number(i) + "}";
        if (cluster.ownerOf(keySlot(key)) == port)
            return key;
    }
    return {};
}

// Publishes until the subscriber got it (a subscription just moved may not be there yet).
bool deliver(
    Client &client, QSignalSpy &messages, const QByteArray &channel, const QByteArray &payload)
{
    const qsizetype before = messages.count();
    for (int attempt = 0; attempt < 100; ++attempt) {
        call(client, { "PUBLISH", channel, payload }, kTimeoutMs);
        if (QTest::qWaitFor([&] { return messages.count() > before; }, 100))
            return messages.last().at(0).toByteArray() == channel
                && messages.last().at(1).toByteArray() == payload;
    }
    return false;
}

qint64 errorStat(const RedisCluster &cluster, quint16 port, const QString &name)
{
    const QString info
        = cluster.cli(port, { QStringLiteral("INFO"), QStringLiteral("errorstats") });
    for (const QString &line : info.split(QLatin1Char('\n'))) {
        if (line.startsWith(QStringLiteral("errorstat_%1:count=").arg(name)))
            return line.section(QLatin1Char('='), 1).trimmed().toLongLong();
    }
    return 0;
}

} // namespace

class TestRedisClusterClient : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void routesToEveryMaster();
    void crossSlotFailsLocally();
    void slotMigrationLosesNothing();
    void shardedPubSubFollowsTheSlot();
    void tryAgainIsRetried();
    void killedNodeIsUnavailableUntilBack(); // last: it kills a master

private:
    std::unique_ptr<RedisCluster> m_cluster;
};

void TestRedisClusterClient::initTestCase()
{
    m_cluster = std::make_unique<RedisCluster>(3);
    QVERIFY2(m_cluster->start(), qPrintable(m_cluster->why()));
}

void TestRedisClusterClient::routesToEveryMaster()
{
    Client client(clusterOptions(*m_cluster));
    QSignalSpy connected(&client, &Client::connected);
    client.start();
    QVERIFY(connected.wait(10000));
    QVERIFY(client.isConnected());
    const Script incrBy(QByteArrayLiteral("return redis.call('INCRBY', KEYS[1], ARGV[1])"));
    // GIVEN a key on each master WHEN set, read and changed by a script THEN each answers
    for (quint16 port : m_cluster->ports()) {
        const QByteArray key = keyOn(*m_cluster, port, "route");
        QVERIFY(!key.isEmpty());
        auto set = call(client, { "SET", key, "40" }, kTimeoutMs);
        QVERIFY(set && *set);
        std::optional<Reply> evaluated;
        client.evalScript(incrBy, { key }, { "2" }, nullptr,
            [&evaluated](Reply r) { evaluated.emplace(std::move(r)); });
        QTRY_VERIFY(evaluated.has_value());
        QVERIFY2(*evaluated, qPrintable(*evaluated ? QString() : evaluated->error().message));
        QCOMPARE(evaluated->value().integer, 42);
        // THEN it is on that master and no other
        QCOMPARE(m_cluster->cli(port, { QStringLiteral("GET"), QString::fromUtf8(key) }),
            QStringLiteral("42"));
    }
    // Keyless commands go to any node; SCRIPT FLUSH to all of them (EVALSHA reloads after)
    auto ping = call(client, { "PING" }, kTimeoutMs);
    QVERIFY(ping && *ping);
    auto flush = call(client, { "SCRIPT", "FLUSH" }, kTimeoutMs);
    QVERIFY(flush && *flush);
    std::optional<Reply> again;
    client.evalScript(incrBy, { keyOn(*m_cluster, m_cluster->ports().at(1), "route") }, { "1" },
        nullptr, [&again](Reply r) { again.emplace(std::move(r)); });
    QTRY_VERIFY(again.has_value());
    QVERIFY(*again);
    QCOMPARE(again->value().integer, 43);
    QVERIFY(client.commandsSent() > 0);
}

void TestRedisClusterClient::crossSlotFailsLocally()
{
    Client client(clusterOptions(*m_cluster));
    QSignalSpy connected(&client, &Client::connected);
    client.start();
    QVERIFY(connected.wait(10000));
    const quint64 before = client.commandsSent();
    auto del = call(client, { "DEL", "{a}1", "{b}2" }, kTimeoutMs);
    QVERIFY(del && !*del);
    QVERIFY2(del->error().message.startsWith(QLatin1String("redis: CROSSSLOT")),
        qPrintable(del->error().message));
    QCOMPARE(client.commandsSent(), before);
}

void TestRedisClusterClient::slotMigrationLosesNothing()
{
    Client client(clusterOptions(*m_cluster));
    QSignalSpy connected(&client, &Client::connected);
    client.start();
    QVERIFY(connected.wait(10000));
    const QByteArray counter = "{mig}:counter";
    const QByteArray stream = "{mig}:stream";
    const int slot = keySlot(counter);
    const quint16 from = m_cluster->ownerOf(slot);
    quint16 to = 0;
    for (quint16 port : m_cluster->ports())
        if (port != from)
            to = port;
    QVERIFY(from && to);

    // GIVEN pipelined traffic on one slot: INCR, XADD and a fresh key per step
    int sent = 0;
    int answered = 0;
    QStringList failures;
    qint64 lastSeen = 0;
    bool ordered = true;
    QTimer traffic;
    traffic.setInterval(2);
    connect(&traffic, &QTimer::timeout, &client, [&] {
        for (int i = 0; i < 20; ++i, ++sent) {
            const QByteArray n = QByteArray::number(sent);
            client.command({ "INCR", counter }, nullptr, [&](const Reply &r) {
                ++answered;
                if (!r)
                    failures.append(r.error().message);
                else if (r->integer != lastSeen + 1)
                    ordered = false; // commands of one slot stay in order across redirects
                else
                    lastSeen = r->integer;
            });
            client.command({ "XADD", stream, "*", "n", n }, nullptr, [&](const Reply &r) {
                ++answered;
                if (!r)
                    failures.append(r.error().message);
            });
            client.command({ "INCR", "{mig}:fresh:" + n }, nullptr, [&](const Reply &r) {
                ++answered;
                if (!r)
                    failures.append(r.error().message);
            });
        }
    });
    traffic.start();
    QTest::qWait(100);
    // WHEN the slot is half moved (ASK for keys already on the target) and then moved (MOVED)
    QVERIFY(m_cluster->migrateSlot(slot, to, true));
    QTest::qWait(200);
    QVERIFY(m_cluster->finishMigration(slot, to));
    QTest::qWait(300);
    traffic.stop();
    QTRY_COMPARE_WITH_TIMEOUT(answered, sent * 3, 15000);

    // THEN every command succeeded exactly once, in order
    QVERIFY2(failures.isEmpty(), qPrintable(failures.value(0)));
    QVERIFY(ordered);
    auto count = call(client, { "GET", counter }, kTimeoutMs);
    QVERIFY(count && *count);
    QCOMPARE(count->value().toInteger(), qint64(sent));
    auto length = call(client, { "XLEN", stream }, kTimeoutMs);
    QVERIFY(length && *length);
    QCOMPARE(length->value().integer, qint64(sent));
    QCOMPARE(m_cluster->ownerOf(slot), to);
    QVERIFY(m_cluster->cli(to, { QStringLiteral("GET"), QString::fromUtf8(counter) })
        == QString::number(sent));
    // AND both redirects happened (the source's error counts)
    QVERIFY(errorStat(*m_cluster, from, QStringLiteral("ASK")) > 0);
    QVERIFY(errorStat(*m_cluster, from, QStringLiteral("MOVED")) > 0);
}

void TestRedisClusterClient::shardedPubSubFollowsTheSlot()
{
    Client client(clusterOptions(*m_cluster));
    Subscriber sub(clusterOptions(*m_cluster));
    QSignalSpy clientUp(&client, &Client::connected);
    QSignalSpy subUp(&sub, &Subscriber::connected);
    QSignalSpy messages(&sub, &Subscriber::message);
    const QByteArray tagged = "{room7}:ch";
    const QByteArray plain = "confab:control";
    sub.subscribe(tagged);
    sub.subscribe(plain);
    client.start();
    sub.start();
    QVERIFY(clientUp.wait(10000));
    QVERIFY(subUp.count() > 0 || subUp.wait(10000));

    QVERIFY(deliver(client, messages, tagged, "before"));
    QVERIFY(deliver(client, messages, plain, "control"));
    // WHEN the tagged channel's slot moves THEN Redis unsubscribes it there and it is
    // subscribed again at the new owner, the other channel untouched
    const int slot = keySlot(tagged);
    const quint16 from = m_cluster->ownerOf(slot);
    quint16 to = 0;
    for (quint16 port : m_cluster->ports())
        if (port != from)
            to = port;
    QVERIFY(m_cluster->migrateSlot(slot, to));
    QVERIFY(deliver(client, messages, tagged, "after"));
    QVERIFY(deliver(client, messages, plain, "control again"));
    QTRY_COMPARE(
        m_cluster->cli(to,
            { QStringLiteral("PUBSUB"), QStringLiteral("SHARDNUMSUB"), QString::fromUtf8(tagged) }),
        QStringLiteral("%1\n1").arg(QString::fromUtf8(tagged)));
    QCOMPARE(sub.channelCount(), 2);
}

void TestRedisClusterClient::tryAgainIsRetried()
{
    Client client(clusterOptions(*m_cluster));
    QSignalSpy connected(&client, &Client::connected);
    client.start();
    QVERIFY(connected.wait(10000));
    const QByteArray a = "{try}:a";
    const QByteArray b = "{try}:b";
    auto setA = call(client, { "SET", a, "1" }, kTimeoutMs);
    auto setB = call(client, { "SET", b, "2" }, kTimeoutMs);
    QVERIFY(setA && *setA && setB && *setB);
    const int slot = keySlot(a);
    const quint16 from = m_cluster->ownerOf(slot);
    quint16 to = 0;
    for (quint16 port : m_cluster->ports())
        if (port != from)
            to = port;
    // GIVEN a migration that moved one of the two keys so far
    QVERIFY(m_cluster->migrateSlot(slot, to, true));
    QCOMPARE(m_cluster->cli(from,
                 { QStringLiteral("MIGRATE"), QStringLiteral("127.0.0.1"), QString::number(to),
                     QString(), QStringLiteral("0"), QStringLiteral("5000"), QStringLiteral("KEYS"),
                     QString::fromUtf8(a) }),
        QStringLiteral("OK"));
    // WHEN a command needs both (Redis answers TRYAGAIN) and the migration then completes
    std::optional<Reply> got;
    client.command({ "MGET", a, b }, nullptr, [&got](const Reply &r) { got.emplace(r); });
    QTRY_VERIFY(errorStat(*m_cluster, from, QStringLiteral("TRYAGAIN")) > 0);
    QVERIFY(m_cluster->finishMigration(slot, to));
    // THEN the retried command succeeds at the new owner
    QTRY_VERIFY_WITH_TIMEOUT(got.has_value(), kTimeoutMs);
    QVERIFY2(*got, qPrintable(*got ? QString() : got->error().message));
    QCOMPARE(got->value().elements.size(), 2);
    QCOMPARE(got->value().elements.at(0).str, QByteArray("1"));
    QCOMPARE(got->value().elements.at(1).str, QByteArray("2"));
}

void TestRedisClusterClient::killedNodeIsUnavailableUntilBack()
{
    Client client(clusterOptions(*m_cluster, 1000));
    Subscriber sub(clusterOptions(*m_cluster, 1000));
    QSignalSpy connected(&client, &Client::connected);
    QSignalSpy disconnected(&client, &Client::disconnected);
    QSignalSpy subUp(&sub, &Subscriber::connected);
    QSignalSpy messages(&sub, &Subscriber::message);
    const quint16 victim = m_cluster->ports().at(0);
    const QByteArray key = keyOn(*m_cluster, victim, "dead");
    const QByteArray onVictim = keyOn(*m_cluster, victim, "ch:");
    const QByteArray elsewhere = keyOn(*m_cluster, m_cluster->ports().at(1), "ch:");
    QVERIFY(!key.isEmpty() && !onVictim.isEmpty() && !elsewhere.isEmpty());
    sub.subscribe(onVictim);
    sub.subscribe(elsewhere);
    client.start();
    sub.start();
    QVERIFY(connected.wait(10000));
    QVERIFY(subUp.count() > 0 || subUp.wait(10000));
    QVERIFY(deliver(client, messages, onVictim, "one"));

    // WHEN the master of the key is killed THEN its commands fail with Unavailable, promptly
    m_cluster->kill(victim);
    QVERIFY(disconnected.count() > 0 || disconnected.wait(5000));
    QVERIFY(!client.isConnected());
    auto r = call(client, { "GET", key }, kTimeoutMs);
    QVERIFY(r.has_value()); // an answer, not a hang
    QVERIFY(!*r);
    QCOMPARE(r->error().code, ErrorCode::Unavailable);
    // AND PING (the readiness check) asks every master, so it fails too
    auto ping = call(client, { "PING" }, kTimeoutMs);
    QVERIFY(ping.has_value());
    QVERIFY(!*ping);
    QCOMPARE(ping->error().code, ErrorCode::Unavailable);

    // WHEN it comes back THEN the client is connected again and the subscriber has both
    // channels, the one on that master subscribed again
    QVERIFY2(m_cluster->restart(victim), qPrintable(m_cluster->why()));
    QTRY_VERIFY_WITH_TIMEOUT(client.isConnected(), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(sub.isConnected(), 20000);
    QVERIFY(deliver(client, messages, onVictim, "two"));
    QVERIFY(deliver(client, messages, elsewhere, "three"));
    QCOMPARE(sub.channelCount(), 2);
}

QTEST_GUILESS_MAIN(TestRedisClusterClient)
#include "tst_redisclusterclient.moc"

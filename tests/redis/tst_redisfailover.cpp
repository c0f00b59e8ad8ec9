// redis::Client and Subscriber on Redis Sentinel (server/redis/connection.cpp): the master found
// through the Sentinels, and a failover followed while the old master stays up (demoted to a
// replica: only +switch-master, ROLE or -READONLY tell, since its connections stay open).
#include "redis/client.h"
#include "redis/subscriber.h"
#include "replies.h"

#include "support/redissentinel.h"

#include <QSignalSpy>
#include <QTest>

#include <optional>

using namespace confab;
using namespace confab::redis;
using confab::test::call;
using confab::test::RedisSentinel;

namespace {

Options sentinelOptions(const RedisSentinel &deploy, const QString &name)
{
    Options o = *Options::fromUrl(deploy.url());
    for (const QString &hp : deploy.sentinels().split(QLatin1Char(',')))
        o.sentinels.append(HostPort{hp.section(QLatin1Char(':'), 0, 0), quint16(hp.section(QLatin1Char(':'), 1).toUInt())});
    o.masterName = RedisSentinel::masterName();
    o.name = name;
    return o;
}

} // namespace

class TestRedisFailover : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void followsAFailoverOfALiveMaster()
    {
        // GIVEN a client and a subscriber that found the master through the Sentinels
        RedisSentinel deploy;
        QVERIFY(deploy.start());
        const quint16 oldMaster = deploy.masterPort();
        QVERIFY(oldMaster != 0);
        Client client(sentinelOptions(deploy, QStringLiteral("tst_redisfailover")));
        Subscriber subscriber(sentinelOptions(deploy, QStringLiteral("tst_redisfailover-sub")));
        subscriber.subscribe("chan");
        QSignalSpy subscribed(&subscriber, &Subscriber::connected);
        client.start();
        subscriber.start();
        QTRY_VERIFY_WITH_TIMEOUT(client.isConnected() && subscriber.isConnected(), 10000);
        const auto set = call(client, {"SET", "k", "before"});
        QVERIFY(set && *set);
        QCOMPARE(RedisSentinel::cli(oldMaster, {QStringLiteral("GET"), QStringLiteral("k")}), QByteArray("before"));

        // WHEN Sentinel fails over to the replica while the old master keeps running
        QSignalSpy lost(&client, &Client::disconnected);
        QCOMPARE(deploy.failover(), QByteArray("OK"));
        const quint16 newMaster = deploy.waitForNewMaster(oldMaster);
        QVERIFY(newMaster != 0);

        // THEN both reconnect to the new master within seconds, and writes land there
        QTRY_VERIFY_WITH_TIMEOUT(lost.count() >= 1 && client.isConnected(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(subscribed.count() >= 2, 10000);
        std::optional<Reply> written;
        QTRY_VERIFY_WITH_TIMEOUT((written = call(client, {"SET", "k", "after"})) && *written, 10000);
        QCOMPARE(RedisSentinel::cli(newMaster, {QStringLiteral("GET"), QStringLiteral("k")}), QByteArray("after"));
        const auto role = call(client, {"ROLE"});
        QVERIFY(role && *role);
        QCOMPARE((*role)->elements.value(0).str, QByteArray("master"));
        // AND the subscriber hears what is published on the new master
        QSignalSpy messages(&subscriber, &Subscriber::message);
        QCOMPARE(RedisSentinel::cli(newMaster, {QStringLiteral("PUBLISH"), QStringLiteral("chan"), QStringLiteral("hello")}), QByteArray("1"));
        QTRY_COMPARE_WITH_TIMEOUT(messages.count(), 1, 5000);
    }
};

QTEST_MAIN(TestRedisFailover)
#include "tst_redisfailover.moc"

// Client::evalScript with a script that names a module command (redis::Script::moduleCommand):
// the command where Redis has it, the Lua script where it does not, and [redis] module = false.
// A redis-server of the test's own with this build's confab-redis.so (RedisServer::module()).
#include "redis/client.h"
#include "replies.h"
#include "support/testenv.h"

#include <QSignalSpy>
#include <QTest>

#include <optional>

using confab::redis::Client;
using confab::redis::Options;
using confab::redis::Reply;
using confab::redis::Script;
using Args = QList<QByteArray>;
using confab::test::call;

namespace
{

std::optional<Reply> eval(Client &client, const Script &script, const Args &args)
{
    return confab::test::awaitReply(
        [&](auto cb) { client.evalScript(script, {}, args, nullptr, std::move(cb)); });
}

// How many "unknown command" errors Redis has answered since CONFIG RESETSTAT.
int unknownCommandErrors(Client &client)
{
    const auto info = call(client, { "INFO", "errorstats" });
    const QByteArray text = info && *info ? info->value().str : QByteArray();
    const qsizetype at = text.indexOf("errorstat_ERR:count=");
    return at < 0 ? 0 : text.mid(at + 20).split('\r').value(0).toInt();
}

} // namespace

class TestRedisClientModule : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void moduleCommandWhereRedisHasIt();
    void scriptWhereRedisDoesNotUntilReconnected();
    void moduleOff();

private:
    std::unique_ptr<Client> client(bool useModule);

    confab::test::RedisServer m_server;
};

void TestRedisClientModule::initTestCase()
{
    QVERIFY2(!confab::test::RedisServer::module().isEmpty(),
        "run through ctest: it names the built module");
    QVERIFY(m_server.start());
}

std::unique_ptr<Client> TestRedisClientModule::client(bool useModule)
{
    auto o = Options::fromUrl(m_server.url());
    o->useModule = useModule;
    o->reconnectMinMs = 20;
    auto c = std::make_unique<Client>(*o);
    QSignalSpy connected(c.get(), &Client::connected);
    c->start();
    if (!connected.wait(5000))
        return nullptr;
    return c;
}

void TestRedisClientModule::moduleCommandWhereRedisHasIt()
{
    auto c = client(true);
    QVERIFY(c);
    // GIVEN a script whose module command is confab.accept, called with arguments that command
    // refuses (and the script would not)
    const Script script("return 'lua'", "confab.accept");
    const auto r = eval(*c, script, { "x" });
    // THEN the module answered, and its error was not taken for a missing command
    QVERIFY(r && !*r);
    QVERIFY2(r->error().message.contains(QLatin1String("confab.accept: numkeys")),
        qPrintable(r->error().message));
}

void TestRedisClientModule::scriptWhereRedisDoesNotUntilReconnected()
{
    auto c = client(true);
    QVERIFY(c);
    QVERIFY(call(*c, { "CONFIG", "RESETSTAT" }).value().has_value());
    // GIVEN a module command this Redis does not have
    const Script script("return ARGV[1]", "confab.nosuch");
    // THEN the script answers, and Redis heard the unknown command once, not per call
    for (const QByteArray arg : { "a", "b", "c" }) {
        const auto r = eval(*c, script, { arg });
        QVERIFY(r && *r);
        QCOMPARE(r->value().str, arg);
    }
    QCOMPARE(unknownCommandErrors(*c), 1);

    // WHEN the connection is lost and made again (Redis may have been restarted with the module)
    auto other = client(true);
    QVERIFY(other);
    QSignalSpy reconnected(c.get(), &Client::connected);
    QVERIFY(
        call(*other, { "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes" }).value().has_value());
    QVERIFY(reconnected.wait(5000));
    // THEN the module command is tried again once
    const auto r = eval(*c, script, { "d" });
    QVERIFY(r && *r);
    QCOMPARE(r->value().str, QByteArray("d"));
    QCOMPARE(unknownCommandErrors(*c), 2);
}

void TestRedisClientModule::moduleOff()
{
    auto c = client(false);
    QVERIFY(c);
    // [redis] module = false: the script, though Redis has the command
    const auto r = eval(*c, Script("return 'lua'", "confab.accept"), { "x" });
    QVERIFY(r && *r);
    QCOMPARE(r->value().str, QByteArray("lua"));
}

QTEST_GUILESS_MAIN(TestRedisClientModule)
#include "tst_redisclientmodule.moc"

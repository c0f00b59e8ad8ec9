// Redis Cluster runs a script only when every key it names is on one hash slot, and a sharded
// publish from inside a script must use a channel of that slot too. Every place that builds a
// script's KEYS does it through a function; this checks each of them over many ids, with
// redis::keySlot (the cluster specification's mapping, tested in tst_rediskeyslot).

#include "messaging/scripts.h"
#include "redis/keyslot.h"
#include "retention/expiry.h"
#include "schema/keys.h"
#include "schema/pending.h"
#include "segments/pendingslots.h"

#include <QTest>

using namespace confab;
namespace keys = confab::schema::keys;

namespace
{

struct Ids {
    QString app;
    QByteArray convo;
    QByteArray user;
};

// Apps, conversations and users of many shapes (ids never hold braces or newlines).
QList<Ids> manyIds()
{
    QList<Ids> out;
    const QStringList apps { QStringLiteral("a"), QStringLiteral("app1"), QStringLiteral("acme-prod"),
        QStringLiteral("01HZX3K9Q2") };
    for (const QString &app : apps) {
        for (int i = 0; i < 64; ++i)
            out.append(Ids { app, "c" + QByteArray::number(i * 7919), "user-" + QByteArray::number(i) });
    }
    out.append(Ids { QStringLiteral("x"), "018f2b6e-5c1d-7a3b-9e4f-0a1b2c3d4e5f", "u" });
    return out;
}

// The single slot of a list of keys (and channel, when given); -1 when they differ.
int commonSlot(const QList<QByteArray> &keyList, const QByteArray &channel = {})
{
    if (keyList.isEmpty())
        return -1;
    const int slot = redis::keySlot(keyList.first());
    for (const QByteArray &k : keyList) {
        if (redis::keySlot(k) != slot)
            return -1;
    }
    if (!channel.isEmpty() && redis::keySlot(channel) != slot)
        return -1;
    return slot;
}

} // namespace

class TestScriptSlots : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void acceptOnACluster()
    {
        for (const Ids &id : manyIds()) {
            messaging::AcceptInput in { id.app, id.convo, id.user, "cmid", "{", "}", 1, 3600000, 10, 5 };
            in.cluster = true;
            const messaging::ScriptCall call = messaging::acceptCall(QList<messaging::AcceptInput> { in, in });
            QCOMPARE(call.keys.size(), 5);
            QCOMPARE(call.channel, keys::convoChannel(id.app, id.convo));
            QCOMPARE(call.args.value(0), call.channel); // ARGV[1], what the script publishes on
            const int slot = commonSlot(call.keys, call.channel);
            QVERIFY2(slot >= 0, qPrintable(id.app + QLatin1Char('/') + QString::fromUtf8(id.convo)));
            QCOMPARE(slot, schema::convoSlot(id.app, id.convo));
            QCOMPARE(call.args.value(6), QByteArray::number(slot)); // ARGV[7]
            // The rate limits are not taken inside: the caller takes them on the {app} slot.
            QCOMPARE(call.args.value(4), QByteArray("0"));
            QCOMPARE(call.args.value(5), QByteArray("0"));
            QCOMPARE(call.args.value(7), QByteArray("2")); // two messages, six arguments each
            QCOMPARE(call.args.size(), 8 + 2 * 6);
        }
    }

    void acceptOnOneRedis()
    {
        // One Redis: the same five keys on the conversation's slot, then the {app} bucket, the
        // dirty-slot set and each message's user bucket, so a batch stays one script call
        // (docs/redis.md).
        const Ids id { QStringLiteral("app1"), "c1", "u1" };
        const messaging::AcceptInput first { id.app, id.convo, id.user, "cmid", "{", "}", 1, 3600000, 10, 5 };
        const messaging::AcceptInput second { id.app, id.convo, "u2", "cmid2", "{", "}", 1, 3600000, 10, 5 };
        const messaging::ScriptCall call = messaging::acceptCall(QList<messaging::AcceptInput> { first, second });
        QCOMPARE(call.keys.size(), 9);
        QVERIFY(commonSlot(call.keys.mid(0, 5), call.channel) >= 0);
        QCOMPARE(call.keys.mid(5),
            (QList<QByteArray> { keys::appBucket(id.app), schema::dirtySlotsKey(), keys::userBucket(id.app, id.user),
                keys::userBucket(id.app, "u2") }));
        QCOMPARE(call.args.value(4), QByteArray("10"));
        QCOMPARE(call.args.value(5), QByteArray("5"));
    }

    void acceptScriptHoldsThePendingLines()
    {
        // Tests stand in for a crash between accept and mark by removing these lines.
        QVERIFY(messaging::Scripts().accept.source().contains(schema::kAcceptPendingLine));
    }

    void bucketsShareTheirAppSlot()
    {
        for (const Ids &id : manyIds()) {
            const messaging::ScriptCall send = messaging::sendBucketsCall(id.app, id.user, 10, 5);
            const messaging::ScriptCall convo = messaging::convoBucketsCall(id.app, id.user, 10, 5);
            QVERIFY(send.channel.isEmpty() && convo.channel.isEmpty());
            QCOMPARE(commonSlot(send.keys), redis::keySlot("{" + id.app.toUtf8() + "}"));
            QCOMPARE(commonSlot(convo.keys), redis::keySlot("{" + id.app.toUtf8() + "}"));
        }
    }

    void watermarkPresenceAndConnectionRate()
    {
        for (const Ids &id : manyIds()) {
            for (const bool read : { false, true }) {
                const messaging::ScriptCall w = messaging::watermarkCall(read, id.app, id.convo, id.user, 3, "{");
                QCOMPARE(w.args.value(2), w.channel);
                QCOMPARE(commonSlot(w.keys, w.channel), schema::convoSlot(id.app, id.convo));
            }
            const int userSlot = redis::keySlot(keys::presence(id.app, id.user));
            const messaging::ScriptCall up = messaging::presenceUpCall(id.app, id.user, "s 1 n", 90000, "{");
            QCOMPARE(up.args.value(3), up.channel);
            QCOMPARE(commonSlot(up.keys, up.channel), userSlot);
            const messaging::ScriptCall down = messaging::presenceDownCall(id.app, id.user, "s 1 n", "{");
            QCOMPARE(down.args.value(1), down.channel);
            QCOMPARE(commonSlot(down.keys, down.channel), userSlot);
            QCOMPARE(commonSlot(messaging::connectionRateCall(id.app, id.user, 10000).keys), userSlot);
        }
    }

    void flushRecoveryAndRetention()
    {
        for (const Ids &id : manyIds()) {
            const int slot = schema::convoSlot(id.app, id.convo);
            const QString convo = QString::fromUtf8(id.convo);
            QCOMPARE(commonSlot(segments::pending::clearCall(id.app, convo, 5).keys), slot);
            QCOMPARE(commonSlot(segments::pending::recoverCall(id.app, convo, 5).keys), slot);
            QCOMPARE(commonSlot(retention::tailExpiryKeys({ id.app, convo, 0, 0 })), slot);
        }
        // The leases (redis/lease.h) name one key each.
        QVERIFY(redis::hasHashTag(keys::flushLock(QStringLiteral("app1"))));
        QCOMPARE(commonSlot({ keys::retentionLock() }), redis::keySlot(keys::retentionLock()));
    }

    void keysAreSpelledAsDocsRedisMdSays()
    {
        // Built in one allocation each (schema/keys.h), the same bytes as before.
        const QString app = QStringLiteral("acme");
        QCOMPARE(keys::seq(app, "c1"), QByteArray("c:{acme:c1}:seq"));
        QCOMPARE(keys::log(app, "c1"), QByteArray("c:{acme:c1}:log"));
        QCOMPARE(keys::dedup(app, "c1"), QByteArray("c:{acme:c1}:idm"));
        QCOMPARE(keys::convoChannel(app, "c1"), QByteArray("ch:{acme:c1}"));
        QCOMPARE(keys::presence(app, "u1"), QByteArray("p:{acme:u1}"));
        QCOMPARE(keys::userBucket(app, "u1"), QByteArray("rl:{acme}:u:u1"));
        QCOMPARE(keys::appConvoBucket(app), QByteArray("rl:{acme}:capp"));
        QCOMPARE(keys::flushLock(app), QByteArray("flush:lock:{acme}"));
        QCOMPARE(keys::presenceMember("s1", 42, QStringLiteral("node-a")), QByteArray("s1 42 node-a"));
        QCOMPARE(schema::pendingMember(app, "c1"), QByteArray("acme\nc1"));
        // Anything outside ASCII is UTF-8, as QString::toUtf8() spells it.
        QCOMPARE(keys::log(QStringLiteral("caf\u00e9"), "c1"), QByteArray("c:{caf\xc3\xa9:c1}:log"));
        QCOMPARE(keys::appBucket(QStringLiteral("\u00e9t\u00e9")), QByteArray("rl:{\xc3\xa9t\xc3\xa9}:app"));
    }

    void dedupFingerprintIsSha256sFirstEightBytes()
    {
        // FIPS 180-2, appendix B.1: SHA-256("abc") = ba7816bf 8f01cfea 414140de ...
        QCOMPARE(messaging::dedupFingerprint("abc").toHex(), QByteArray("ba7816bf8f01cfea"));
        QCOMPARE(messaging::dedupFingerprint("abc"), messaging::dedupFingerprint("abc"));
        // FIPS 180-2, B.2 (448 bits)
        QCOMPARE(messaging::dedupFingerprint("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").toHex(),
            QByteArray("248d6a61d20638b8"));
    }

    void perSlotKeysLiveOnTheirSlot()
    {
        for (int s = 0; s < redis::kSlotCount; ++s) {
            QCOMPARE(redis::keySlot(schema::pendingKey(s)), s);
            QCOMPARE(redis::keySlot(schema::recoveredKey(s)), s);
        }
        QCOMPARE(schema::pendingKeyOf(QStringLiteral("app1"), "c1"),
            schema::pendingKey(redis::keySlot(keys::log(QStringLiteral("app1"), "c1"))));
    }
};

QTEST_GUILESS_MAIN(TestScriptSlots)
#include "tst_scriptslots.moc"

// The accept path's idempotency against a real redis-server: resends answer the original ack,
// fingerprint matches are confirmed, the dedup index stays small (PROTOCOL.md: at most 48 bytes
// of Redis per message inside [limits] dedup_window), and forgets after the window.
#include "objectstore/runtask.h"

#include "confab/config.h"
#include "messaging/messageservice.h"
#include "messaging/scripts.h"
#include "redis/client.h"
#include "schema/keys.h"
#include "schema/pending.h"
#include "support/redisinfo.h"
#include "support/redismarks.h"
#include "support/testenv.h"

#include <QSignalSpy>
#include <QTest>

#include <tuple>

using namespace confab;
using namespace confab::test;

class TestMessageService : public QObject
{
    Q_OBJECT

    RedisServer m_server;
    std::unique_ptr<redis::Client> m_redis;
    std::unique_ptr<messaging::MessageService> m_messages;
    int m_app = 0;

    redis::Reply command(QList<QByteArray> args) { return run(m_redis->exec(std::move(args))); }

    Expected<messaging::Ack> send(const QString &app, const QByteArray &convo, const QByteArray &cmid,
                                  qint64 windowMs = 3600000)
    {
        Limits limits;
        limits.userMsgsPerMin = 0;
        limits.appMsgsPerS = 0;
        limits.dedupWindowMs = windowMs;
        return run(m_messages->send(messaging::SendRequest{app, convo, "u1", cmid, "{\"t\":1}", {}}, limits));
    }

    QString freshApp() { return QStringLiteral("app%1").arg(++m_app); }

    // Sends started in one event-loop pass (so a conversation's share one accept call), answered
    // in order.
    QList<Expected<messaging::Ack>> sendTogether(const QList<messaging::SendRequest> &requests, const Limits &limits)
    {
        std::vector<QCoro::Task<Expected<messaging::Ack>>> tasks;
        for (const messaging::SendRequest &r : requests)
            tasks.push_back(m_messages->send(r, limits));
        QList<Expected<messaging::Ack>> acks;
        for (auto &task : tasks)
            acks.append(run(std::move(task)));
        return acks;
    }

    // Accept calls since the last CONFIG RESETSTAT: the script's, or the module's where Redis
    // has it (RedisServer::module()).
    qint64 scriptCalls()
    {
        const QByteArray stats = command({ "INFO", "commandstats" })->str;
        return test::commandCalls(stats, "evalsha") + test::commandCalls(stats, "eval")
            + test::commandCalls(stats, "confab.accept");
    }

    // Every dedup key (meta hashes and shards) of an app.
    QList<QByteArray> dedupKeys(const QString &app)
    {
        QList<QByteArray> keys;
        QByteArray cursor = "0";
        do {
            const redis::Reply r = command({"SCAN", cursor, "MATCH", "c:{" + app.toUtf8() + ":*}:idm*", "COUNT", "1000"});
            if (!r)
                return keys;
            cursor = r->elements[0].str;
            for (const redis::Value &k : r->elements[1].elements)
                keys.append(k.str);
        } while (cursor != "0");
        return keys;
    }

    // Redis memory of every dedup key of an app.
    qint64 dedupBytes(const QString &app)
    {
        qint64 total = 0;
        for (const QByteArray &k : dedupKeys(app)) {
            const redis::Reply m = command({"MEMORY", "USAGE", k, "SAMPLES", "0"});
            total += m ? m->toInteger() : 0;
        }
        return total;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_server.start());
        const auto options = redis::Options::fromUrl(m_server.url());
        QVERIFY(options.has_value());
        m_redis = std::make_unique<redis::Client>(*options);
        QSignalSpy connected(m_redis.get(), &redis::Client::connected);
        m_redis->start();
        QVERIFY(connected.wait(10000));
        QVERIFY(command(markAllRecoveredCommand()).has_value());
        m_messages = std::make_unique<messaging::MessageService>(m_redis.get());
    }

    void resendAnswersTheOriginal()
    {
        const QString app = freshApp();
        const auto first = send(app, "c1", "m-1");
        QVERIFY(first.has_value());
        QVERIFY(!first->duplicate);
        QCOMPARE(first->seq, 1);
        const auto again = send(app, "c1", "m-1");
        QVERIFY(again.has_value());
        QVERIFY(again->duplicate);
        QCOMPARE(again->seq, first->seq);
        QCOMPARE(again->serverMsgId, first->serverMsgId);
        QCOMPARE(again->ts, first->ts);
        // Another conversation has its own ids.
        const auto other = send(app, "c2", "m-1");
        QVERIFY(other.has_value() && !other->duplicate);
    }

    void thousandsOfIdsAcrossShardSplits()
    {
        // GIVEN 5,000 sends in one conversation: the bucket's table splits many times
        const QString app = freshApp();
        QHash<QByteArray, QByteArray> serverIds;
        for (int i = 0; i < 5000; ++i) {
            const QByteArray cmid = "id-" + QByteArray::number(i);
            const auto ack = send(app, "big", cmid);
            QVERIFY(ack.has_value() && !ack->duplicate);
            QCOMPARE(ack->seq, qint64(i + 1));
            serverIds.insert(cmid, ack->serverMsgId);
        }
        // THEN every one of them is still recognised, with its own original
        for (int i = 0; i < 5000; i += 7) {
            const QByteArray cmid = "id-" + QByteArray::number(i);
            const auto ack = send(app, "big", cmid);
            QVERIFY(ack.has_value());
            QVERIFY2(ack->duplicate, cmid.constData());
            QCOMPARE(ack->seq, qint64(i + 1));
            QCOMPARE(ack->serverMsgId, serverIds.value(cmid));
        }
        const redis::Reply last = command({"GET", schema::keys::seq(app, "big")});
        QCOMPARE(last->toInteger(), qint64(5000));
    }

    void everyIndexKeyExpiresWhateverASplitMoves()
    {
        // GIVEN ids chosen (as a client could) so that the first split of a bucket moves all of
        // shard 0's entries in one conversation and none in another, then ids of the other half
        const QString app = freshApp();
        QList<QByteArray> odd, even;
        for (int i = 0; odd.size() < 100 || even.size() < 100; ++i) {
            const QByteArray cmid = "id-" + QByteArray::number(i);
            QList<QByteArray> &half = (uchar(messaging::dedupFingerprint(cmid).at(7)) & 1) ? odd : even;
            if (half.size() < 100)
                half.append(cmid);
        }
        for (const auto &[convo, first, second] : {std::tuple{"moves-all", odd, even}, std::tuple{"moves-none", even, odd}}) {
            // 33 of one half split the bucket once (32 entries a shard, docs/redis.md), 60 do not
            // split it again
            const QList<QByteArray> ids = first.mid(0, 40) + second.mid(0, 20);
            for (const QByteArray &cmid : ids) {
                const auto ack = send(app, convo, cmid);
                QVERIFY(ack.has_value() && !ack->duplicate);
            }
            // THEN the bucket split, every id is still found, and every key of the index expires
            const redis::Reply meta = command({"HGETALL", schema::keys::dedup(app, convo)});
            QCOMPARE(meta->elements.size(), 2);
            QVERIFY2(meta->elements[1].str.startsWith("1 0 s"), meta->elements[1].str.constData());
            for (const QByteArray &cmid : ids) {
                const auto ack = send(app, convo, cmid);
                QVERIFY(ack.has_value() && ack->duplicate);
            }
        }
        const QList<QByteArray> keys = dedupKeys(app);
        QCOMPARE(keys.size(), 2 * 3); // per conversation the meta and two shards
        for (const QByteArray &k : keys)
            QVERIFY2(command({"PTTL", k})->toInteger() > 0, k.constData());
    }

    void countWrittenByAnOlderConfabIsTakenOver()
    {
        // GIVEN a bucket whose meta an older Confab wrote as "level split count"
        const QString app = freshApp();
        for (int i = 0; i < 10; ++i)
            QVERIFY(send(app, "c1", "old-" + QByteArray::number(i)).has_value());
        const QByteArray metaKey = schema::keys::dedup(app, "c1");
        const QByteArray bucket = command({"HKEYS", metaKey})->elements[0].str;
        QVERIFY(command({"HSET", metaKey, bucket, "0 0 10"}).has_value());
        // WHEN more messages come, THEN the count goes on from 10: the 33rd splits the bucket
        for (int i = 0; i < 22; ++i)
            QVERIFY(send(app, "c1", "new-" + QByteArray::number(i)).has_value());
        QCOMPARE(command({"HGET", metaKey, bucket})->str, QByteArray("0 0 s0"));
        QVERIFY(send(app, "c1", "new-22").has_value());
        QCOMPARE(command({"HGET", metaKey, bucket})->str, QByteArray("1 0 s0"));
        QCOMPARE(command({"EXISTS", metaKey + ':' + bucket + ":1"})->toInteger(), 1);
    }

    void resendAfterTheTailWasTrimmed()
    {
        // GIVEN a message whose tail entry is gone (flushed and trimmed)
        const QString app = freshApp();
        const auto first = send(app, "c1", "trimmed");
        QVERIFY(first.has_value());
        const redis::Reply entry = command({"XRANGE", schema::keys::log(app, "c1"), "-", "+"});
        const QByteArray envelope = entry->elements[0].elements[1].elements[1].str;
        QVERIFY(command({"DEL", schema::keys::log(app, "c1")}).has_value());
        // WHEN it is resent, the original comes from history
        int lookups = 0;
        m_messages->setEnvelopeLookup([&lookups, envelope](QString, QByteArray, qint64 seq) -> QCoro::Task<Expected<QByteArray>> {
            ++lookups;
            return seq == 1 ? readyEnvelope(envelope) : readyEnvelope(QByteArray());
        });
        const auto again = send(app, "c1", "trimmed");
        m_messages->setEnvelopeLookup({});
        QVERIFY(again.has_value());
        QCOMPARE(lookups, 1);
        QVERIFY(again->duplicate);
        QCOMPARE(again->serverMsgId, first->serverMsgId);
    }

    void fingerprintCollisionIsNotADuplicate()
    {
        // GIVEN a dedup entry that points at a message with another client_msg_id (what a
        // 64-bit fingerprint collision would look like)
        const QString app = freshApp();
        const auto first = send(app, "c1", "original");
        QVERIFY(first.has_value());
        const QByteArray fp = messaging::dedupFingerprint("impostor");
        const redis::Reply meta = command({"HGETALL", schema::keys::dedup(app, "c1")});
        QCOMPARE(meta->elements.size(), 2);
        const QByteArray bucket = meta->elements[0].str;
        const QByteArray shard = schema::keys::dedup(app, "c1") + ':' + bucket + ":0";
        QVERIFY(command({"HSET", shard, fp, "1"}).has_value());
        // WHEN "impostor" is sent, THEN it is a new message, not message 1 again
        const auto ack = send(app, "c1", "impostor");
        QVERIFY(ack.has_value());
        QVERIFY(!ack->duplicate);
        QCOMPARE(ack->seq, 2);
    }

    void redisBytesPerMessageInsideTheWindow()
    {
        // 20,000 messages over 20 conversations (1,000 each), ids as long as a UUID
        const QString app = freshApp();
        const int convos = 20, perConvo = 1000;
        for (int i = 0; i < perConvo; ++i) {
            for (int c = 0; c < convos; ++c) {
                const QByteArray cmid = QByteArray("6f1c2a9e-0000-4000-8000-") + QByteArray::number(c * perConvo + i).rightJustified(12, '0');
                const auto ack = send(app, "c" + QByteArray::number(c), cmid);
                QVERIFY(ack.has_value() && !ack->duplicate);
            }
        }
        const qint64 bytes = dedupBytes(app);
        QVERIFY(bytes > 0);
        const double perMessage = double(bytes) / (convos * perConvo);
        qInfo("dedup index: %lld bytes for %d messages = %.1f bytes per message", bytes, convos * perConvo, perMessage);
        QVERIFY2(perMessage <= 48, qPrintable(QString::number(perMessage)));
    }

    void forgottenAfterTheWindow()
    {
        // A 2 s window: remembered within it, forgotten once its buckets expired (1.5 windows)
        const QString app = freshApp();
        const auto first = send(app, "c1", "short", 2000);
        QVERIFY(first.has_value());
        const auto within = send(app, "c1", "short", 2000);
        QVERIFY(within.has_value() && within->duplicate);
        QTest::qWait(3200);
        const auto after = send(app, "c1", "short", 2000);
        QVERIFY(after.has_value());
        QVERIFY(!after->duplicate);
        QCOMPARE(after->seq, 2);
    }

    // The send limits in both layouts (docs/redis.md, "Redis Cluster"): inside the accept
    // script on one Redis, where a resend costs no token; in a tokenBuckets call of their own
    // on the {app} slot with the cluster layout, where it does.
    void sendLimits_data()
    {
        QTest::addColumn<bool>("cluster");
        QTest::newRow("one Redis") << false;
        QTest::newRow("cluster layout") << true;
    }
    void sendLimits()
    {
        QFETCH(bool, cluster);
        m_messages->setClusterLayout(cluster);
        const QString app = freshApp();
        Limits limits;
        limits.userMsgsPerMin = 3;
        limits.appMsgsPerS = 1000;
        auto limited = [&](const QByteArray &cmid) {
            return run(m_messages->send(messaging::SendRequest{app, "c1", "u1", cmid, "{\"t\":1}", {}}, limits));
        };
        QVERIFY(limited("a").has_value());
        QVERIFY(limited("b").has_value());
        // A resend of "a": a duplicate, for a token only with the cluster layout.
        const auto again = limited("a");
        QVERIFY(again.has_value() && again->duplicate);
        const auto third = limited("c");
        QCOMPARE(third.has_value(), !cluster);
        if (cluster) {
            QCOMPARE(third.error().code, ErrorCode::RateLimited);
            QVERIFY(third.error().retryAfterMs > 0);
        } else {
            QCOMPARE(limited("d").error().code, ErrorCode::RateLimited);
        }
        // Nothing refused took a seq_no.
        QCOMPARE(command({"GET", schema::keys::seq(app, "c1")})->toInteger(), cluster ? 2 : 3);
        // The other users of the app are not limited by this one's bucket.
        QVERIFY(run(m_messages->send(messaging::SendRequest{app, "c1", "u2", "e", "{\"t\":1}", {}}, limits)).has_value());
        m_messages->setClusterLayout(false);
    }

    // The dirty-slot mark: by the script on one Redis, by the node right after it with the
    // cluster layout; only when the conversation became pending.
    void sendMarksItsSlotDirty_data() { sendLimits_data(); }
    void sendMarksItsSlotDirty()
    {
        QFETCH(bool, cluster);
        m_messages->setClusterLayout(cluster);
        const QString app = freshApp();
        const QByteArray slot = QByteArray::number(schema::convoSlot(app, "c1"));
        QVERIFY(command({"DEL", schema::dirtySlotsKey()}).has_value());
        QVERIFY(send(app, "c1", "m-1").has_value());
        // The node's SADD went out before the ack, on the same connection: it is answered first.
        QCOMPARE(command({"SMEMBERS", schema::dirtySlotsKey()})->elements.size(), 1);
        QCOMPARE(command({"SISMEMBER", schema::dirtySlotsKey(), slot})->toInteger(), 1);
        QCOMPARE(command({"ZCARD", schema::pendingKeyOf(app, "c1")})->toInteger(), 1);
        // Already pending: a later send does not mark again.
        QVERIFY(command({"DEL", schema::dirtySlotsKey()}).has_value());
        QVERIFY(send(app, "c1", "m-2").has_value());
        QCOMPARE(command({"EXISTS", schema::dirtySlotsKey()})->toInteger(), 0);
        m_messages->setClusterLayout(false);
    }

    // The sends to a conversation that come while its calls are out are one script call, and
    // answer as if each had been a call of its own: in order, resends inside the batch
    // answered with the original.
    void sendsWhileACallIsOutShareTheNext()
    {
        const QString app = freshApp();
        QVERIFY(send(app, "warm", "w").has_value()); // the script is loaded: EVALSHA from here
        QVERIFY(command({"CONFIG", "RESETSTAT"}).has_value());
        QList<messaging::SendRequest> requests;
        for (const QByteArray cmid : {"a", "b", "a", "c", "b"})
            requests.append(messaging::SendRequest{app, "c1", "u1", cmid, "{\"t\":\"" + cmid + "\"}", {}});
        Limits limits;
        const auto acks = sendTogether(requests, limits);
        const QList<qint64> seqs{1, 2, 1, 3, 2};
        for (qsizetype i = 0; i < acks.size(); ++i) {
            QVERIFY2(acks[i].has_value(), qPrintable(QString::number(i)));
            QCOMPARE(acks[i]->seq, seqs[i]);
            QCOMPARE(acks[i]->duplicate, i == 2 || i == 4);
        }
        QCOMPARE(acks[2]->serverMsgId, acks[0]->serverMsgId);
        // "a" and "b" at once (two calls out at most), the other three together once one is
        // answered.
        QCOMPARE(scriptCalls(), 3);
        const redis::Reply log = command({"XRANGE", schema::keys::log(app, "c1"), "-", "+"});
        QCOMPARE(log->elements.size(), 3);
        QVERIFY(log->elements[2].elements[1].elements[1].str.contains("\"client_msg_id\":\"c\""));
        QCOMPARE(command({"GET", schema::keys::seq(app, "c1")})->toInteger(), 3);
        // Later, alone: still remembered.
        const auto again = send(app, "c1", "c");
        QVERIFY(again.has_value() && again->duplicate && again->seq == 3);
    }

    void batchTakesEachSendersTokens()
    {
        const QString app = freshApp();
        Limits limits;
        limits.userMsgsPerMin = 3;
        limits.appMsgsPerS = 1000;
        QList<messaging::SendRequest> requests;
        for (const QByteArray cmid : {"1", "2", "3", "4", "5"})
            requests.append(messaging::SendRequest{app, "c1", "u1", cmid, "{}", {}});
        requests.append(messaging::SendRequest{app, "c1", "u2", "6", "{}", {}});
        const auto acks = sendTogether(requests, limits);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(acks[i]->seq, i + 1);
        for (int i = 3; i < 5; ++i) {
            QCOMPARE(acks[i].error().code, ErrorCode::RateLimited);
            QVERIFY(acks[i].error().retryAfterMs > 0);
        }
        QCOMPARE(acks[5]->seq, 4); // another user's bucket; nothing refused took a seq_no
        // The tokens taken inside the batch were written back: u1 is still out of them.
        QCOMPARE(send(app, "c2", "7").has_value(), true); // send() has no limits
        const auto later = run(m_messages->send(messaging::SendRequest{app, "c3", "u1", "8", "{}", {}}, limits));
        QCOMPARE(later.error().code, ErrorCode::RateLimited);
    }

    void aFullBatchGoesOutAndTheRestFollowInOrder()
    {
        const QString app = freshApp();
        QVERIFY(send(app, "warm", "w").has_value());
        QVERIFY(command({"CONFIG", "RESETSTAT"}).has_value());
        Limits unlimited;
        unlimited.userMsgsPerMin = 0;
        unlimited.appMsgsPerS = 0;
        const qsizetype n = 2 * messaging::kMaxAcceptBatch + 10;
        QList<messaging::SendRequest> requests;
        for (qsizetype i = 0; i < n; ++i)
            requests.append(messaging::SendRequest{app, "c1", "u1", QByteArray::number(i), "{}", {}});
        const auto acks = sendTogether(requests, unlimited);
        for (qsizetype i = 0; i < n; ++i)
            QCOMPARE(acks[i]->seq, i + 1);
        // 1 and 1 at once (two calls out), 64 and 64 as each batch fills, the last 8.
        QCOMPARE(scriptCalls(), 5);
        // Two conversations: each one's first two sends go at once (c2's x and y, c3's x), and
        // c2's next two wait for one of its calls and go together.
        QVERIFY(command({"CONFIG", "RESETSTAT"}).has_value());
        const auto two
            = sendTogether({ messaging::SendRequest { app, "c2", "u1", "x", "{}", {} },
                               messaging::SendRequest { app, "c3", "u1", "x", "{}", {} },
                               messaging::SendRequest { app, "c2", "u1", "y", "{}", {} },
                               messaging::SendRequest { app, "c2", "u1", "z", "{}", {} },
                               messaging::SendRequest { app, "c2", "u1", "w", "{}", {} } },
                unlimited);
        const QList<qint64> seqs { 1, 1, 2, 3, 4 };
        for (qsizetype i = 0; i < seqs.size(); ++i)
            QCOMPARE(two[i]->seq, seqs[i]);
        QCOMPARE(scriptCalls(), 4);
    }

private:
    static QCoro::Task<Expected<QByteArray>> readyEnvelope(QByteArray envelope) { co_return envelope; }
};

QTEST_GUILESS_MAIN(TestMessageService)
#include "tst_messageservice.moc"

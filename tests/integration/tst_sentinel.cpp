// Redis Sentinel end to end (issue 14 item 4, docs/redis.md "Sentinel"): two nodes find the
// master through three Sentinels, clients on both send steadily, the master is SIGKILLed, and
// the nodes follow the promoted replica. Every acknowledged message is in history exactly once
// with a gapless seq_no, every live message.create matches history at its seq_no, and whatever
// was answered `unavailable` is absent or comes back as a duplicate on resend.
//
// What an asynchronous-replication failover can lose: the writes the master made after the
// replica's last copy. The replica here runs appendfsync always, so what it received survives
// it; what it never received is gone. Confab acknowledges a send only after WAIT 1 confirmed the
// replica has it ([redis] min_replicas), and publishes it live only then, so what is lost was
// answered `unavailable` and never seen with its seq_no: the new master handing that seq_no out
// again is no reuse anybody can observe.
#include "harness.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QSet>
#include <QTest>

namespace confab::test {
namespace {

QString type(const QJsonObject &f)
{
    return f.value(QLatin1String("type")).toString();
}

// One client sending steadily on one node, a few sends outstanding at a time.
struct Sender {
    QString name;
    QString url;
    QByteArray token;
    std::unique_ptr<WsClient> ws;
    int next = 0;
    QHash<QString, qint64> outstanding; // req -> when sent (ms on the test's clock)
    QHash<QString, qint64> acked;       // client_msg_id -> seq_no
    QSet<QString> unknown;              // unavailable, or no answer before the socket closed
    QHash<qint64, QString> live;        // seq_no -> client_msg_id, from message.create frames
    qint64 lastLive = 0;                // the highest seq_no delivered live so far
    QStringList outOfOrder;             // live frames behind lastLive that were not a repeat
    qint64 killedAtMs = -1; // when the master was killed (test clock), once it was
    qint64 followMs = -1;   // from the kill to the first ack of a send made after it
};

} // namespace

class TestSentinel : public QObject
{
    Q_OBJECT

    // A live message.create: seq_no order, or the repeat of one already delivered (a release
    // whose "published up to" mark the failover lost publishes again what was delivered).
    static void recordLive(Sender &s, const QJsonObject &frame)
    {
        const QJsonObject m = frame.value(QLatin1String("message")).toObject();
        const qint64 seq = m.value(QLatin1String("seq_no")).toInteger();
        const QString id = m.value(QLatin1String("client_msg_id")).toString();
        if (seq <= s.lastLive && s.live.value(seq) != id)
            s.outOfOrder.append(QStringLiteral("%1 at %2 after %3").arg(id).arg(seq).arg(s.lastLive));
        s.lastLive = qMax(s.lastLive, seq);
        s.live.insert(seq, id);
    }

    // Sends, reads answers, reconnects a closed socket; false on an answer that is neither an
    // ack nor `unavailable` (the test fails).
    bool pump(Sender &s, const QString &convo, const QElapsedTimer &clock, QString *problem)
    {
        if (!s.ws || !s.ws->isOpen()) {
            // Outcomes of what was in flight are unknown: checked like `unavailable` ones.
            for (auto it = s.outstanding.cbegin(); it != s.outstanding.cend(); ++it)
                s.unknown.insert(it.key());
            s.outstanding.clear();
            s.ws = std::make_unique<WsClient>();
            if (!s.ws->connectAndAuth(s.url, s.token))
                return true; // the node may be between masters; try again next round
        }
        for (const QJsonObject &f : s.ws->frames(QStringLiteral("message.create")))
            recordLive(s, f);
        for (const QString &t : {QStringLiteral("message.ack"), QStringLiteral("error")}) {
            for (const QJsonObject &f : s.ws->frames(t)) {
                const QString req = f.value(QLatin1String("req")).toString();
                const qint64 sentAt = s.outstanding.value(req, -1);
                if (!s.outstanding.remove(req))
                    continue;
                if (t == QLatin1String("message.ack")) {
                    s.acked.insert(req, f.value(QLatin1String("seq_no")).toInteger());
                    if (s.killedAtMs >= 0 && sentAt > s.killedAtMs && s.followMs < 0)
                        s.followMs = clock.elapsed() - s.killedAtMs;
                } else if (f.value(QLatin1String("code")).toString() == QLatin1String("unavailable")) {
                    s.unknown.insert(req);
                } else {
                    *problem = QString::fromUtf8(QJsonDocument(f).toJson(QJsonDocument::Compact));
                    return false;
                }
            }
        }
        s.ws->clear();
        while (s.outstanding.size() < 4) {
            const QString id = QStringLiteral("%1-%2").arg(s.name).arg(s.next++);
            QJsonObject frame = sendFrame(convo, id, QJsonObject{{QStringLiteral("text"), id}});
            frame.insert(QStringLiteral("req"), id);
            s.ws->send(frame);
            s.outstanding.insert(id, clock.elapsed());
        }
        return true;
    }

private Q_SLOTS:
    void nodesFollowAFailoverWithoutLosingAcks()
    {
        // GIVEN a master, a replica, three Sentinels, and two nodes that find the master through them
        RedisSentinel redis;
        QVERIFY(redis.start());
        QHash<QString, QString> settings = sentinelSettings(redis);
        settings.insert(QStringLiteral("CONFAB_LIMITS_USER_MSGS_PER_MIN"), QStringLiteral("100000"));
        Cluster cluster(settings);
        QCOMPARE(cluster.startNode(), 0);
        QCOMPARE(cluster.startNode(), 1);
        const QByteArray key = cluster.createApp().second;
        const QString convo = cluster.createConversation(key, {QStringLiteral("u1"), QStringLiteral("u2")});
        QVERIFY(!convo.isEmpty());
        Sender a;
        a.name = QStringLiteral("a");
        a.url = cluster.ws(0);
        a.token = cluster.userToken(key, QStringLiteral("u1"));
        Sender b;
        b.name = QStringLiteral("b");
        b.url = cluster.ws(1);
        b.token = cluster.userToken(key, QStringLiteral("u2"));
        QElapsedTimer clock;
        clock.start();
        QString problem;
        auto round = [&] {
            const bool ok = pump(a, convo, clock, &problem) && pump(b, convo, clock, &problem);
            QTest::qWait(10);
            return ok;
        };

        // WHEN both send steadily and the master is killed under that load
        while (clock.elapsed() < 2000)
            QVERIFY2(round(), qPrintable(problem));
        QVERIFY2(!a.acked.isEmpty() && !b.acked.isEmpty(), "no acks before the failover");
        const qint64 ackedBefore = a.acked.size() + b.acked.size();
        const quint16 oldMaster = redis.killMaster();
        QVERIFY(oldMaster != 0);
        a.killedAtMs = b.killedAtMs = clock.elapsed();

        // THEN the nodes follow the new master: sends made after the kill are acked again, once
        // the old master came back as the new one's replica (until then WAIT 1 cannot succeed:
        // those sends are answered unavailable)
        qint64 promotedMs = -1;
        qint64 lastLookMs = 0;
        bool restarted = false;
        qint64 unavailableAlone = -1; // answers while the new master has no replica
        while (clock.elapsed() - a.killedAtMs < 40000 && (a.followMs < 0 || b.followMs < 0)) {
            QVERIFY2(round(), qPrintable(problem));
            if (promotedMs < 0 && clock.elapsed() - lastLookMs > 200) {
                lastLookMs = clock.elapsed();
                const quint16 now = redis.masterPort();
                if (now != 0 && now != oldMaster) {
                    promotedMs = clock.elapsed() - a.killedAtMs;
                    unavailableAlone = -(a.unknown.size() + b.unknown.size());
                }
            }
            // Three seconds alone first: sends must still be answered (unavailable), not hang.
            if (promotedMs >= 0 && !restarted && clock.elapsed() - a.killedAtMs > promotedMs + 3000) {
                unavailableAlone += a.unknown.size() + b.unknown.size();
                QVERIFY(redis.restartKilled());
                restarted = true;
            }
        }
        QVERIFY2(unavailableAlone > 0, "sends hung while the new master had no replica");
        if (a.followMs < 0 || b.followMs < 0) {
            for (const Sender *s : {&a, &b})
                qWarning("%s: %lld acked, %lld unavailable, %lld outstanding (%s), socket %s", qPrintable(s->name),
                         qint64(s->acked.size()), qint64(s->unknown.size()), qint64(s->outstanding.size()),
                         qPrintable(QStringList(s->outstanding.keys()).join(QLatin1Char(' '))),
                         s->ws && s->ws->isOpen() ? "open" : "closed");
            for (int i = 0; i < 2; ++i)
                qWarning("node %d:\n%s", i + 1, cluster.node(i).output().right(3000).constData());
        }
        QVERIFY2(a.followMs >= 0 && b.followMs >= 0, "a node did not follow the new master");
        const quint16 newMaster = redis.masterPort();
        QVERIFY(newMaster != 0 && newMaster != oldMaster);
        qInfo("replica promoted %lld ms after the master was killed; %lld sends unavailable while it had no "
              "replica; the old master restarted 3 s after that; sends acked again %lld ms (node 1) and "
              "%lld ms (node 2) after the kill", promotedMs, unavailableAlone, a.followMs, b.followMs);
        const qint64 followedAt = clock.elapsed();
        while (clock.elapsed() - followedAt < 2000)
            QVERIFY2(round(), qPrintable(problem));
        // Let the last sends be answered.
        for (Sender *s : {&a, &b}) {
            QElapsedTimer drained;
            drained.start();
            while (!s->outstanding.isEmpty() && drained.elapsed() < 15000) {
                QTest::qWait(20);
                for (const QString &t : {QStringLiteral("message.ack"), QStringLiteral("error")}) {
                    for (const QJsonObject &f : s->ws->frames(t)) {
                        const QString req = f.value(QLatin1String("req")).toString();
                        if (!s->outstanding.remove(req))
                            continue;
                        if (t == QLatin1String("message.ack"))
                            s->acked.insert(req, f.value(QLatin1String("seq_no")).toInteger());
                        else
                            s->unknown.insert(req);
                    }
                }
                for (const QJsonObject &f : s->ws->frames(QStringLiteral("message.create")))
                    recordLive(*s, f);
                s->ws->clear();
            }
            QVERIFY2(s->outstanding.isEmpty(), "sends left unanswered");
        }
        qInfo("%lld acked before the kill, %lld in all; %lld unavailable or unanswered",
              ackedBefore, qint64(a.acked.size() + b.acked.size()), qint64(a.unknown.size() + b.unknown.size()));

        // AND every acked message is in history exactly once, at its seq_no, with no gap
        const QList<QJsonObject> history = cluster.history(key, convo);
        QHash<qint64, QString> bySeq;
        QHash<QString, qint64> byId;
        for (const QJsonObject &m : history) {
            const qint64 seq = m.value(QLatin1String("seq_no")).toInteger();
            const QString id = m.value(QLatin1String("client_msg_id")).toString();
            QVERIFY2(!bySeq.contains(seq), qPrintable(QStringLiteral("seq_no %1 twice").arg(seq)));
            QVERIFY2(!byId.contains(id), qPrintable(QStringLiteral("%1 twice").arg(id)));
            bySeq.insert(seq, id);
            byId.insert(id, seq);
        }
        for (qint64 seq = 1; seq <= bySeq.size(); ++seq)
            QVERIFY2(bySeq.contains(seq), qPrintable(QStringLiteral("gap at seq_no %1").arg(seq)));
        for (const Sender *s : {&a, &b}) {
            for (auto it = s->acked.cbegin(); it != s->acked.cend(); ++it)
                QVERIFY2(byId.value(it.key(), -1) == it.value(),
                         qPrintable(QStringLiteral("acked %1 at %2, history has %3").arg(it.key()).arg(it.value()).arg(byId.value(it.key(), -1))));
            // AND live messages came in seq_no order
            QVERIFY2(s->outOfOrder.isEmpty(), qPrintable(s->outOfOrder.join(QLatin1String(", "))));
            // AND what was delivered live carries the seq_no history has for it
            for (auto it = s->live.cbegin(); it != s->live.cend(); ++it)
                QVERIFY2(bySeq.value(it.key()) == it.value(),
                         qPrintable(QStringLiteral("live %1 at %2, history has %3 there").arg(it.value()).arg(it.key()).arg(bySeq.value(it.key()))));
        }
        // AND history holds nothing but acked or unavailable sends
        const qint64 acks = a.acked.size() + b.acked.size();
        qint64 storedUnknown = 0;
        for (const Sender *s : {&a, &b})
            for (const QString &id : s->unknown)
                storedUnknown += byId.contains(id) ? 1 : 0;
        QCOMPARE(qint64(history.size()), acks + storedUnknown);

        // AND an unavailable send is a duplicate on resend exactly when it was stored
        for (Sender *s : {&a, &b}) {
            for (const QString &id : std::as_const(s->unknown)) {
                const QJsonObject again = s->ws->request(sendFrame(convo, id, QJsonObject{{QStringLiteral("text"), id}}), 10000);
                QCOMPARE(type(again), QStringLiteral("message.ack"));
                QCOMPARE(again.value(QLatin1String("duplicate")).toBool(), byId.contains(id));
                if (byId.contains(id))
                    QCOMPARE(again.value(QLatin1String("seq_no")).toInteger(), byId.value(id));
            }
        }
    }
};

} // namespace confab::test

QTEST_MAIN(confab::test::TestSentinel)
#include "tst_sentinel.moc"

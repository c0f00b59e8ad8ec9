#pragma once

// Shared by the segments tests: a migrated database, a private Redis, the S3 test server (or a
// private one that can be stopped), and sends through the server's own accept script.

#include "objectstore/runtask.h"
#include "store/storetest.h"

#include "confab/ids.h"
#include "confab/jsonwriter.h"
#include "messaging/scripts.h"
#include "metrics/metrics.h"
#include "objectstore/s3store.h"
#include "redis/client.h"
#include "schema/keys.h"
#include "schema/pending.h"
#include "segments/flushworker.h"
#include "segments/historystore.h"
#include "store/database.h"
#include "support/redismarks.h"
#include "support/testenv.h"

#include <QDateTime>
#include <QDir>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace confab::test
{

namespace mkeys = confab::schema::keys;

// The accept script as confabd runs it, without its pending mark: what a crash between the
// accept and the mark would leave (the script is atomic, so only recovery tests need this).
// Empty if the script no longer holds the line (the tests that use it then fail).
inline redis::Script acceptWithoutPending()
{
    QByteArray source = messaging::Scripts().accept.source();
    if (!source.contains(schema::kAcceptPendingLine))
        return redis::Script(QByteArray());
    source.replace(schema::kAcceptPendingLine, "");
    return redis::Script(source);
}

// An s3rver of our own, to stop and start again on the same port and directory.
using OwnS3 = S3Server;

class Harness
{
public:
    // Not a QObject; call QVERIFY(h.setUp()) from init().
    bool setUp(const QString &s3Endpoint = {}, const QString &bucket = {})
    {
        if (!env.isValid() || !redisServer.start())
            return false;
        db = std::make_unique<store::Database>(
            store::Database::Options { env.createDatabase(), 2 });
        auto migrated = db->migrate();
        if (!finish(migrated) || !migrated.result())
            return false;
        auto options = redis::Options::fromUrl(redisServer.url());
        if (!options)
            return false;
        redis = std::make_unique<redis::Client>(*options);
        QSignalSpy connected(redis.get(), &redis::Client::connected);
        redis->start();
        if (!connected.wait(10000))
            return false;
        // What FlushWorker::recover() leaves behind; without it the accept script refuses.
        if (!command(markAllRecoveredCommand()))
            return false;
        s3 = std::make_unique<objectstore::S3Store>(
            s3Options(s3Endpoint.isEmpty() ? env.s3Endpoint() : s3Endpoint,
                bucket.isEmpty() ? env.s3Bucket() : bucket),
            &nam);
        app = QStringLiteral("app")
            + QString::fromLatin1(randomToken(6)).remove(QLatin1Char('-')).remove(QLatin1Char('_'));
        return true;
    }

    static objectstore::S3Options s3Options(const QString &endpoint, const QString &bucket)
    {
        objectstore::S3Options o;
        o.endpoint = QUrl(endpoint);
        o.region = QStringLiteral("us-east-1");
        o.bucket = bucket;
        o.accessKey = QStringLiteral("S3RVER");
        o.secretKey = QStringLiteral("S3RVER");
        o.retryBaseMs = 20;
        o.maxRetries = 1;
        o.requestTimeoutMs = 3000;
        return o;
    }

    // Accepts one message through the accept script; answers its seq_no (0 on failure). ts 0
    // means now.
    qint64 send(
        const QString &convo, const QByteArray &text, bool markPending = true, qint64 ts = 0)
    {
        if (ts == 0)
            ts = QDateTime::currentMSecsSinceEpoch();
        const QByteArray id = newUlid(ts);
        const QByteArray c = convo.toUtf8();
        JsonWriter head;
        head.beginObject()
            .field("server_msg_id", QByteArrayView(id))
            .field("convo_id", QByteArrayView(c))
            .key("seq_no");
        JsonWriter tail;
        JsonWriter content;
        content.beginObject().field("text", QByteArrayView(text)).endObject();
        tail.beginObject()
            .field("sender_id", "u1")
            .field("client_msg_id", QByteArrayView(id))
            .field("ts", ts)
            .rawField("content", content.bytes())
            .endObject();
        QByteArray tailBytes = tail.take();
        tailBytes[0] = ',';
        const messaging::ScriptCall call = messaging::acceptCall(
            messaging::AcceptInput { app, c, "u1", id, head.take(), tailBytes, ts });
        const redis::Reply r
            = run(redis->eval(markPending ? m_scripts.accept : m_acceptWithoutPending, call.keys, call.args));
        if (!r || r->elements.size() != 1 || r->elements[0].elements.size() < 2
            || r->elements[0].elements[0].toInteger() != 0)
            return 0;
        return r->elements[0].elements[1].toInteger();
    }

    // Conversations marked pending, in every slot's pending set (one Redis: SCAN sees them all).
    qint64 pendingCount()
    {
        qint64 total = 0;
        QByteArray cursor = "0";
        do {
            const redis::Reply r = command({ "SCAN", cursor, "MATCH", "flush:pending:*", "COUNT", "1000" });
            if (!r)
                return -1;
            cursor = r->elements[0].str;
            for (const redis::Value &k : r->elements[1].elements)
                total += command({ "ZCARD", k.str })->toInteger();
        } while (cursor != "0");
        return total;
    }

    // Marks a conversation pending as the accept script does: its slot's set, the dirty slot.
    bool markPending(const QByteArray &convo, qint64 ts)
    {
        const int slot = schema::convoSlot(app, convo);
        return command({ "ZADD", schema::pendingKey(slot), QByteArray::number(ts), schema::pendingMember(app, convo) })
            && command({ "SADD", schema::dirtySlotsKey(), QByteArray::number(slot) });
    }

    redis::Reply command(QList<QByteArray> args) { return run(redis->exec(std::move(args))); }

    // The whole tail of a conversation as (seq, envelope).
    QList<QPair<qint64, QByteArray>> tailOf(const QString &convo)
    {
        QList<QPair<qint64, QByteArray>> out;
        const redis::Reply r = command({ "XRANGE", mkeys::log(app, convo.toUtf8()), "-", "+" });
        if (!r)
            return out;
        for (const redis::Value &e : r->elements)
            out.append({ e.elements[0].str.split('-').first().toLongLong(),
                e.elements[1].elements[1].str });
        return out;
    }

    qint64 sqlCount(const QString &sqlText)
    {
        auto f = db->run<qint64>([sqlText](QSqlDatabase &conn) -> Expected<qint64> {
            QSqlQuery q(conn);
            if (!q.exec(sqlText) || !q.next())
                return Error::internal(q.lastError().text());
            return q.value(0).toLongLong();
        });
        if (!finish(f) || !f.result())
            return -1;
        return *f.result();
    }

    TestEnv env;
    RedisServer redisServer;
    std::unique_ptr<store::Database> db;
    std::unique_ptr<redis::Client> redis;
    QNetworkAccessManager nam;
    std::unique_ptr<objectstore::S3Store> s3;
    metrics::Metrics metrics;
    QString app;

private:
    messaging::Scripts m_scripts;
    redis::Script m_acceptWithoutPending = acceptWithoutPending();
};

// Flush options for tests: nothing flushes by itself, failed flushes retry and become dead
// letters within about a second.
inline segments::FlushOptions quickOptions()
{
    segments::FlushOptions o;
    o.maxAgeMs = 60000; // nothing flushes by itself unless a test asks
    o.tickMs = 50;
    o.hotWindow = 20;
    o.retryWindowMs = 1000;
    o.retryBaseMs = 100;
    o.deadLetterRetryMs = 300;
    return o;
}

// A text of about `bytes` bytes that tells its message apart.
inline QByteArray textOf(int i, int bytes)
{
    const QByteArray head = "m" + QByteArray::number(i) + " ";
    return head + QByteArray(qMax(0, bytes - int(head.size())), char('a' + i % 26));
}

// Every block of a conversation in the index, by first_seq: "first-last" each.
inline QStringList blockRanges(Harness &h, const QString &convo)
{
    QStringList out;
    auto f = h.db->run<QStringList>([app = h.app, convo](
                                        QSqlDatabase &conn) -> Expected<QStringList> {
        QSqlQuery q(conn);
        q.prepare(QStringLiteral("SELECT first_seq, last_seq FROM segment_blocks WHERE app_id = :a"
                                 " AND convo_id = :c ORDER BY first_seq"));
        q.bindValue(QStringLiteral(":a"), app);
        q.bindValue(QStringLiteral(":c"), convo);
        if (!q.exec())
            return Error::internal(q.lastError().text());
        QStringList r;
        while (q.next())
            r.append(
                QStringLiteral("%1-%2").arg(q.value(0).toLongLong()).arg(q.value(1).toLongLong()));
        return r;
    });
    if (test::finish(f) && f.result())
        out = *f.result();
    return out;
}

// The seq after a conversation's last indexed block when its blocks run back to back from seq 1
// (each block's first_seq the previous one's last_seq + 1); -1 when they do not.
inline qint64 backToBackEnd(Harness &h, const QString &convo)
{
    qint64 next = 1;
    for (const QString &r : blockRanges(h, convo)) {
        if (r.section(QLatin1Char('-'), 0, 0).toLongLong() != next)
            return -1;
        next = r.section(QLatin1Char('-'), 1, 1).toLongLong() + 1;
    }
    return next;
}

// Reads a conversation's whole history forward with pages of `limit`, and backward from the
// newest: both must give `expected` (seq, envelope) exactly.
inline bool readsAsTail(segments::HistoryStore &history, const QString &app, const QByteArray &convo,
    const QList<QPair<qint64, QByteArray>> &expected, int limit)
{
    QList<QPair<qint64, QByteArray>> forward;
    qint64 after = 0;
    for (int guard = 0; guard < 10000; ++guard) {
        const Expected<segments::Page> page = test::run(history.after(app, convo, after, limit));
        if (!page)
            return false;
        for (qsizetype i = 0; i < page->messages.size(); ++i)
            forward.append({ page->firstSeq + i, page->messages[i] });
        if (page->messages.isEmpty())
            break;
        after = page->lastSeq;
    }
    QList<QPair<qint64, QByteArray>> backward;
    Expected<segments::Page> page = test::run(history.latest(app, convo, limit));
    for (int guard = 0; guard < 10000 && page && !page->messages.isEmpty(); ++guard) {
        QList<QPair<qint64, QByteArray>> chunk;
        for (qsizetype i = 0; i < page->messages.size(); ++i)
            chunk.append({ page->firstSeq + i, page->messages[i] });
        backward = chunk + backward;
        if (!page->hasMore)
            break;
        page = test::run(history.before(app, convo, page->firstSeq, limit));
    }
    if (forward != expected)
        qWarning("forward read with pages of %d: %d messages, expected %d", limit,
            int(forward.size()), int(expected.size()));
    if (backward != expected)
        qWarning("backward read with pages of %d: %d messages, expected %d", limit,
            int(backward.size()), int(expected.size()));
    return forward == expected && backward == expected;
}

} // namespace confab::test

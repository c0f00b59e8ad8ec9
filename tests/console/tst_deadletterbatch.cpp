// Unit test of DeadLetterBatch's pacing on the admin WebSocket: at most 8 retries out, the next
// one sent as each is answered, a rate_limited refusal sent again after retry_after_ms, one
// outcome at the end. The peer is the in-test FramingServer; tst_consolelive runs a batch
// against a real confabd.
#include "adminserver.h"
#include "core/adminclient.h"
#include "core/deadletterbatch.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

using namespace confab::console;

class tst_DeadLetterBatch : public QObject
{
    Q_OBJECT

private:
    static QList<QJsonObject> retries(const test::FramingServer &server)
    {
        return server.framesOfType(QStringLiteral("dead_letters.retry"));
    }

    static void answer(test::FramingServer &server, const QJsonObject &request, QJsonObject frame)
    {
        frame.insert(QStringLiteral("req"), request.value(QLatin1String("req")));
        server.send(frame);
    }

    static QJsonObject ok()
    {
        return { { QStringLiteral("type"), QStringLiteral("result") },
            { QStringLiteral("ok"), true } };
    }

private Q_SLOTS:
    void keepsEightOutAndResendsRateLimited()
    {
        test::FramingServer server;
        AdminClient client;
        QVERIFY(test::connectPair(server, client));
        QStringList ids;
        for (int i = 0; i < 12; ++i)
            ids << QStringLiteral("dl%1").arg(i);
        DeadLetterBatch batch(&client, DeadLetterBatch::Kind::Retry, ids);
        QSignalSpy finished(&batch, &DeadLetterBatch::finished);
        QSignalSpy done(&batch, &DeadLetterBatch::itemDone);

        // WHEN the batch starts THEN exactly 8 requests go out, and no more while none is answered
        batch.start();
        QTRY_COMPARE(retries(server).size(), 8);
        QTest::qWait(100);
        QCOMPARE(retries(server).size(), 8);
        QCOMPARE(client.pendingRequests(), 8);

        // WHEN the server refuses one with rate_limited THEN the next id takes its place at once
        answer(server, retries(server).at(0),
            { { QStringLiteral("type"), QStringLiteral("error") },
                { QStringLiteral("code"), QStringLiteral("rate_limited") },
                { QStringLiteral("message"), QStringLiteral("too many admin requests in flight") },
                { QStringLiteral("retry_after_ms"), 300 } });
        QTRY_COMPARE(retries(server).size(), 9);
        QCOMPARE(
            retries(server).at(8).value(QLatin1String("id")).toString(), QStringLiteral("dl8"));
        QCOMPARE(done.size(), 0); // a refusal is not an outcome
        // AND past its retry_after_ms it waits for room: 8 are out
        QTest::qWait(500);
        QCOMPARE(retries(server).size(), 9);
        // WHEN one is answered THEN the refused id is the next to go
        answer(server, retries(server).at(1), ok());
        QTRY_COMPARE(retries(server).size(), 10);
        QCOMPARE(
            retries(server).at(9).value(QLatin1String("id")).toString(), QStringLiteral("dl0"));

        // WHEN everything else is answered, one with a failure
        int answered = 2;
        QElapsedTimer clock;
        clock.start();
        while (finished.isEmpty() && clock.elapsed() < 10000) {
            QVERIFY(client.pendingRequests() <= 8);
            const QList<QJsonObject> sent = retries(server);
            if (answered < sent.size()) {
                const QJsonObject request = sent.at(answered++);
                if (request.value(QLatin1String("id")).toString() == QLatin1String("dl5"))
                    answer(server, request,
                        { { QStringLiteral("type"), QStringLiteral("error") },
                            { QStringLiteral("code"), QStringLiteral("not_found") },
                            { QStringLiteral("message"),
                                QStringLiteral("dl5: no such dead letter") } });
                else
                    answer(server, request, ok());
            }
            QTest::qWait(10);
        }
        // THEN one outcome for the whole batch: 11 retried, 1 failed with its reason
        QCOMPARE(finished.size(), 1);
        QCOMPARE(done.size(), 12);
        QCOMPARE(batch.succeeded(), 11);
        QCOMPARE(batch.failed(), 1);
        QCOMPARE(batch.firstError(), QStringLiteral("dl5: no such dead letter"));
        QCOMPARE(batch.peakInFlight(), 8);
        QCOMPARE(retries(server).size(), 13); // 12 ids, one of them twice
    }

    void emptyBatchFinishes()
    {
        AdminClient client;
        DeadLetterBatch batch(&client, DeadLetterBatch::Kind::Discard, {});
        QSignalSpy finished(&batch, &DeadLetterBatch::finished);
        batch.start();
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(batch.total(), 0);
    }
};

QTEST_MAIN(tst_DeadLetterBatch)
#include "tst_deadletterbatch.moc"

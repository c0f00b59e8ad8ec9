// Unit test of AdminClient's side of the admin WebSocket protocol (PROTOCOL.md section 6):
// framing, req correlation, auth header, reconnect and backoff. The peer is an in-test
// QWebSocketServer, not confabd; the test against a real node comes with the admin server.
#include "adminserver.h"
#include "core/adminclient.h"
#include "fixtures.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace confab::console;
using confab::ErrorCode;

class tst_AdminClientProtocol : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<Stats>(); }

    void sendsBearerTokenAndSubscribes()
    {
        test::FramingServer server;
        AdminClient client;
        client.setStatsIntervalMs(2000);
        QSignalSpy states(&client, &AdminClient::stateChanged);
        QVERIFY(test::connectPair(server, client));
        QCOMPARE(server.requests().size(), 1);
        QCOMPARE(
            server.requests().at(0).rawHeader("Authorization"), QByteArray("Bearer admin-secret"));
        // The token goes in the header only, never in the URL.
        QVERIFY(!server.requests().at(0).url().hasQuery());
        const QJsonObject sub = server.frames().first();
        QCOMPARE(sub.value(QLatin1String("type")).toString(), QStringLiteral("stats.subscribe"));
        QCOMPARE(sub.value(QLatin1String("interval_ms")).toInt(), 2000);
        QCOMPARE(states.first().at(0).value<AdminClient::State>(), AdminClient::State::Connecting);
        QCOMPARE(states.last().at(0).value<AdminClient::State>(), AdminClient::State::Connected);
    }

    void statsFramesArrive()
    {
        test::FramingServer server;
        AdminClient client;
        QVERIFY(test::connectPair(server, client));
        QSignalSpy stats(&client, &AdminClient::statsReceived);
        QSignalSpy warnings(&client, &AdminClient::protocolWarning);
        server.send(test::protocolStatsFrame());
        QVERIFY(stats.wait());
        const Stats s = stats.at(0).at(0).value<Stats>();
        QCOMPARE(s.streamDepth, 1234);
        QCOMPARE(s.deadLetterCount, 2);

        // A malformed frame is reported and the connection stays.
        server.sendRaw(QStringLiteral("{not json"));
        QJsonObject bad = test::protocolStatsFrame();
        bad.remove(QStringLiteral("stream_depth"));
        server.send(bad);
        QTRY_COMPARE(warnings.count(), 2);
        server.send(test::protocolStatsFrame());
        QTRY_COMPARE(stats.count(), 2);
        QCOMPARE(client.state(), AdminClient::State::Connected);
    }

    void answersAreMatchedByReq()
    {
        test::FramingServer server;
        AdminClient client;
        QVERIFY(test::connectPair(server, client));
        AdminReply *list = client.listDeadLetters(50);
        AdminReply *retry = client.retryDeadLetter(QStringLiteral("dl7"));
        AdminReply *flush = client.flushNow();
        AdminReply *retention = client.runRetention();
        AdminReply *discard = client.discardDeadLetter(QStringLiteral("dl8"));
        QSignalSpy listDone(list, &AdminReply::finished);
        QSignalSpy retryDone(retry, &AdminReply::finished);
        QSignalSpy flushDone(flush, &AdminReply::finished);
        QSignalSpy retentionDone(retention, &AdminReply::finished);
        QSignalSpy discardDone(discard, &AdminReply::finished);
        QCOMPARE(client.pendingRequests(), 5);
        QTRY_COMPARE(server.frames().size(), 6);

        // THEN every request carries its type, a distinct req and its fields
        const QList<QJsonObject> f = server.frames().mid(1);
        QCOMPARE(
            f.at(0).value(QLatin1String("type")).toString(), QStringLiteral("dead_letters.list"));
        QCOMPARE(f.at(0).value(QLatin1String("limit")).toInt(), 50);
        QCOMPARE(
            f.at(1).value(QLatin1String("type")).toString(), QStringLiteral("dead_letters.retry"));
        QCOMPARE(f.at(1).value(QLatin1String("id")).toString(), QStringLiteral("dl7"));
        QCOMPARE(f.at(2).value(QLatin1String("type")).toString(), QStringLiteral("flush.now"));
        QCOMPARE(f.at(3).value(QLatin1String("type")).toString(), QStringLiteral("retention.run"));
        QCOMPARE(f.at(4).value(QLatin1String("type")).toString(),
            QStringLiteral("dead_letters.discard"));
        QCOMPARE(f.at(4).value(QLatin1String("id")).toString(), QStringLiteral("dl8"));
        QSet<QString> reqs;
        for (const QJsonObject &o : f)
            reqs.insert(o.value(QLatin1String("req")).toString());
        QCOMPARE(reqs.size(), 5);
        QVERIFY(!reqs.contains(QString()));

        // WHEN the answers come back in reverse order
        auto req = [&](int i) { return f.at(i).value(QLatin1String("req")).toString(); };
        server.send({ { QStringLiteral("type"), QStringLiteral("error") },
            { QStringLiteral("req"), req(4) },
            { QStringLiteral("code"), QStringLiteral("not_found") },
            { QStringLiteral("message"), QStringLiteral("no dead letter dl8") } });
        server.send({ { QStringLiteral("type"), QStringLiteral("result") },
            { QStringLiteral("req"), req(3) }, { QStringLiteral("ok"), true },
            { QStringLiteral("segments_deleted"), 4 } });
        server.send({ { QStringLiteral("type"), QStringLiteral("result") },
            { QStringLiteral("req"), req(2) }, { QStringLiteral("ok"), true },
            { QStringLiteral("segments_written"), 9 } });
        server.send({ { QStringLiteral("type"), QStringLiteral("result") },
            { QStringLiteral("req"), req(1) }, { QStringLiteral("ok"), true } });
        server.send({ { QStringLiteral("type"), QStringLiteral("dead_letters") },
            { QStringLiteral("req"), req(0) },
            { QStringLiteral("items"),
                QJsonArray { test::protocolDeadLetter(QStringLiteral("dl7")),
                    test::protocolDeadLetter(QStringLiteral("dl8")) } } });
        QTRY_COMPARE(listDone.count(), 1);
        QCOMPARE(retryDone.count(), 1);
        QCOMPARE(flushDone.count(), 1);
        QCOMPARE(retentionDone.count(), 1);
        QCOMPARE(discardDone.count(), 1);
        QCOMPARE(client.pendingRequests(), 0);
        // (the replies delete themselves later; their values are read inside this turn)
    }

    void replyValues()
    {
        test::FramingServer server;
        AdminClient client;
        QVERIFY(test::connectPair(server, client));
        AdminReply *flush = client.flushNow();
        AdminReply *discard = client.discardDeadLetter(QStringLiteral("nope"));
        AdminReply *list = client.listDeadLetters();
        int flushed = -1;
        ErrorCode discardCode = ErrorCode::Internal;
        QString discardMessage;
        QStringList listed;
        connect(flush, &AdminReply::finished, this, [&] {
            QVERIFY(flush->isOk());
            flushed = flush->response().value(QLatin1String("segments_written")).toInt();
        });
        connect(discard, &AdminReply::finished, this, [&] {
            QVERIFY(!discard->isOk());
            discardCode = discard->error().code;
            discardMessage = discard->error().message;
        });
        connect(list, &AdminReply::finished, this, [&] {
            QVERIFY(list->isOk());
            for (const DeadLetter &d : list->deadLetters())
                listed.append(d.id);
        });
        QTRY_COMPARE(server.frames().size(), 4);
        const QList<QJsonObject> f = server.frames().mid(1);
        server.send({ { QStringLiteral("type"), QStringLiteral("result") },
            { QStringLiteral("req"), f.at(0).value(QLatin1String("req")) },
            { QStringLiteral("ok"), true }, { QStringLiteral("segments_written"), 3 } });
        server.send({ { QStringLiteral("type"), QStringLiteral("error") },
            { QStringLiteral("req"), f.at(1).value(QLatin1String("req")) },
            { QStringLiteral("code"), QStringLiteral("not_found") },
            { QStringLiteral("message"), QStringLiteral("no dead letter nope") } });
        server.send({ { QStringLiteral("type"), QStringLiteral("dead_letters") },
            { QStringLiteral("req"), f.at(2).value(QLatin1String("req")) },
            { QStringLiteral("items"),
                QJsonArray { test::protocolDeadLetter(QStringLiteral("d1")) } } });
        QTRY_COMPARE(listed, QStringList { QStringLiteral("d1") });
        QCOMPARE(flushed, 3);
        QCOMPARE(discardCode, ErrorCode::NotFound);
        QCOMPARE(discardMessage, QStringLiteral("no dead letter nope"));
    }

    void requestWhileDisconnectedFailsUnavailable()
    {
        AdminClient client;
        AdminReply *reply = client.flushNow();
        QSignalSpy done(reply, &AdminReply::finished);
        ErrorCode code = ErrorCode::Internal;
        connect(reply, &AdminReply::finished, this, [&] { code = reply->error().code; });
        QVERIFY(done.wait());
        QCOMPARE(code, ErrorCode::Unavailable);
    }

    void unansweredRequestTimesOut()
    {
        test::FramingServer server;
        AdminClient client;
        client.setRequestTimeoutMs(150);
        QVERIFY(test::connectPair(server, client));
        AdminReply *reply = client.runRetention();
        QString message;
        connect(reply, &AdminReply::finished, this, [&] { message = reply->error().message; });
        QTRY_VERIFY(!message.isEmpty());
        QVERIFY2(message.contains(QLatin1String("no answer")), qPrintable(message));
        QCOMPARE(client.pendingRequests(), 0);
    }

    void lostConnectionFailsPendingAndReconnects()
    {
        test::FramingServer server;
        AdminClient client;
        client.setReconnectBackoff(50, 400);
        QVERIFY(test::connectPair(server, client));
        AdminReply *reply = client.flushNow();
        ErrorCode code = ErrorCode::Internal;
        connect(reply, &AdminReply::finished, this, [&] { code = reply->error().code; });
        QSignalSpy states(&client, &AdminClient::stateChanged);
        QTRY_COMPARE(server.frames().size(), 2);

        // WHEN the server closes the connection
        server.latest()->close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("restart"));
        // THEN the pending request fails and the client waits, then reconnects and resubscribes
        QTRY_COMPARE(code, ErrorCode::Unavailable);
        QTRY_COMPARE(server.connectionCount(), 2);
        QTRY_COMPARE(server.framesOfType(QStringLiteral("stats.subscribe")).size(), 2);
        QCOMPARE(
            server.requests().at(1).rawHeader("Authorization"), QByteArray("Bearer admin-secret"));
        QList<AdminClient::State> seen;
        for (const QList<QVariant> &s : states)
            seen.append(s.at(0).value<AdminClient::State>());
        QVERIFY(seen.contains(AdminClient::State::WaitingToReconnect));
        QTRY_COMPARE(client.state(), AdminClient::State::Connected);
        QCOMPARE(client.reconnectAttempt(), 0);
    }

    void backoffGrowsAndIsCapped()
    {
        test::FramingServer server;
        AdminClient client;
        client.setReconnectBackoff(40, 300);
        QVERIFY(test::connectPair(server, client));
        const quint16 port = server.port();
        // GIVEN the server goes away for good
        server.stopListening();
        server.latest()->abort();
        QList<int> delays;
        connect(&client, &AdminClient::stateChanged, this, [&](AdminClient::State s) {
            if (s == AdminClient::State::WaitingToReconnect)
                delays.append(client.nextReconnectDelayMs());
        });
        QTRY_VERIFY_WITH_TIMEOUT(delays.size() >= 6, 15000);
        // THEN each wait is the doubled base (40, 80, 160, 300 capped) within +-20 % jitter
        for (int i = 0; i < delays.size(); ++i) {
            const int base = std::min(40 << i, 300);
            QVERIFY2(delays.at(i) >= int(base * 0.8) - 1
                    && delays.at(i) <= std::min(int(base * 1.2) + 1, 300),
                qPrintable(QStringLiteral("attempt %1 waited %2 ms").arg(i + 1).arg(delays.at(i))));
        }
        QVERIFY(!client.lastError().isEmpty());
        // WHEN the server comes back on the same port, the client finds it
        QVERIFY(server.listen(port));
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), AdminClient::State::Connected, 10000);
    }

    void refusedTokenStopsReconnecting()
    {
        test::FramingServer server;
        AdminClient client;
        client.setReconnectBackoff(20, 40);
        QVERIFY(test::connectPair(server, client));
        server.latest()->close(QWebSocketProtocol::CloseCode(4001), QStringLiteral("unauthorized"));
        QTRY_COMPARE(client.state(), AdminClient::State::Disconnected);
        QVERIFY2(
            client.lastError().contains(QLatin1String("token")), qPrintable(client.lastError()));
        QTest::qWait(200); // several backoff periods: a reconnect would have happened by now
        QCOMPARE(server.connectionCount(), 1);
    }

    void closeStopsEverything()
    {
        test::FramingServer server;
        AdminClient client;
        client.setReconnectBackoff(20, 40);
        QVERIFY(test::connectPair(server, client));
        client.close();
        QCOMPARE(client.state(), AdminClient::State::Disconnected);
        QTest::qWait(200);
        QCOMPARE(server.connectionCount(), 1);
        QCOMPARE(client.state(), AdminClient::State::Disconnected);
    }

    void errorCodeNames()
    {
        QCOMPARE(errorCodeFromName(QStringLiteral("not_found")), ErrorCode::NotFound);
        QCOMPARE(errorCodeFromName(QStringLiteral("unavailable")), ErrorCode::Unavailable);
        QCOMPARE(errorCodeFromName(QStringLiteral("rate_limited")), ErrorCode::RateLimited);
        QCOMPARE(errorCodeFromName(QStringLiteral("what")), ErrorCode::Internal);
    }
};

QTEST_GUILESS_MAIN(tst_AdminClientProtocol)
#include "tst_adminclient_protocol.moc"

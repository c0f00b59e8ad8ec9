// The operator pages' models (SessionsModel, MembersModel, MessagesModel) on the answers of
// docs/protocol.md "Operator actions", each under QAbstractItemModelTester.
#include "core/membersmodel.h"
#include "core/messagesmodel.h"
#include "core/roles.h"
#include "core/sessionsmodel.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace confab::console;

namespace
{

QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}

QStringList column(const QAbstractItemModel &m, int col, int role = Qt::DisplayRole)
{
    QStringList out;
    for (int r = 0; r < m.rowCount(); ++r)
        out.append(m.index(r, col).data(role).toString());
    return out;
}

QJsonObject page(qint64 from, qint64 to, qint64 next)
{
    QJsonArray messages;
    for (qint64 s = from; s <= to; ++s)
        messages.append(QJsonObject { { QStringLiteral("seq_no"), double(s) }, { QStringLiteral("sender_id"), QStringLiteral("u%1").arg(s) },
            { QStringLiteral("ts"), 1796207317000.0 + double(s) },
            { QStringLiteral("content"), s % 2 ? QJsonValue(QStringLiteral("text %1").arg(s)) : QJsonValue(QJsonObject { { QStringLiteral("n"), double(s) } }) } });
    return QJsonObject { { QStringLiteral("messages"), messages }, { QStringLiteral("next_before_seq"), next > 0 ? QJsonValue(double(next)) : QJsonValue() } };
}

} // namespace

class TestOpsModels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sessionsFromAUserAnswer()
    {
        SessionsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.columnCount(), int(SessionsModel::ColumnCount));
        model.setUser(json(R"({"type":"user","app_id":"a","user_id":"dora","online":true,"session_count":2,
            "connected_since_ms":1796207317229,"last_seen_ms":1796207320001,"nodes":["n1","n2"],
            "sessions":[{"session_id":"S1","node_id":"n1","connected_ms":1796207317229},
                        {"session_id":"S2","node_id":null,"connected_ms":null}]})"));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.summary().userId, QStringLiteral("dora"));
        QVERIFY(model.summary().online);
        QCOMPARE(model.summary().nodes, (QStringList { QStringLiteral("n1"), QStringLiteral("n2") }));
        QCOMPARE(column(model, SessionsModel::SessionColumn), (QStringList { QStringLiteral("S1"), QStringLiteral("S2") }));
        QCOMPARE(model.index(1, SessionsModel::NodeColumn).data().toString(), SessionsModel::tr("unknown"));
        QCOMPARE(model.index(0, SessionsModel::ConnectedColumn).data(SortRole).toLongLong(), 1796207317229);

        // A second lookup merges: S1 stays (same row), S2 leaves, S3 arrives.
        QPersistentModelIndex s1 = model.index(0, 0);
        model.setUser(json(R"({"app_id":"a","user_id":"dora","online":true,"session_count":2,"nodes":["n1"],
            "sessions":[{"session_id":"S1","node_id":"n1","connected_ms":1},{"session_id":"S3","node_id":"n1","connected_ms":2}]})"));
        QVERIFY(s1.isValid());
        QCOMPARE(column(model, SessionsModel::SessionColumn), (QStringList { QStringLiteral("S1"), QStringLiteral("S3") }));

        model.setUser(json(R"({"app_id":"a","user_id":"dora","online":false,"session_count":0,"last_seen_ms":5,"nodes":[],"sessions":[]})"));
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.summary().lastSeenMs, 5);
        model.clear();
        QVERIFY(model.summary().userId.isEmpty());
    }

    void membersWithWatermarks()
    {
        MembersModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setConversation(json(R"({"type":"conversation","app_id":"a","convo_id":"c1","kind":"group","title":"Team",
            "owner_id":"gus","created_ms":1,"last_seq":7,"members_total":2,
            "members":[{"user_id":"gus","delivered_seq":7,"read_seq":5},{"user_id":"hal","delivered_seq":0,"read_seq":0}],
            "flush":{"flushed_seq":4,"unflushed":3,"stream_depth":7,"oldest_unflushed_ms":1200}})"));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.info().kind, QStringLiteral("group"));
        QCOMPARE(model.info().flushedSeq, 4);
        QCOMPARE(model.info().oldestUnflushedMs, 1200);
        QCOMPARE(column(model, MembersModel::UnreadColumn, SortRole), (QStringList { QStringLiteral("2"), QStringLiteral("7") }));
        QCOMPARE(model.index(0, MembersModel::DeliveredColumn).data(SortRole).toLongLong(), 7);

        // Nothing unflushed is -1; a member who left goes.
        model.setConversation(json(R"({"app_id":"a","convo_id":"c1","kind":"group","last_seq":8,"members_total":1,
            "members":[{"user_id":"gus","delivered_seq":8,"read_seq":8}],
            "flush":{"flushed_seq":8,"unflushed":0,"stream_depth":8,"oldest_unflushed_ms":null}})"));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.info().oldestUnflushedMs, -1);
        QCOMPARE(model.index(0, MembersModel::UnreadColumn).data(SortRole).toLongLong(), 0);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void messagesPagedBackwards()
    {
        MessagesModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setLatest(page(6, 10, 6));
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(model.nextBeforeSeq(), 6);
        QCOMPARE(model.index(0, MessagesModel::ContentColumn).data().toString(), QStringLiteral(R"({"n":6})"));
        QCOMPARE(model.index(1, MessagesModel::ContentColumn).data().toString(), QStringLiteral("text 7"));

        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        model.prependOlder(page(2, 6, 2)); // 6 overlaps: shown once
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(model.rowCount(), 9);
        QCOMPARE(model.index(0, MessagesModel::SeqColumn).data(SortRole).toLongLong(), 2);
        QCOMPARE(model.nextBeforeSeq(), 2);
        model.prependOlder(page(1, 1, 0));
        QCOMPARE(model.rowCount(), 10);
        QCOMPARE(model.nextBeforeSeq(), 0);
        for (int r = 0; r < model.rowCount(); ++r)
            QCOMPARE(model.index(r, MessagesModel::SeqColumn).data(SortRole).toLongLong(), r + 1);

        model.setLatest(page(1, 0, 0)); // an empty conversation
        QCOMPARE(model.rowCount(), 0);
        model.prependOlder(page(1, 3, 0));
        QCOMPARE(model.rowCount(), 3);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestOpsModels)
#include "tst_opsmodels.moc"

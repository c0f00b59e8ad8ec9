#include "core/deadlettersmodel.h"
#include "core/nodesmodel.h"
#include "core/roles.h"
#include "core/streamsmodel.h"
#include "fixtures.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QIcon>
#include <QJsonArray>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

using namespace confab::console;

namespace
{

StreamStats stream(const char *app, const char *convo, qint64 depth, qint64 ageMs)
{
    return StreamStats { QLatin1String(app), QLatin1String(convo), depth, ageMs };
}

QStringList column(const QAbstractItemModel &m, int col, int role = Qt::DisplayRole)
{
    QStringList out;
    for (int r = 0; r < m.rowCount(); ++r)
        out.append(m.index(r, col).data(role).toString());
    return out;
}

Stats protocolStats()
{
    auto s = parseStats(test::protocolStatsFrame());
    Q_ASSERT(s.has_value());
    return s.value();
}

} // namespace

class tst_Models : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void nodesFromProtocolFrame()
    {
        NodesModel model;
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const Stats s = protocolStats();
        model.setNodes(s.nodes, s.nodeId);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.columnCount(), int(NodesModel::ColumnCount));
        QCOMPARE(model.index(0, NodesModel::NodeColumn).data().toString(), QStringLiteral("n1"));
        QCOMPARE(model.index(0, NodesModel::ConnectionsColumn).data(SortRole).toLongLong(), 12);
        QVERIFY(model.index(0, 0).data(Qt::FontRole).isValid()); // the answering node is bold

        // WHEN a second node joins and then the first one leaves
        model.setNodes(
            { NodeStats { QStringLiteral("n1"), 12 }, NodeStats { QStringLiteral("n2"), 3 } });
        QCOMPARE(model.rowCount(), 2);
        model.setNodes({ NodeStats { QStringLiteral("n2"), 4 } });
        QCOMPARE(column(model, NodesModel::NodeColumn), QStringList { QStringLiteral("n2") });
        QCOMPARE(model.index(0, NodesModel::ConnectionsColumn).data(SortRole).toLongLong(), 4);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void streamsMergeKeepsRowsStable()
    {
        StreamsModel model;
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStreams({ stream("a", "c1", 10, 100), stream("a", "c2", 20, 200),
            stream("b", "c1", 30, 300), stream("b", "c2", 40, 400) });
        QCOMPARE(model.rowCount(), 4);

        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        // GIVEN two streams flushed away, one new and one updated
        model.setStreams(
            { stream("b", "c2", 41, 10), stream("a", "c1", 11, 100), stream("c", "c9", 5, 1) });
        // THEN rows are removed and appended, never reset, and the kept ones keep their place
        QCOMPARE(reset.count(), 0);
        int removedRows = 0;
        for (const QList<QVariant> &args : removed)
            removedRows += args.at(2).toInt() - args.at(1).toInt() + 1;
        QCOMPARE(removedRows, 2);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(column(model, StreamsModel::ConversationColumn, KeyRole),
            (QStringList {
                QStringLiteral("a/c1"), QStringLiteral("b/c2"), QStringLiteral("c/c9") }));
        QCOMPARE(model.index(1, StreamsModel::DepthColumn).data(SortRole).toLongLong(), 41);

        // Duplicate keys in one frame are shown once.
        model.setStreams({ stream("x", "y", 1, 1), stream("x", "y", 2, 1) });
        QCOMPARE(model.rowCount(), 1);
        model.setStreams({});
        QCOMPARE(model.rowCount(), 0);
    }

    void streamsFromProtocolFrame()
    {
        StreamsModel model;
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStreams(protocolStats().streams);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, StreamsModel::AppColumn).data().toString(), QStringLiteral("a"));
        QCOMPARE(model.index(0, StreamsModel::OldestColumn).data(SortRole).toLongLong(), 5000);
        QVERIFY(!model.index(0, StreamsModel::OldestColumn).data().toString().isEmpty());
        QCOMPARE(
            model.headerData(StreamsModel::DepthColumn, Qt::Horizontal, Qt::DisplayRole).toString(),
            QStringLiteral("Depth"));
    }

    void fallingBehindIsColouredAndFlagged_data()
    {
        QTest::addColumn<qint64>("ageMs");
        QTest::addColumn<qint64>("thresholdMs");
        QTest::addColumn<bool>("behind");
        QTest::addRow("fresh") << qint64(5000) << qint64(60'000) << false;
        QTest::addRow("just under") << qint64(59'999) << qint64(60'000) << false;
        QTest::addRow("at the limit") << qint64(60'000) << qint64(60'000) << true;
        QTest::addRow("far behind") << qint64(3'600'000) << qint64(60'000) << true;
        QTest::addRow("lower threshold") << qint64(5000) << qint64(2000) << true;
    }

    void fallingBehindIsColouredAndFlagged()
    {
        QFETCH(qint64, ageMs);
        QFETCH(qint64, thresholdMs);
        QFETCH(bool, behind);
        StreamsModel model;
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStreams({ stream("a", "c1", 100, ageMs) });
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setBehindThresholdMs(thresholdMs);
        QCOMPARE(changed.isEmpty(), thresholdMs == 60'000);
        const QModelIndex app = model.index(0, StreamsModel::AppColumn);
        QCOMPARE(app.data(BehindRole).toBool(), behind);
        QCOMPARE(model.behindCount(), behind ? 1 : 0);
        const QVariant bg = model.index(0, StreamsModel::DepthColumn).data(Qt::BackgroundRole);
        QCOMPARE(bg.isValid(), behind);
        if (behind) {
            QCOMPARE(bg.value<QColor>(), StreamsModel::behindBackground());
            const QIcon icon = app.data(Qt::DecorationRole).value<QIcon>();
            QVERIFY(!icon.isNull());
            // Fails when the SVG icon engine is missing at run time.
            QVERIFY(!icon.pixmap(16, 16).isNull());
            QVERIFY(!app.data(Qt::ToolTipRole).toString().isEmpty());
        } else {
            QVERIFY(!app.data(Qt::DecorationRole).isValid());
        }
    }

    void streamsSortNumerically()
    {
        StreamsModel model;
        StreamsFilterModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(
            &proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStreams(
            { stream("a", "c1", 9, 100), stream("a", "c2", 100, 2000), stream("b", "c3", 20, 30) });
        proxy.sort(StreamsModel::DepthColumn, Qt::DescendingOrder);
        // "9" > "20" > "100" as text; numbers must win.
        QCOMPARE(column(proxy, StreamsModel::ConversationColumn),
            (QStringList { QStringLiteral("c2"), QStringLiteral("c3"), QStringLiteral("c1") }));
        proxy.sort(StreamsModel::OldestColumn, Qt::AscendingOrder);
        QCOMPARE(column(proxy, StreamsModel::ConversationColumn),
            (QStringList { QStringLiteral("c3"), QStringLiteral("c1"), QStringLiteral("c2") }));
        // A new frame re-sorts on its own.
        model.setStreams(
            { stream("a", "c1", 9, 1), stream("a", "c2", 100, 2000), stream("b", "c3", 20, 30) });
        QCOMPARE(column(proxy, StreamsModel::ConversationColumn).first(), QStringLiteral("c1"));
    }

    void streamsFilter_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("onlyBehind");
        QTest::addColumn<QStringList>("keys");
        QTest::addRow("everything")
            << QString() << false
            << QStringList { QStringLiteral("acme/general"), QStringLiteral("acme/random"),
                   QStringLiteral("shop/orders") };
        QTest::addRow("by app") << QStringLiteral("ACME") << false
                                << QStringList { QStringLiteral("acme/general"),
                                       QStringLiteral("acme/random") };
        QTest::addRow("by conversation")
            << QStringLiteral("ord") << false << QStringList { QStringLiteral("shop/orders") };
        QTest::addRow("only behind")
            << QString() << true
            << QStringList { QStringLiteral("acme/random"), QStringLiteral("shop/orders") };
        QTest::addRow("text and behind")
            << QStringLiteral("acme") << true << QStringList { QStringLiteral("acme/random") };
        QTest::addRow("nothing") << QStringLiteral("zzz") << false << QStringList {};
    }

    void streamsFilter()
    {
        QFETCH(QString, text);
        QFETCH(bool, onlyBehind);
        QFETCH(QStringList, keys);
        StreamsModel model;
        StreamsFilterModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(
            &proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStreams({ stream("acme", "general", 10, 1000),
            stream("acme", "random", 10, 90'000), stream("shop", "orders", 10, 120'000) });
        proxy.setFilterText(text);
        proxy.setOnlyBehind(onlyBehind);
        proxy.sort(StreamsModel::ConversationColumn, Qt::AscendingOrder);
        QStringList got = column(proxy, 0, KeyRole);
        got.sort();
        QCOMPARE(got, keys);
    }

    void webhookDeadLettersAreListedWithTheirKind()
    {
        // GIVEN a dead letter of kind webhook (docs/webhooks.md) next to a segment_flush one
        DeadLettersModel model;
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QJsonObject hook = test::protocolDeadLetter(QStringLiteral("dlw"), 7, 9);
        hook.insert(QStringLiteral("kind"), QStringLiteral("webhook"));
        hook.insert(QStringLiteral("error"), QStringLiteral("HTTP 500"));
        model.setItems({ parseDeadLetter(hook).value(),
            parseDeadLetter(test::protocolDeadLetter(QStringLiteral("dls"))).value() });
        // THEN both are rows; the webhook one says its kind and what retry does
        QCOMPARE(model.rowCount(), 2);
        const int row = model.idAt(0) == QLatin1String("dlw") ? 0 : 1;
        QCOMPARE(model.index(row, DeadLettersModel::KindColumn).data().toString(), QStringLiteral("webhook"));
        QVERIFY(model.index(row, DeadLettersModel::KindColumn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QLatin1String("retry sends them again")));
        QCOMPARE(model.index(row, DeadLettersModel::ErrorColumn).data().toString(), QStringLiteral("HTTP 500"));
    }

    void deadLettersFromProtocolItems()
    {
        DeadLettersModel model;
        QAbstractItemModelTester tester(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<DeadLetter> items;
        for (const char *id : { "dl1", "dl2", "dl3" })
            items.append(parseDeadLetter(test::protocolDeadLetter(QLatin1String(id))).value());
        model.setItems(items);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.columnCount(), int(DeadLettersModel::ColumnCount));
        QCOMPARE(model.idAt(1), QStringLiteral("dl2"));
        QCOMPARE(model.index(0, DeadLettersModel::KindColumn).data().toString(),
            QStringLiteral("segment_flush"));
        QVERIFY(model.index(0, DeadLettersModel::KindColumn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QLatin1String("object storage")));
        QVERIFY(model.index(0, DeadLettersModel::SeqColumn)
                    .data()
                    .toString()
                    .contains(QLatin1String("40")));
        QCOMPARE(model.index(0, DeadLettersModel::AttemptsColumn).data(SortRole).toLongLong(), 5);
        QVERIFY(!model.index(0, DeadLettersModel::CreatedColumn).data().toString().isEmpty());
        QCOMPARE(model.index(0, DeadLettersModel::CreatedColumn).data(SortRole).toLongLong(),
            1732240000000);
        for (int c = 0; c < model.columnCount(); ++c)
            QVERIFY(!model.headerData(c, Qt::Horizontal, Qt::DisplayRole).toString().isEmpty());

        QVERIFY(model.removeItem(QStringLiteral("dl2")));
        QVERIFY(!model.removeItem(QStringLiteral("dl2")));
        QCOMPARE(column(model, 0, KeyRole),
            (QStringList { QStringLiteral("dl1"), QStringLiteral("dl3") }));
        model.setItems({ items.at(2) });
        QCOMPARE(column(model, 0, KeyRole), QStringList { QStringLiteral("dl3") });
        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(model.idAt(0).isEmpty());
    }

    void deadLettersSortBySeq()
    {
        DeadLettersModel model;
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(SortRole);
        QAbstractItemModelTester tester(
            &proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setItems(
            { parseDeadLetter(test::protocolDeadLetter(QStringLiteral("x"), 100, 120)).value(),
                parseDeadLetter(test::protocolDeadLetter(QStringLiteral("y"), 9, 20)).value() });
        proxy.sort(DeadLettersModel::SeqColumn, Qt::AscendingOrder);
        QCOMPARE(
            column(proxy, 0, KeyRole), (QStringList { QStringLiteral("y"), QStringLiteral("x") }));
    }
};

QTEST_MAIN(tst_Models)
#include "tst_models.moc"

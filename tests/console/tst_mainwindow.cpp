// Drives the main window offscreen against the in-test framing server: connect through the
// dialog, stats reaching every view, tab switching by keyboard, retry / discard / flush
// sending the right requests. Saves a grab() of each view to CONFAB_SCREENSHOT_DIR.
#include "adminserver.h"

#include "confab/version.h"
#include "core/adminclient.h"
#include "core/deadlettersmodel.h"
#include "core/nodesmodel.h"
#include "core/profilestore.h"
#include "core/roles.h"
#include "core/streamsmodel.h"
#include "fixtures.h"
#include "widgets/connectdialog.h"
#include "widgets/deadletterspage.h"
#include "widgets/language.h"
#include "widgets/mainwindow.h"
#include "widgets/overviewpage.h"
#include "widgets/streamspage.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace confab::console;

namespace
{

QJsonObject statsAt(qint64 ts, int i)
{
    QJsonObject f = test::protocolStatsFrame();
    f.insert(QStringLiteral("ts"), ts);
    f.insert(QStringLiteral("stream_depth"), 1000 + 40 * i);
    f.insert(QStringLiteral("ingest_per_s"), 300.0 + 5 * (i % 7));
    f.insert(QStringLiteral("nodes"),
        QJsonArray { QJsonObject { { QStringLiteral("node_id"), QStringLiteral("n1") },
                         { QStringLiteral("connections"), 12 } },
            QJsonObject { { QStringLiteral("node_id"), QStringLiteral("n2") },
                { QStringLiteral("connections"), 7 } } });
    auto s = [](const char *app, const char *convo, int depth, int age) {
        return QJsonObject { { QStringLiteral("app_id"), QLatin1String(app) },
            { QStringLiteral("convo_id"), QLatin1String(convo) },
            { QStringLiteral("depth"), depth }, { QStringLiteral("oldest_unflushed_ms"), age } };
    };
    f.insert(QStringLiteral("streams"),
        QJsonArray { s("acme", "general", 300, 5000), s("acme", "support", 120, 95'000),
            s("shop", "orders", 40, 2000) });
    QJsonObject flush = f.value(QLatin1String("flush")).toObject();
    flush.insert(QStringLiteral("p95_ms"), 30.2 + (i % 5));
    f.insert(QStringLiteral("flush"), flush);
    return f;
}

} // namespace

class tst_MainWindow : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_shots = QStringLiteral(CONFAB_SCREENSHOT_DIR);

    void shoot(QWidget *w, const QString &name)
    {
        QVERIFY(QDir().mkpath(m_shots));
        const QString path = m_shots + QLatin1Char('/') + name + QStringLiteral(".png");
        QVERIFY2(w->grab().save(path), qPrintable(path));
    }

private Q_SLOTS:
    // As the program does, so that English plurals read "3 segments".
    void initTestCase()
    {
        QCOMPARE(installTranslations(QStringLiteral("en")), QStringLiteral("en_US"));
    }

    void drivesTheWindow()
    {
        test::FramingServer server;
        QVERIFY(server.listen());
        QSettings settings(m_dir.filePath(QStringLiteral("console.ini")), QSettings::IniFormat);
        AdminClient client;
        ProfileStore profiles(&settings);
        MainWindow window(&client, &profiles, &settings);
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(client.state(), AdminClient::State::Disconnected);
        QVERIFY(!window.connectionText().isEmpty());

        // Connect through the dialog (Ctrl+O), without saving, so no keychain is involved.
        QTest::keyClick(&window, Qt::Key_O, Qt::ControlModifier);
        ConnectDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = window.findChild<ConnectDialog *>()) != nullptr);
        dialog->findChild<QLineEdit *>(QStringLiteral("urlEdit"))->setText(server.url().toString());
        dialog->findChild<QLineEdit *>(QStringLiteral("tokenEdit"))
            ->setText(QStringLiteral("admin-secret"));
        dialog->findChild<QCheckBox *>(QStringLiteral("saveCheck"))->setChecked(false);
        shoot(dialog, QStringLiteral("connect-dialog"));
        dialog->accept();
        QTRY_COMPARE(client.state(), AdminClient::State::Connected);
        QVERIFY2(window.connectionText().contains(QString::number(server.port())),
            qPrintable(window.connectionText()));
        QCOMPARE(
            server.requests().at(0).rawHeader("Authorization"), QByteArray("Bearer admin-secret"));

        // On connect the window asks for the dead letters; answer with two.
        QTRY_COMPARE(server.framesOfType(QStringLiteral("dead_letters.list")).size(), 1);
        const QString listReq = server.framesOfType(QStringLiteral("dead_letters.list"))
                                    .first()
                                    .value(QLatin1String("req"))
                                    .toString();
        server.send({ { QStringLiteral("type"), QStringLiteral("dead_letters") },
            { QStringLiteral("req"), listReq },
            { QStringLiteral("items"),
                QJsonArray { test::protocolDeadLetter(QStringLiteral("dl1"), 1, 40),
                    test::protocolDeadLetter(QStringLiteral("dl2"), 41, 90) } } });
        QTRY_COMPARE(window.deadLettersPage()->model()->rowCount(), 2);
        QVERIFY(window.tabs()->tabText(MainWindow::DeadLettersTab).contains(QLatin1String("2")));

        // Stats for the last minute flow through the client's signal path into every view.
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (int i = 0; i < 60; ++i)
            server.send(statsAt(now - (59 - i) * 1000, i));
        QTRY_COMPARE(window.overviewPage()->history().size(), 60);
        QCOMPARE(
            window.overviewPage()->figureText(QStringLiteral("connections")), QStringLiteral("12"));
        QVERIFY(window.overviewPage()
                    ->figureText(QStringLiteral("flush_p99"))
                    .contains(QLatin1String("44")));
        QCOMPARE(window.overviewPage()->nodesModel()->rowCount(), 2);
        QCOMPARE(window.streamsPage()->model()->rowCount(), 3);
        QCOMPARE(window.streamsPage()->model()->behindCount(), 1);
        QTRY_COMPARE(window.tabs()->currentIndex(), int(MainWindow::OverviewTab));
        shoot(&window, QStringLiteral("overview"));

        // Switch tabs with the keyboard (shortcuts go to the active window).
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QTest::keyClick(&window, Qt::Key_2, Qt::ControlModifier);
        QCOMPARE(window.tabs()->currentIndex(), int(MainWindow::StreamsTab));
        shoot(&window, QStringLiteral("streams"));
        QTest::keyClick(&window, Qt::Key_3, Qt::ControlModifier);
        QCOMPARE(window.tabs()->currentIndex(), int(MainWindow::DeadLettersTab));

        // Select dl2 and retry it.
        QTableView *view = window.deadLettersPage()->view();
        QModelIndex dl2;
        for (int r = 0; r < view->model()->rowCount(); ++r)
            if (view->model()->index(r, 0).data(KeyRole).toString() == QLatin1String("dl2"))
                dl2 = view->model()->index(r, 0);
        QVERIFY(dl2.isValid());
        view->selectionModel()->select(
            dl2, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        shoot(&window, QStringLiteral("dead-letters"));
        auto *retryButton = window.findChild<QPushButton *>(QStringLiteral("retryButton"));
        QVERIFY(retryButton->isEnabled());
        QTest::mouseClick(retryButton, Qt::LeftButton);
        QTRY_COMPARE(server.framesOfType(QStringLiteral("dead_letters.retry")).size(), 1);
        const QJsonObject retry = server.framesOfType(QStringLiteral("dead_letters.retry")).first();
        QCOMPARE(retry.value(QLatin1String("id")).toString(), QStringLiteral("dl2"));
        QVERIFY(!retryButton->isEnabled()); // busy until the answer
        QVERIFY(window.findChild<QProgressBar *>(QStringLiteral("actionProgress"))->isVisible());
        server.send({ { QStringLiteral("type"), QStringLiteral("result") },
            { QStringLiteral("req"), retry.value(QLatin1String("req")) },
            { QStringLiteral("ok"), true } });
        QTRY_COMPARE(window.deadLettersPage()->model()->rowCount(), 1);
        QVERIFY2(window.actionResultText().contains(QLatin1String("Retried")),
            qPrintable(window.actionResultText()));
        QVERIFY(!window.findChild<QProgressBar *>(QStringLiteral("actionProgress"))->isVisible());

        // Discard asks first; only the confirmed choice sends the request.
        view->selectAll();
        QTest::mouseClick(
            window.findChild<QPushButton *>(QStringLiteral("discardButton")), Qt::LeftButton);
        QMessageBox *box = nullptr;
        QTRY_VERIFY((box = window.findChild<QMessageBox *>(QStringLiteral("discardConfirmation")))
            != nullptr);
        QVERIFY(box->informativeText().contains(QLatin1String("object storage")));
        shoot(box, QStringLiteral("discard-confirmation"));
        QAbstractButton *discardButton = nullptr;
        for (QAbstractButton *b : box->buttons())
            if (box->buttonRole(b) == QMessageBox::DestructiveRole)
                discardButton = b;
        QVERIFY(discardButton);
        QVERIFY(server.framesOfType(QStringLiteral("dead_letters.discard")).isEmpty());
        discardButton->click();
        QTRY_COMPARE(server.framesOfType(QStringLiteral("dead_letters.discard")).size(), 1);
        QCOMPARE(server.framesOfType(QStringLiteral("dead_letters.discard"))
                     .first()
                     .value(QLatin1String("id"))
                     .toString(),
            QStringLiteral("dl1"));

        // Flush now shows its result.
        QTRY_VERIFY(!window.findChild<QMessageBox *>(QStringLiteral("discardConfirmation")));
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QTest::keyClick(&window, Qt::Key_F, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_COMPARE(server.framesOfType(QStringLiteral("flush.now")).size(), 1);
        server.send({ { QStringLiteral("type"), QStringLiteral("result") },
            { QStringLiteral("req"),
                server.framesOfType(QStringLiteral("flush.now"))
                    .first()
                    .value(QLatin1String("req")) },
            { QStringLiteral("ok"), true }, { QStringLiteral("segments_written"), 3 } });
        QTRY_VERIFY2(window.actionResultText().contains(QLatin1String("3 segments")),
            qPrintable(window.actionResultText()));
    }

    void showsLostConnectionAndRestoresState()
    {
        test::FramingServer server;
        QVERIFY(server.listen());
        QSettings settings(m_dir.filePath(QStringLiteral("state.ini")), QSettings::IniFormat);
        AdminClient client;
        client.setReconnectBackoff(2000, 4000);
        ProfileStore profiles(&settings);
        {
            MainWindow window(&client, &profiles, &settings);
            window.resize(1100, 700);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            client.open(server.url(), QStringLiteral("t"));
            QTRY_COMPARE(client.state(), AdminClient::State::Connected);
            server.latest()->close(
                QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("restart"));
            QTRY_COMPARE(client.state(), AdminClient::State::WaitingToReconnect);
            QVERIFY2(window.connectionText().contains(QLatin1String("Reconnecting")),
                qPrintable(window.connectionText()));
            window.tabs()->setCurrentIndex(MainWindow::StreamsTab);
            window.close();
            client.close();
        }
        MainWindow again(&client, &profiles, &settings);
        QCOMPARE(again.tabs()->currentIndex(), int(MainWindow::StreamsTab));
        QCOMPARE(again.size(), QSize(1100, 700));
    }

    // Help › About names the build: the same version and commit as the package, confabd
    // --version and /healthz. The box is not modal, so the window keeps updating behind it.
    // Chart y axes step by whole numbers, so "%.0f" labels never repeat (an empty chart used
    // to read 0, 1, 1, 2 from a 0..2 range with five ticks).
    void chartAxesHaveWholeSteps_data()
    {
        QTest::addColumn<double>("maxY");
        QTest::addColumn<double>("top");
        QTest::newRow("empty") << 0.0 << 4.0;
        QTest::newRow("one") << 1.0 << 4.0;
        QTest::newRow("seven") << 7.0 << 8.0;
        QTest::newRow("thirty") << 30.0 << 40.0;
        QTest::newRow("1234") << 1234.0 << 2000.0;
        QTest::newRow("fraction") << 0.3 << 4.0;
    }

    void chartAxesHaveWholeSteps()
    {
        QFETCH(double, maxY);
        QFETCH(double, top);
        const auto [gotTop, ticks] = OverviewPage::niceAxis(maxY);
        QCOMPARE(gotTop, top);
        QCOMPARE(ticks, 5);
        const double step = gotTop / (ticks - 1);
        QCOMPARE(step, double(qint64(step))); // whole
        QVERIFY(gotTop >= maxY);
    }

    void aboutBoxShowsVersionAndCommit()
    {
        QSettings settings(m_dir.filePath(QStringLiteral("about.ini")), QSettings::IniFormat);
        AdminClient client;
        ProfileStore profiles(&settings);
        MainWindow window(&client, &profiles, &settings);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *about = window.findChild<QAction *>(QStringLiteral("aboutAction"));
        QVERIFY(about);
        about->trigger();
        QMessageBox *box = nullptr;
        QTRY_VERIFY((box = window.findChild<QMessageBox *>(QStringLiteral("aboutBox"))) != nullptr);
        QVERIFY(!box->isModal() || box->windowModality() == Qt::WindowModal);
        QVERIFY2(box->text().contains(QLatin1String(confab::version())), qPrintable(box->text()));
        QVERIFY2(box->informativeText().contains(QLatin1String(confab::commit())),
            qPrintable(box->informativeText()));
        shoot(box, QStringLiteral("about"));
        box->close();
    }

    // Last: the German catalogue stays installed for the rest of the process.
    void germanViews()
    {
        QCOMPARE(installTranslations(QStringLiteral("de")), QStringLiteral("de_DE"));
        test::FramingServer server;
        QVERIFY(server.listen());
        QSettings settings(m_dir.filePath(QStringLiteral("de.ini")), QSettings::IniFormat);
        AdminClient client;
        ProfileStore profiles(&settings);
        MainWindow window(&client, &profiles, &settings);
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        client.open(server.url(), QStringLiteral("t"));
        QTRY_COMPARE(server.framesOfType(QStringLiteral("dead_letters.list")).size(), 1);
        server.send({ { QStringLiteral("type"), QStringLiteral("dead_letters") },
            { QStringLiteral("req"),
                server.framesOfType(QStringLiteral("dead_letters.list"))
                    .first()
                    .value(QLatin1String("req")) },
            { QStringLiteral("items"),
                QJsonArray { test::protocolDeadLetter(QStringLiteral("dl1")) } } });
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (int i = 0; i < 60; ++i)
            server.send(statsAt(now - (59 - i) * 1000, i));
        QTRY_COMPARE(window.overviewPage()->history().size(), 60);
        QCOMPARE(window.tabs()->tabText(MainWindow::OverviewTab), QStringLiteral("&Übersicht"));
        QVERIFY2(window.connectionText().startsWith(QLatin1String("Verbunden")),
            qPrintable(window.connectionText()));
        shoot(&window, QStringLiteral("de-overview"));
        window.tabs()->setCurrentIndex(MainWindow::StreamsTab);
        shoot(&window, QStringLiteral("de-streams"));
        window.tabs()->setCurrentIndex(MainWindow::DeadLettersTab);
        QTRY_COMPARE(window.deadLettersPage()->model()->rowCount(), 1);
        shoot(&window, QStringLiteral("de-dead-letters"));
    }
};

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"

// The console's Apps page, keys dialog, per-app charts and alerts against two real confabd
// nodes (issue 15, items 1, 2, 5 and 7): what each shows, what each action does on the
// server, and the screenshots of docs/console.md (apps, app dialog, keys, new key, delete
// confirmation, an overview narrowed to one app, an alert) saved to CONFAB_SCREENSHOT_DIR.
#include "core/adminclient.h"
#include "core/adminrest.h"
#include "core/alertwatcher.h"
#include "core/appsmodel.h"
#include "core/keysmodel.h"
#include "core/profilestore.h"
#include "core/roles.h"
#include "core/streamsmodel.h"
#include "harness.h"
#include "screenshots.h"
#include "widgets/alertnotifier.h"
#include "widgets/appdialog.h"
#include "widgets/appspage.h"
#include "widgets/keysdialog.h"
#include "widgets/language.h"
#include "widgets/mainwindow.h"
#include "widgets/overviewpage.h"
#include "widgets/streamspage.h"

#include <QComboBox>
#include <QDir>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace confab::test;
using namespace confab::console;

class TestConsoleApps : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;


    static QString appIdNamed(MainWindow &w, const QString &name)
    {
        for (const AppRow &r : w.appsPage()->model()->rows())
            if (r.name == name)
                return r.appId;
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QCOMPARE(installTranslations(QStringLiteral("en")), QStringLiteral("en_US"));
    }

    void appsKeysChartsAndAlerts()
    {
        Cluster cluster;
        QCOMPARE(cluster.startNode(), 0);
        QCOMPARE(cluster.startNode(), 1);
        const auto support = cluster.createApp(QJsonObject { { QStringLiteral("name"), QStringLiteral("Support desk") },
            { QStringLiteral("limits"), QJsonObject { { QStringLiteral("user_msgs_per_min"), 600 } } } });
        const auto sales = cluster.createApp(QJsonObject { { QStringLiteral("name"), QStringLiteral("Field sales") },
            { QStringLiteral("oidc_issuer"), QStringLiteral("https://login.example.com/") },
            { QStringLiteral("oidc_audience"), QStringLiteral("sales-chat") } });
        const QString c1 = cluster.createConversation(support.second, { QStringLiteral("ana"), QStringLiteral("ben") });
        const QString c2 = cluster.createConversation(support.second, { QStringLiteral("ana"), QStringLiteral("cy") });
        QVERIFY(!c1.isEmpty() && !c2.isEmpty());
        WsClient ana, ben;
        QVERIFY(ana.connectAndAuth(cluster.ws(0), cluster.userToken(support.second, QStringLiteral("ana"))));
        QVERIFY(ben.connectAndAuth(cluster.ws(1), cluster.userToken(support.second, QStringLiteral("ben"))));

        QSettings settings(m_dir.filePath(QStringLiteral("apps.ini")), QSettings::IniFormat);
        AdminClient client;
        client.setStatsIntervalMs(250);
        ProfileStore profiles(&settings);
        MainWindow window(&client, &profiles, &settings);
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.connectDirect(QUrl(QStringLiteral("ws://127.0.0.1:%1/admin/ws").arg(cluster.node(0).internalPort())),
            QString::fromLatin1(Cluster::kAdminToken));
        window.tabs()->setCurrentIndex(MainWindow::AppsTab);
        AppsPage *page = window.appsPage();

        // The list: both apps with their settings, and live figures over both nodes.
        QTRY_COMPARE_WITH_TIMEOUT(page->model()->rowCount(), 2, 10000);
        int sent = 0;
        QTRY_VERIFY_WITH_TIMEOUT((ana.send(sendFrame(c1, QStringLiteral("m%1").arg(sent++))),
                                     page->model()->row(support.first)->connections == 2
                                         && page->model()->row(support.first)->ingestPerS > 0),
            15000);
        const AppRow *s = page->model()->row(support.first);
        QCOMPARE(s->name, QStringLiteral("Support desk"));
        QCOMPARE(s->limits.value(QLatin1String("user_msgs_per_min")).toInt(), 600);
        QCOMPARE(page->model()->row(sales.first)->oidcIssuer, QStringLiteral("https://login.example.com/"));
        QCOMPARE(page->model()->row(sales.first)->connections, 0);
        // Names everywhere: the streams view shows the app's name, the id is in the tooltip.
        window.tabs()->setCurrentIndex(MainWindow::StreamsTab);
        QTRY_VERIFY_WITH_TIMEOUT(window.streamsPage()->model()->rowCount() > 0, 10000);
        const QModelIndex appCell = window.streamsPage()->model()->index(0, StreamsModel::AppColumn);
        QCOMPARE(appCell.data().toString(), QStringLiteral("Support desk"));
        QCOMPARE(appCell.data(AppIdRole).toString(), support.first);
        window.tabs()->setCurrentIndex(MainWindow::AppsTab);
        page->selectApp(support.first);
        QCOMPARE(page->selectedAppId(), support.first);
        QVERIFY(saveScreenshot(&window, QStringLiteral("apps-en")));

        // Edit: the dialog shows each limit with its default; saving patches the server.
        {
            AppDialog dialog(page->model()->row(support.first), &window);
            dialog.show();
            QCOMPARE(dialog.findChild<QLineEdit *>(QStringLiteral("limit_user_msgs_per_min"))->text(), QStringLiteral("600"));
            QCOMPARE(dialog.findChild<QLineEdit *>(QStringLiteral("limit_app_msgs_per_s"))->placeholderText(), QStringLiteral("default %1").arg(QLocale().toString(1000)));
            dialog.findChild<QLineEdit *>(QStringLiteral("limit_app_msgs_per_s"))->setText(QStringLiteral("200"));
            QVERIFY(saveScreenshot(&dialog, QStringLiteral("app-dialog-en")));
            page->updateApp(support.first, dialog.fields());
        }
        QTRY_COMPARE_WITH_TIMEOUT(page->messageText(), QStringLiteral("Saved app Support desk."), 10000);
        const HttpResult patched = cluster.rest.call("GET", cluster.admin() + QStringLiteral("/admin/apps/%1").arg(support.first), Cluster::kAdminToken);
        QCOMPARE(patched.json.value(QLatin1String("limits")).toObject().value(QLatin1String("app_msgs_per_s")).toInt(), 200);
        QCOMPARE(patched.json.value(QLatin1String("limits")).toObject().value(QLatin1String("user_msgs_per_min")).toInt(), 600);

        // Create.
        page->createApp(QJsonObject { { QStringLiteral("name"), QStringLiteral("Kiosk") } });
        QTRY_COMPARE_WITH_TIMEOUT(page->model()->rowCount(), 3, 10000);
        const QString kiosk = appIdNamed(window, QStringLiteral("Kiosk"));
        QVERIFY(!kiosk.isEmpty());

        // Keys: listed, issued (shown once), rotated with a grace period, revoked.
        {
            KeysDialog keys(window.findChild<AdminRest *>(), support.first, QStringLiteral("Support desk"), &window);
            keys.show();
            QTRY_COMPARE_WITH_TIMEOUT(keys.model()->rowCount(), 1, 10000);
            // The key created the conversations and the user tokens above: its last use shows.
            QVERIFY(keys.model()->rows().first().lastUsedMs > 0);
            QVERIFY(keys.model()->index(0, KeysModel::LastUsedColumn).data().toString() != QStringLiteral("not recorded"));
            QSignalSpy shown(&keys, &KeysDialog::keyShown);
            keys.issue(QStringLiteral("ops dashboard"));
            QTRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, 10000);
            const QString apiKey = shown.last().at(1).toString();
            QVERIFY(apiKey.startsWith(QLatin1String("ck_")));
            NewKeyDialog *once = nullptr;
            QTRY_VERIFY((once = keys.findChild<NewKeyDialog *>()) != nullptr && once->isVisible());
            QCOMPARE(once->findChild<QLineEdit *>(QStringLiteral("newKeyEdit"))->text(), apiKey);
            QVERIFY(saveScreenshot(once, QStringLiteral("new-key-en")));
            once->close();
            QTRY_COMPARE_WITH_TIMEOUT(keys.model()->rowCount(), 2, 10000);
            // The new key works.
            QCOMPARE(cluster.rest.call("GET", cluster.api() + QStringLiteral("/v1/conversations"), apiKey.toUtf8()).status, 200);

            keys.view()->selectRow(0); // sorted by creation: the original key
            const QString original = keys.view()->currentIndex().data(KeyRole).toString();
            keys.rotateSelected(3600);
            QTRY_COMPARE_WITH_TIMEOUT(shown.size(), 2, 10000);
            QTRY_COMPARE_WITH_TIMEOUT(keys.model()->rowCount(), 3, 10000);
            QTRY_VERIFY(keys.model()->rows().first().expiresMs > 0);
            QCOMPARE(keys.model()->rows().first().keyId, original);
            for (NewKeyDialog *d : keys.findChildren<NewKeyDialog *>())
                d->close();
            QVERIFY(saveScreenshot(&keys, QStringLiteral("keys-en")));

            keys.view()->selectRow(1);
            keys.revokeSelected();
            QTRY_COMPARE_WITH_TIMEOUT(keys.model()->rowCount(), 2, 10000);
            QCOMPARE(cluster.rest.call("GET", cluster.api() + QStringLiteral("/v1/conversations"), apiKey.toUtf8()).status, 401);
        }

        // Per-app charts: the overview narrowed to one app.
        window.tabs()->setCurrentIndex(MainWindow::OverviewTab);
        QComboBox *apps = window.overviewPage()->appFilterBox();
        QTRY_VERIFY(apps->findData(support.first) > 0);
        QCOMPARE(apps->itemText(apps->findData(support.first)), QStringLiteral("Support desk"));
        window.overviewPage()->setAppFilter(support.first);
        QCOMPARE(window.overviewPage()->appFilter(), support.first);
        for (int i = 0; i < 8; ++i) {
            ana.send(sendFrame(c2, QStringLiteral("chart%1").arg(i)));
            QTest::qWait(250);
        }
        QVERIFY(saveScreenshot(&window, QStringLiteral("overview-app-en")));

        // Delete: the confirmation names what goes, with the server's counts.
        window.tabs()->setCurrentIndex(MainWindow::AppsTab);
        QSignalSpy asked(page, &AppsPage::deleteConfirmationShown);
        page->askDelete(support.first);
        QTRY_COMPARE_WITH_TIMEOUT(asked.size(), 1, 10000);
        const QString question = asked.last().at(0).toString();
        QVERIFY2(question.contains(QLatin1String("Support desk")) && question.contains(support.first), qPrintable(question));
        QVERIFY2(question.contains(QLatin1String("2 conversations")) && question.contains(QLatin1String("4 memberships"))
                && question.contains(QLatin1String("2 API keys")),
            qPrintable(question));
        QMessageBox *box = page->findChild<QMessageBox *>(QStringLiteral("deleteAppBox"));
        QVERIFY(box);
        QTRY_VERIFY(box->isVisible());
        QVERIFY(saveScreenshot(box, QStringLiteral("delete-app-en")));
        QAbstractButton *yes = nullptr;
        for (QAbstractButton *b : box->buttons())
            if (box->buttonRole(b) == QMessageBox::DestructiveRole)
                yes = b;
        QVERIFY(yes);
        yes->click();
        QTRY_COMPARE_WITH_TIMEOUT(page->messageText(), QStringLiteral("Deleted app Support desk."), 15000);
        QTRY_VERIFY(!page->model()->row(support.first));
        QCOMPARE(cluster.rest.call("GET", cluster.admin() + QStringLiteral("/admin/apps/%1").arg(support.first), Cluster::kAdminToken).status, 404);
        QVERIFY(ana.waitClosed(10000)); // its sessions ended

        // Alerts: node2 stops answering while the window is hidden: the tray gets it; shown
        // again, the status bar and the overview tab's badge say it too.
        window.showMinimized();
        cluster.node(1).kill();
        QTRY_COMPARE_WITH_TIMEOUT(window.alertNotifier()->lastNotification(), QStringLiteral("Node node2 stopped answering"), 20000);
        window.showNormal();
        QTRY_COMPARE(window.alertText(), QStringLiteral("Node node2 stopped answering"));
        QCOMPARE(window.alerts()->activeCount(), 1);
        window.tabs()->setCurrentIndex(MainWindow::OverviewTab);
        window.overviewPage()->setAppFilter({});
        QVERIFY(saveScreenshot(&window, QStringLiteral("alert-en")));
        window.close();
        client.close();
    }
};

QTEST_MAIN(TestConsoleApps)
#include "tst_consoleapps.moc"

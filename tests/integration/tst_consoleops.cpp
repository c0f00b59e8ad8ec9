// The console's operator pages against two real confabd nodes: Users (sessions on both nodes,
// disconnect after the confirmation), the conversation inspector (watermarks, flush state,
// messages paged backwards) and "Send notice…" (confirmation naming the scope, clients on both
// nodes get it). Saves the screenshots of docs/console.md to CONFAB_SCREENSHOT_DIR (English and
// German), by default <build>/tests/integration/screenshots.
#include "core/adminclient.h"
#include "core/membersmodel.h"
#include "core/messagesmodel.h"
#include "core/profilestore.h"
#include "core/sessionsmodel.h"
#include "harness.h"
#include "screenshots.h"
#include "widgets/conversationpage.h"
#include "widgets/language.h"
#include "widgets/mainwindow.h"
#include "widgets/noticedialog.h"
#include "widgets/userspage.h"

#include <QDir>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace confab::test;
using namespace confab::console;

class TestConsoleOps : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<Cluster> m_cluster;
    QString m_app;
    QByteArray m_key;
    QString m_convo;
    std::vector<std::unique_ptr<WsClient>> m_sockets;


    WsClient *connectUser(int node, const QString &user)
    {
        m_sockets.push_back(std::make_unique<WsClient>());
        if (!m_sockets.back()->connectAndAuth(m_cluster->ws(node), m_cluster->userToken(m_key, user)))
            return nullptr;
        return m_sockets.back().get();
    }

    // Confirms (or cancels) the window-modal box of that name. The parent may be gone once the
    // box is answered (a notice dialog deletes itself when the server confirms the send).
    static void answer(QWidget &parent, const QString &name, bool yes, const std::function<void(QMessageBox *)> &look = {})
    {
        const QPointer<QWidget> owner(&parent);
        QMessageBox *box = nullptr;
        QTRY_VERIFY((box = parent.findChild<QMessageBox *>(name)) != nullptr);
        QTRY_VERIFY(box->isVisible());
        if (look)
            look(box);
        if (yes) {
            for (QAbstractButton *b : box->buttons())
                if (box->buttonRole(b) != QMessageBox::RejectRole) {
                    b->click();
                    break;
                }
        } else {
            box->button(QMessageBox::Cancel)->click();
        }
        QTRY_VERIFY(!owner || !owner->findChild<QMessageBox *>(name));
    }

    // The pages in the window, as the operator sees them; shot in `lang`.
    void run(const QString &lang, bool checks)
    {
        QSettings settings(m_dir.filePath(QStringLiteral("console-%1.ini").arg(lang)), QSettings::IniFormat);
        AdminClient client;
        client.setOperatorName(QStringLiteral("olga"));
        ProfileStore profiles(&settings);
        MainWindow window(&client, &profiles, &settings);
        window.resize(1100, 640);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/admin/ws").arg(m_cluster->node(0).internalPort())),
            QString::fromLatin1(Cluster::kAdminToken));
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), AdminClient::State::Connected, 10000);

        // Users: dora has a session on each node.
        UsersPage *users = window.usersPage();
        window.tabs()->setCurrentWidget(users);
        users->setUser(m_app, QStringLiteral("dora"));
        QSignalSpy looked(users, &UsersPage::lookupFinished);
        QTest::mouseClick(users->findChild<QPushButton *>(QStringLiteral("lookUpButton")), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(looked.size(), 1, 10000);
        QCOMPARE(users->model()->rowCount(), 2);
        QCOMPARE(users->model()->summary().nodes.size(), 2);
        QVERIFY2(users->summaryText().contains(QStringLiteral("dora")), qPrintable(users->summaryText()));
        QVERIFY(saveScreenshot(&window, QStringLiteral("users-") + lang));

        // Disconnect: cancelled first, then confirmed; the confirmation names user and app.
        QTest::mouseClick(users->findChild<QPushButton *>(QStringLiteral("disconnectButton")), Qt::LeftButton);
        answer(window, QStringLiteral("disconnectConfirmation"), false, [&](QMessageBox *box) {
            QVERIFY(box->text().contains(QStringLiteral("dora")));
            QVERIFY(box->text().contains(m_app));
            QVERIFY(saveScreenshot(box, QStringLiteral("disconnect-") + lang));
        });
        if (checks) {
            QVERIFY(m_sockets.at(0)->isOpen());
            QSignalSpy done(users, &UsersPage::disconnectFinished);
            QTest::mouseClick(users->findChild<QPushButton *>(QStringLiteral("disconnectButton")), Qt::LeftButton);
            answer(window, QStringLiteral("disconnectConfirmation"), true);
            QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 10000);
            QVERIFY(m_sockets.at(0)->waitClosed());
            QVERIFY(m_sockets.at(1)->waitClosed());
            QCOMPARE(m_sockets.at(1)->closeCode(), 4009);
            QTRY_VERIFY_WITH_TIMEOUT(!users->model()->summary().online, 10000);
        }

        // Conversation inspector.
        ConversationPage *inspector = window.conversationPage();
        window.tabs()->setCurrentWidget(inspector);
        inspector->setConversation(m_app, m_convo);
        QSignalSpy inspected(inspector, &ConversationPage::inspectFinished);
        QTest::mouseClick(inspector->findChild<QPushButton *>(QStringLiteral("inspectButton")), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(inspected.size(), 1, 10000);
        QCOMPARE(inspector->membersModel()->rowCount(), 3);
        QCOMPARE(inspector->membersModel()->info().lastSeq, 60);
        QVERIFY(!inspector->flushText().isEmpty());
        QSignalSpy read(inspector, &ConversationPage::messagesFinished);
        QTest::mouseClick(inspector->findChild<QPushButton *>(QStringLiteral("readMessagesButton")), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(read.size(), 1, 10000);
        QCOMPARE(inspector->messagesModel()->rowCount(), 50);
        QCOMPARE(inspector->messagesModel()->nextBeforeSeq(), 11);
        QVERIFY(inspector->statusText().contains(QStringLiteral("olga")));
        QVERIFY(saveScreenshot(&window, QStringLiteral("conversation-") + lang));
        auto *older = inspector->findChild<QPushButton *>(QStringLiteral("olderButton"));
        QVERIFY(older->isEnabled());
        QTest::mouseClick(older, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(read.size(), 2, 10000);
        QCOMPARE(inspector->messagesModel()->rowCount(), 60);
        QCOMPARE(inspector->messagesModel()->index(0, MessagesModel::SeqColumn).data(Qt::UserRole + 1).toLongLong(), 1);
        QVERIFY(!older->isEnabled());

        // Send notice… to the app: the confirmation names the scope; clients on both nodes get it.
        window.showNoticeDialog();
        NoticeDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = window.findChild<NoticeDialog *>()) != nullptr);
        QTRY_VERIFY(dialog->isVisible());
        dialog->setScope(QString());
        dialog->setMessage(QStringLiteral("maintenance"), QStringLiteral("Maintenance at 22:00 UTC: expect a reconnect."));
        QVERIFY(saveScreenshot(dialog, QStringLiteral("notice-") + lang));
        QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("noticeSendButton")), Qt::LeftButton);
        answer(*dialog, QStringLiteral("noticeConfirmation"), checks, [&](QMessageBox *box) {
            QVERIFY(box->text().contains(NoticeDialog::tr("every session of every app")));
        });
        if (checks) {
            QTRY_VERIFY_WITH_TIMEOUT(!window.findChild<NoticeDialog *>() || !window.findChild<NoticeDialog *>()->isVisible(), 10000);
            for (int node : { 0, 1 }) {
                const QJsonObject n = m_sockets.at(2 + node)->waitFor(QStringLiteral("system.notice"));
                QCOMPARE(n.value(QLatin1String("code")).toString(), QStringLiteral("maintenance"));
            }
        } else {
            dialog->reject();
        }
        // Disconnected: nothing of this server stays shown.
        client.close();
        QTRY_COMPARE(inspector->messagesModel()->rowCount(), 0);
        QCOMPARE(inspector->membersModel()->rowCount(), 0);
        QCOMPARE(users->model()->rowCount(), 0);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_cluster = std::make_unique<Cluster>();
        QCOMPARE(m_cluster->startNode(), 0);
        QCOMPARE(m_cluster->startNode(), 1);
        const auto app = m_cluster->createApp(QJsonObject { { QStringLiteral("limits"),
            QJsonObject { { QStringLiteral("conns_per_user_per_10s"), 0 }, { QStringLiteral("user_msgs_per_min"), 0 } } } });
        m_app = app.first;
        m_key = app.second;
        m_convo = m_cluster->createConversation(m_key, { QStringLiteral("dora"), QStringLiteral("gus"), QStringLiteral("hal") });
        QVERIFY(connectUser(0, QStringLiteral("dora")));
        QVERIFY(connectUser(1, QStringLiteral("dora")));
        WsClient *gus = connectUser(0, QStringLiteral("gus"));
        QVERIFY(gus);
        QVERIFY(connectUser(1, QStringLiteral("hal")));
        for (int i = 0; i < 60; ++i)
            QCOMPARE(gus->request(sendFrame(m_convo, QStringLiteral("m%1").arg(i), QJsonObject { { QStringLiteral("text"),
                                                                                   QStringLiteral("message %1 from gus").arg(i + 1) } }))
                         .value(QLatin1String("type"))
                         .toString(),
                QStringLiteral("message.ack"));
        gus->send(QJsonObject { { QStringLiteral("type"), QStringLiteral("message.read") }, { QStringLiteral("convo_id"), m_convo },
            { QStringLiteral("seq_no"), 42 } });
        QCOMPARE(m_cluster->rest.call("POST", m_cluster->admin(0) + QStringLiteral("/admin/flush"), Cluster::kAdminToken, QJsonObject {}).status, 200);
    }

    void operatorPagesInEnglish()
    {
        QCOMPARE(installTranslations(QStringLiteral("en")), QStringLiteral("en_US"));
        run(QStringLiteral("en"), true);
    }

    // German: the same pages, shot; dora is offline by now, so her page shows that.
    void operatorPagesInGerman()
    {
        QCOMPARE(installTranslations(QStringLiteral("de")), QStringLiteral("de_DE"));
        // dora again, on both nodes, for the shot.
        QVERIFY(connectUser(0, QStringLiteral("dora")));
        QVERIFY(connectUser(1, QStringLiteral("dora")));
        std::swap(m_sockets.at(0), m_sockets.at(m_sockets.size() - 2));
        std::swap(m_sockets.at(1), m_sockets.at(m_sockets.size() - 1));
        QTest::qWait(1100); // the notice rate limit of the English run
        run(QStringLiteral("de"), false);
    }
};

QTEST_MAIN(TestConsoleOps)
#include "tst_consoleops.moc"

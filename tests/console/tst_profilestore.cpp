#include "core/profilestore.h"

#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace confab::console;

class tst_ProfileStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void validate_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("ok");
        QTest::addRow("ws") << QStringLiteral("local")
                            << QStringLiteral("ws://127.0.0.1:8081/admin/ws") << true;
        QTest::addRow("wss") << QStringLiteral("prod")
                             << QStringLiteral("wss://confab.example/admin/ws") << true;
        QTest::addRow("http") << QStringLiteral("x")
                              << QStringLiteral("http://127.0.0.1:8081/admin/ws") << false;
        QTest::addRow("no host") << QStringLiteral("x") << QStringLiteral("ws:///admin/ws")
                                 << false;
        QTest::addRow("empty name")
            << QStringLiteral("  ") << QStringLiteral("ws://h/admin/ws") << false;
        QTest::addRow("token in query")
            << QStringLiteral("x") << QStringLiteral("ws://h/admin/ws?access_token=s3cret")
            << false;
        QTest::addRow("user info")
            << QStringLiteral("x") << QStringLiteral("ws://admin:s3cret@h/admin/ws") << false;
    }

    void validate()
    {
        QFETCH(QString, name);
        QFETCH(QString, url);
        QFETCH(bool, ok);
        QCOMPARE(ProfileStore::validate(Profile { name, QUrl(url) }).has_value(), ok);
    }

    void savesReplacesAndRemoves()
    {
        QTemporaryDir dir;
        QSettings settings(dir.filePath(QStringLiteral("console.ini")), QSettings::IniFormat);
        ProfileStore store(&settings);
        QSignalSpy changed(&store, &ProfileStore::profilesChanged);
        QVERIFY(store.profiles().isEmpty());
        QVERIFY(store.saveProfile(
            { QStringLiteral("local"), QUrl(QStringLiteral("ws://127.0.0.1:8081/admin/ws")) }));
        QVERIFY(store.saveProfile(
            { QStringLiteral("prod/eu"), QUrl(QStringLiteral("wss://eu.example/admin/ws")) }));
        QVERIFY(!store.saveProfile({ QStringLiteral("bad"), QUrl(QStringLiteral("ftp://x")) }));
        QCOMPARE(changed.count(), 2);
        QCOMPARE(store.profiles().size(), 2);

        // Same name replaces; names with '/' survive.
        QVERIFY(store.saveProfile(
            { QStringLiteral("local"), QUrl(QStringLiteral("ws://127.0.0.1:9081/admin/ws")) }));
        QCOMPARE(store.profiles().size(), 2);
        QCOMPARE(store.profile(QStringLiteral("local"))->url.port(), 9081);
        QCOMPARE(
            store.profile(QStringLiteral("prod/eu"))->url.host(), QStringLiteral("eu.example"));

        store.setLastProfile(QStringLiteral("prod/eu"));
        settings.sync();
        QSettings reread(dir.filePath(QStringLiteral("console.ini")), QSettings::IniFormat);
        ProfileStore again(&reread);
        QCOMPARE(again.profiles().size(), 2);
        QCOMPARE(again.lastProfile(), QStringLiteral("prod/eu"));

        store.removeProfile(QStringLiteral("local"));
        QCOMPARE(store.profiles().size(), 1);
        QVERIFY(!store.profile(QStringLiteral("local")).has_value());
    }

    void caFileIsSavedWithTheProfile()
    {
        QTemporaryDir dir;
        QSettings settings(dir.filePath(QStringLiteral("console.ini")), QSettings::IniFormat);
        ProfileStore store(&settings);
        // GIVEN a wss:// profile with a private CA, and a ws:// one without
        QVERIFY(store.saveProfile({ QStringLiteral("prod"),
            QUrl(QStringLiteral("wss://eu.example:8081/admin/ws")), QStringLiteral("/etc/ssl/private-ca.pem") }));
        QVERIFY(store.saveProfile(
            { QStringLiteral("local"), QUrl(QStringLiteral("ws://127.0.0.1:8081/admin/ws")) }));
        // A CA file means nothing without TLS
        QVERIFY(!store.saveProfile({ QStringLiteral("odd"),
            QUrl(QStringLiteral("ws://127.0.0.1:8081/admin/ws")), QStringLiteral("/etc/ssl/ca.pem") }));
        settings.sync();

        // THEN a new store reads the CA file back
        QSettings reread(dir.filePath(QStringLiteral("console.ini")), QSettings::IniFormat);
        ProfileStore again(&reread);
        QCOMPARE(again.profile(QStringLiteral("prod"))->caFile, QStringLiteral("/etc/ssl/private-ca.pem"));
        QCOMPARE(again.profile(QStringLiteral("local"))->caFile, QString());
        QVERIFY(!again.profile(QStringLiteral("odd")).has_value());
    }

    void tokenNeverReachesTheSettingsFile()
    {
        // GIVEN a machine that may or may not run a keychain service
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("console.ini"));
        QSettings settings(path, QSettings::IniFormat);
        ProfileStore store(&settings);
        QVERIFY(store.saveProfile(
            { QStringLiteral("local"), QUrl(QStringLiteral("ws://127.0.0.1:8081/admin/ws")) }));
        QSignalSpy stored(&store, &ProfileStore::tokenStored);
        QSignalSpy failed(&store, &ProfileStore::tokenFailed);
        const QString secret = QStringLiteral("tok-%1").arg(QDateTime::currentMSecsSinceEpoch());
        // WHEN the token is stored
        store.storeToken(QStringLiteral("local"), secret);
        // THEN the keychain answers either way (no hang) and the file never holds the token
        QTRY_VERIFY_WITH_TIMEOUT(stored.count() + failed.count() == 1, 20000);
        settings.sync();
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(!f.readAll().contains(secret.toUtf8()));
        if (stored.count() == 1) {
            QSignalSpy loaded(&store, &ProfileStore::tokenLoaded);
            store.loadToken(QStringLiteral("local"));
            QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 20000);
            QCOMPARE(loaded.at(0).at(1).toString(), secret);
            store.removeProfile(QStringLiteral("local"));
        } else {
            qInfo("no keychain service here: %s", qPrintable(failed.at(0).at(1).toString()));
            QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("local"));
        }
    }
};

QTEST_GUILESS_MAIN(tst_ProfileStore)
#include "tst_profilestore.moc"

// createObjectStore(): the [s3] endpoint's scheme picks the store.

#include "objectstore/factory.h"
#include "objectstore/localstore.h"
#include "objectstore/s3store.h"

#include <QNetworkAccessManager>
#include <QTest>

using namespace confab;
using namespace confab::objectstore;

class TestFactory : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void choosesStore_data();
    void choosesStore();
};

void TestFactory::choosesStore_data()
{
    QTest::addColumn<QString>("endpoint");
    QTest::addColumn<QString>("bucket");
    QTest::addColumn<QString>("expected"); // class name, or an error code name
    QTest::addRow("minio") << QStringLiteral("http://127.0.0.1:9000") << QStringLiteral("confab")
                           << QStringLiteral("confab::objectstore::S3Store");
    QTest::addRow("https") << QStringLiteral("https://s3.example.com") << QStringLiteral("b")
                           << QStringLiteral("confab::objectstore::S3Store");
    QTest::addRow("directory") << QStringLiteral("file:///var/lib/confab/objects") << QString()
                               << QStringLiteral("confab::objectstore::LocalDirStore");
    QTest::addRow("relative directory")
        << QStringLiteral("file:objects") << QString() << QStringLiteral("bad_request");
    QTest::addRow("no bucket") << QStringLiteral("http://127.0.0.1:9000") << QString()
                               << QStringLiteral("bad_request");
    QTest::addRow("other scheme") << QStringLiteral("ftp://example.com") << QStringLiteral("b")
                                  << QStringLiteral("bad_request");
    QTest::addRow("not a url") << QStringLiteral("http://[broken") << QStringLiteral("b")
                               << QStringLiteral("bad_request");
}

void TestFactory::choosesStore()
{
    QFETCH(QString, endpoint);
    QFETCH(QString, bucket);
    QFETCH(QString, expected);
    Config::S3 cfg;
    cfg.endpoint = endpoint;
    cfg.bucket = bucket;
    QNetworkAccessManager nam;
    auto store = createObjectStore(cfg, &nam);
    if (store) {
        QCOMPARE(QString::fromLatin1((*store)->metaObject()->className()), expected);
        if (auto *local = qobject_cast<LocalDirStore *>(store->get()))
            QCOMPARE(local->rootDir(), QUrl(endpoint).toLocalFile());
    } else {
        QCOMPARE(QString::fromLatin1(errorCodeName(store.error().code)), expected);
        QVERIFY(store.error().message.contains(QLatin1String("[s3]")));
    }
}

QTEST_GUILESS_MAIN(TestFactory)
#include "tst_factory.moc"

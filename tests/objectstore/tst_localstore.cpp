// LocalDirStore on a temporary directory: the ObjectStore contract with files.

#include "objectstore/localstore.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "runtask.h"

using namespace confab;
using namespace confab::objectstore;
using confab::test::run;

class TestLocalStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void putGetHeadRemove();
    void overwriteReplacesWholeObject();
    void rangedGet_data();
    void rangedGet();
    void missingKeys();
    void objectAndDirectoryConflict();
    void invalidKeysRefused_data();
    void invalidKeysRefused();
    void listPages();
    void listPrefixes_data();
    void listPrefixes();
    void pingAndPresign();
    void requestFinishedCounts();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<LocalDirStore> m_store;
};

void TestLocalStore::init()
{
    m_store.reset();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_store = std::make_unique<LocalDirStore>(m_dir->filePath(QStringLiteral("objects")));
}

void TestLocalStore::putGetHeadRemove()
{
    const QString key = QStringLiteral("segments/app1/0001.seg");
    const QByteArray data("hello segment");
    QVERIFY(run(m_store->put(key, data, "application/octet-stream")));
    QVERIFY(QFile::exists(m_dir->filePath(QStringLiteral("objects/segments/app1/0001.seg"))));

    const auto got = run(m_store->get(key, std::nullopt));
    QVERIFY2(got, qPrintable(got ? QString() : got.error().message));
    QCOMPARE(*got, data);

    const auto info = run(m_store->head(key));
    QVERIFY(info);
    QCOMPARE(info->key, key);
    QCOMPARE(info->size, data.size());
    QVERIFY(!info->etag.isEmpty());
    QVERIFY(qAbs(info->lastModifiedMs - QDateTime::currentMSecsSinceEpoch()) < 60000);

    QVERIFY(run(m_store->remove(key)));
    const auto gone = run(m_store->get(key, std::nullopt));
    QVERIFY(!gone);
    QCOMPARE(gone.error().code, ErrorCode::NotFound);
}

void TestLocalStore::overwriteReplacesWholeObject()
{
    const QString key = QStringLiteral("k");
    QVERIFY(run(m_store->put(key, QByteArray(1000, 'a'), {})));
    const auto before = run(m_store->head(key));
    QVERIFY(run(m_store->put(key, QByteArray("short"), {})));
    QCOMPARE(*run(m_store->get(key, std::nullopt)), QByteArray("short"));
    const auto after = run(m_store->head(key));
    QVERIFY(before && after);
    QVERIFY(before->etag != after->etag);
    // No temporary files left beside the object.
    QCOMPARE(QDir(m_store->rootDir()).entryList(QDir::Files | QDir::Hidden),
        QStringList { QStringLiteral("k") });
}

void TestLocalStore::rangedGet_data()
{
    QTest::addColumn<qint64>("offset");
    QTest::addColumn<qint64>("length");
    QTest::addColumn<QByteArray>("expected");
    QTest::addColumn<int>("error"); // -1: none
    QTest::addRow("head") << qint64(0) << qint64(4) << QByteArray("0123") << -1;
    QTest::addRow("middle") << qint64(3) << qint64(2) << QByteArray("34") << -1;
    QTest::addRow("to end") << qint64(7) << qint64(-1) << QByteArray("789") << -1;
    QTest::addRow("past end clipped") << qint64(8) << qint64(100) << QByteArray("89") << -1;
    QTest::addRow("offset at end")
        << qint64(10) << qint64(1) << QByteArray() << int(ErrorCode::BadRequest);
    QTest::addRow("zero length") << qint64(0) << qint64(0) << QByteArray()
                                 << int(ErrorCode::BadRequest);
    QTest::addRow("negative offset")
        << qint64(-1) << qint64(2) << QByteArray() << int(ErrorCode::BadRequest);
}

void TestLocalStore::rangedGet()
{
    QFETCH(qint64, offset);
    QFETCH(qint64, length);
    QFETCH(QByteArray, expected);
    QFETCH(int, error);
    QVERIFY(run(m_store->put(QStringLiteral("r/obj"), QByteArray("0123456789"), {})));
    const auto got = run(m_store->get(QStringLiteral("r/obj"), ByteRange { offset, length }));
    if (error >= 0) {
        QVERIFY(!got);
        QCOMPARE(int(got.error().code), error);
    } else {
        QVERIFY(got);
        QCOMPARE(*got, expected);
    }
}

void TestLocalStore::missingKeys()
{
    const QString key = QStringLiteral("no/such/key");
    const auto got = run(m_store->get(key, std::nullopt));
    QVERIFY(!got);
    QCOMPARE(got.error().code, ErrorCode::NotFound);
    QVERIFY(got.error().message.contains(key));
    const auto info = run(m_store->head(key));
    QVERIFY(!info);
    QCOMPARE(info.error().code, ErrorCode::NotFound);
    QVERIFY(run(m_store->remove(key)));
    // A directory is not an object.
    QVERIFY(run(m_store->put(QStringLiteral("dir/file"), "x", {})));
    QCOMPARE(run(m_store->head(QStringLiteral("dir"))).error().code, ErrorCode::NotFound);
}

void TestLocalStore::objectAndDirectoryConflict()
{
    // A file system cannot hold both "a" and "a/b"; S3 can. Say so instead of failing vaguely.
    QVERIFY(run(m_store->put(QStringLiteral("a/b"), "x", {})));
    QCOMPARE(run(m_store->put(QStringLiteral("a"), "y", {})).error().code, ErrorCode::Conflict);
    QVERIFY(run(m_store->put(QStringLiteral("c"), "x", {})));
    QCOMPARE(run(m_store->put(QStringLiteral("c/d/e"), "y", {})).error().code, ErrorCode::Conflict);
    QCOMPARE(*run(m_store->get(QStringLiteral("a/b"), std::nullopt)), QByteArray("x"));
    QCOMPARE(*run(m_store->get(QStringLiteral("c"), std::nullopt)), QByteArray("x"));
}

void TestLocalStore::invalidKeysRefused_data()
{
    QTest::addColumn<QString>("key");
    QTest::addRow("empty") << QString();
    QTest::addRow("parent") << QStringLiteral("../escape");
    QTest::addRow("parent inside") << QStringLiteral("a/../../escape");
    QTest::addRow("trailing parent") << QStringLiteral("a/..");
    QTest::addRow("dot") << QStringLiteral("a/./b");
    QTest::addRow("absolute") << QStringLiteral("/etc/passwd");
    QTest::addRow("empty segment") << QStringLiteral("a//b");
    QTest::addRow("trailing slash") << QStringLiteral("a/");
    QTest::addRow("backslash") << QStringLiteral("a\\..\\b");
    QTest::addRow("reserved") << QStringLiteral(".confab-tmp/x");
    QTest::addRow("too long") << QString(1025, QLatin1Char('x'));
}

void TestLocalStore::invalidKeysRefused()
{
    QFETCH(QString, key);
    QSignalSpy spy(m_store.get(), &ObjectStore::requestFinished);
    const auto put = run(m_store->put(key, "evil", {}));
    QVERIFY(!put);
    QCOMPARE(put.error().code, ErrorCode::BadRequest);
    QCOMPARE(run(m_store->get(key, std::nullopt)).error().code, ErrorCode::BadRequest);
    QCOMPARE(run(m_store->head(key)).error().code, ErrorCode::BadRequest);
    QCOMPARE(run(m_store->remove(key)).error().code, ErrorCode::BadRequest);
    // Nothing was written anywhere, in or out of the root.
    QCOMPARE(spy.count(), 0);
    QDir parent(m_dir->path());
    QCOMPARE(
        parent.entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden), QStringList());
}

void TestLocalStore::listPages()
{
    // GIVEN seven objects under a prefix and one outside it
    QStringList keys;
    for (int i = 0; i < 7; ++i)
        keys << QStringLiteral("p/%1/obj").arg(i);
    keys << QStringLiteral("p/0/a.b") << QStringLiteral("q/other");
    for (const QString &k : keys)
        QVERIFY(run(m_store->put(k, k.toUtf8(), {})));

    // WHEN they are listed three at a time
    QStringList seen;
    QString token;
    int pages = 0;
    do {
        const auto page = run(m_store->list(QStringLiteral("p/"), token, 3));
        QVERIFY(page);
        QVERIFY(page->objects.size() <= 3);
        for (const ObjectInfo &o : page->objects) {
            seen << o.key;
            QCOMPARE(o.size, o.key.toUtf8().size());
        }
        token = page->nextContinuationToken;
        ++pages;
    } while (!token.isEmpty() && pages < 10);

    // THEN every key under the prefix comes once, in order, in three pages
    QStringList expected = keys.mid(0, 8);
    std::sort(expected.begin(), expected.end());
    QCOMPARE(seen, expected);
    QCOMPARE(pages, 3);
}

void TestLocalStore::listPrefixes_data()
{
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<QStringList>("expected");
    QTest::addRow("all") << QString()
                         << QStringList { QStringLiteral("a/b/c"), QStringLiteral("a/bb"),
                                QStringLiteral("ab") };
    QTest::addRow("partial segment")
        << QStringLiteral("a/b") << QStringList { QStringLiteral("a/b/c"), QStringLiteral("a/bb") };
    QTest::addRow("directory") << QStringLiteral("a/b/") << QStringList { QStringLiteral("a/b/c") };
    QTest::addRow("no match") << QStringLiteral("zzz") << QStringList {};
    QTest::addRow("traversal") << QStringLiteral("../") << QStringList {};
    QTest::addRow("missing directory") << QStringLiteral("x/y/") << QStringList {};
}

void TestLocalStore::listPrefixes()
{
    QFETCH(QString, prefix);
    QFETCH(QStringList, expected);
    for (const char *k : { "a/b/c", "a/bb", "ab" })
        QVERIFY(run(m_store->put(QString::fromLatin1(k), "x", {})));
    const auto page = run(m_store->list(prefix, {}, 0));
    QVERIFY(page);
    QStringList keys;
    for (const ObjectInfo &o : page->objects)
        keys << o.key;
    QCOMPARE(keys, expected);
    QVERIFY(page->nextContinuationToken.isEmpty());
}

void TestLocalStore::pingAndPresign()
{
    QVERIFY(run(m_store->ping())); // creates the root
    QVERIFY(QFileInfo(m_store->rootDir()).isDir());

    QFile blocker(m_dir->filePath(QStringLiteral("file")));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    LocalDirStore broken(blocker.fileName());
    const auto ping = run(broken.ping());
    QVERIFY(!ping);
    QCOMPARE(ping.error().code, ErrorCode::Unavailable);
    QCOMPARE(run(broken.put(QStringLiteral("k"), "x", {})).error().code, ErrorCode::Unavailable);

    QCOMPARE(m_store->presignGet(QStringLiteral("k"), 60).error().code, ErrorCode::Unavailable);
    QCOMPARE(m_store->presignPut(QStringLiteral("k"), 60, "text/plain").error().code,
        ErrorCode::Unavailable);
}

void TestLocalStore::requestFinishedCounts()
{
    QSignalSpy spy(m_store.get(), &ObjectStore::requestFinished);
    QVERIFY(run(m_store->put(QStringLiteral("k"), "x", {})));
    QVERIFY(run(m_store->get(QStringLiteral("k"), std::nullopt)));
    QVERIFY(!run(m_store->head(QStringLiteral("missing"))));
    QVERIFY(run(m_store->remove(QStringLiteral("k"))));
    QVERIFY(run(m_store->list({}, {}, 10)));
    const QList<QPair<QByteArray, QByteArray>> expected { { "put", "200" }, { "get", "200" },
        { "head", "404" }, { "delete", "200" }, { "list", "200" } };
    QCOMPARE(spy.count(), expected.size());
    for (int i = 0; i < spy.count(); ++i) {
        QCOMPARE(spy.at(i).at(0).toByteArray(), expected.at(i).first);
        QCOMPARE(spy.at(i).at(1).toByteArray(), expected.at(i).second);
    }
}

QTEST_GUILESS_MAIN(TestLocalStore)
#include "tst_localstore.moc"

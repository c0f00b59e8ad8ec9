// LocalDirStore on a temporary directory: the ObjectStore contract with files.

#include "objectstore/localstore.h"

#include <QDateTime>
#include <QDir>
#include <QUrlQuery>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <QCoroFuture>

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
    void signingKeySharedThroughTheDirectory();
    void singleUploadStreamsToTheKey();
    void multipartUploadResumesAndCompletes();
    void multipartAbortAndUnknownIds();
    void requestFinishedCounts();
    void openForReadingHandsOutPieces();

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
    // Nothing was written anywhere, in or out of the root (which holds only the URL signing
    // key the store made when it opened).
    QCOMPARE(spy.count(), 0);
    QDir parent(m_dir->path());
    QCOMPARE(parent.entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden),
        QStringList { QStringLiteral("objects") });
    QDir root(m_store->rootDir());
    QCOMPARE(root.entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden),
        QStringList { QStringLiteral(".confab-tmp") });
    QCOMPARE(QDir(root.filePath(QStringLiteral(".confab-tmp")))
                 .entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden),
        QStringList { QStringLiteral("url-signing-key") });
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

    // No signing key could be made under a file: no URLs.
    QCOMPARE(broken.presignGet(QStringLiteral("k"), 60).error().code, ErrorCode::Unavailable);
    QCOMPARE(broken.presignPut(QStringLiteral("k"), 60, "text/plain").error().code,
        ErrorCode::Unavailable);
    const auto url = m_store->presignPut(QStringLiteral("k"), 60, "text/plain", 5);
    QVERIFY(url);
    QVERIFY(url->isRelative());
    QCOMPARE(m_store->presignGet(QStringLiteral("a/../b"), 60).error().code, ErrorCode::BadRequest);
}

namespace
{
// A chunk already there, as a task (a free coroutine: no lambda captures to outlive).
QCoro::Task<Expected<QByteArray>> ready(Expected<QByteArray> chunk)
{
    co_return chunk;
}

// A body in pieces, as the HTTP server hands it to LocalDirStore::receive().
LocalDirStore::ChunkSource chunksOf(QByteArray data, qsizetype piece)
{
    auto offset = std::make_shared<qsizetype>(0);
    return [data, piece, offset] {
        const QByteArray chunk = data.mid(*offset, piece);
        *offset += chunk.size();
        return ready(chunk);
    };
}

QUrlQuery queryOf(const Expected<QUrl> &url)
{
    return QUrlQuery(url->query(QUrl::FullyEncoded));
}
} // namespace

void TestLocalStore::signingKeySharedThroughTheDirectory()
{
    // GIVEN a URL signed by one store WHEN another store (a restart, another node) opens the
    // same directory THEN it accepts the URL: the key lives in the directory.
    const auto url = m_store->presignGet(QStringLiteral("att/a/c/u/f"), 60);
    QVERIFY(url);
    LocalDirStore again(m_store->rootDir());
    QVERIFY(again.signer().verify(queryOf(url), "GET", QDateTime::currentSecsSinceEpoch()));
    QTemporaryDir other;
    LocalDirStore stranger(other.path());
    QVERIFY(!stranger.signer().verify(queryOf(url), "GET", QDateTime::currentSecsSinceEpoch()));
}

void TestLocalStore::singleUploadStreamsToTheKey()
{
    const QString key = QStringLiteral("att/a/c/u/photo.jpg");
    const QByteArray data = QByteArray("0123456789").repeated(1000);
    const auto grant = m_store->signer().verify(
        queryOf(m_store->presignPut(key, 60, "image/jpeg", data.size())), "PUT",
        QDateTime::currentSecsSinceEpoch());
    QVERIFY(grant);
    const auto etag = run(m_store->receive(*grant, chunksOf(data, 777)));
    QVERIFY2(etag, qPrintable(etag ? QString() : etag.error().message));
    QCOMPARE(etag->size(), 32);
    QCOMPARE(*run(m_store->get(key, std::nullopt)), data);

    // Longer or shorter than the URL says: refused, nothing stored, no temporary file left.
    BlobGrant longer = *grant;
    longer.key = QStringLiteral("att/a/c/u/long.jpg");
    longer.length = 10;
    QCOMPARE(run(m_store->receive(longer, chunksOf(data, 4))).error().code,
        ErrorCode::PayloadTooLarge);
    longer.length = data.size() + 1;
    QCOMPARE(run(m_store->receive(longer, chunksOf(data, 4096))).error().code,
        ErrorCode::BadRequest);
    QCOMPARE(run(m_store->head(longer.key)).error().code, ErrorCode::NotFound);
    QVERIFY(QDir(m_store->rootDir() + QStringLiteral("/.confab-tmp/incoming"))
                .entryList(QDir::Files)
                .isEmpty());
}

void TestLocalStore::multipartUploadResumesAndCompletes()
{
    const QString key = QStringLiteral("att/a/c/u/video.mp4");
    const QByteArray data = QByteArray("abcdefghij").repeated(250); // 2500 bytes: 1024+1024+452
    const auto id = run(m_store->createMultipart(key, "video/mp4"));
    QVERIFY(id);
    const auto grantFor = [&](int n, qint64 length) {
        return m_store->signer().verify(queryOf(m_store->presignPart(key, *id, n, length, 60)),
            "PUT", QDateTime::currentSecsSinceEpoch());
    };
    // Part 1 arrives, part 2 is cut off half way (the client goes away).
    const auto g1 = grantFor(1, 1024);
    QVERIFY(g1);
    const auto e1 = run(m_store->receive(*g1, chunksOf(data.mid(0, 1024), 300)));
    QVERIFY(e1);
    const auto g2 = grantFor(2, 1024);
    auto cut = [half = data.mid(1024, 512), sent = false]() mutable {
        if (sent)
            return ready(Error::unavailable(QStringLiteral("the client closed the connection")));
        sent = true;
        return ready(half);
    };
    QCOMPARE(run(m_store->receive(*g2, cut)).error().code, ErrorCode::Unavailable);

    auto parts = run(m_store->listParts(key, *id));
    QVERIFY(parts);
    QCOMPARE(parts->size(), 1);
    QCOMPARE(parts->at(0).partNumber, 1);
    QCOMPARE(parts->at(0).etag, *e1);
    QCOMPARE(parts->at(0).size, 1024);

    // Resumed: the missing parts, then complete.
    const auto e2 = run(m_store->receive(*grantFor(2, 1024), chunksOf(data.mid(1024, 1024), 100)));
    const auto e3 = run(m_store->receive(*grantFor(3, 452), chunksOf(data.mid(2048), 452)));
    QVERIFY(e2 && e3);
    QVERIFY(!run(m_store->completeMultipart(key, *id,
        { { 1, *e1, 0 }, { 2, *e1, 0 }, { 3, *e3, 0 } }))); // wrong ETag for part 2
    QVERIFY(run(m_store->completeMultipart(key, *id,
        { { 1, *e1, 0 }, { 2, *e2, 0 }, { 3, *e3, 0 } })));
    QCOMPARE(*run(m_store->get(key, std::nullopt)), data);
    QCOMPARE(run(m_store->listParts(key, *id)).error().code, ErrorCode::NotFound);
    QVERIFY(run(m_store->listMultipartUploads(QStringLiteral("att/")))->isEmpty());
}

void TestLocalStore::multipartAbortAndUnknownIds()
{
    const QString key = QStringLiteral("att/a/c/u/doc.pdf");
    const auto id = run(m_store->createMultipart(key, "application/pdf"));
    QVERIFY(id);
    const auto pending = run(m_store->listMultipartUploads(QStringLiteral("att/a/")));
    QVERIFY(pending);
    QCOMPARE(pending->size(), 1);
    QCOMPARE(pending->at(0).key, key);
    QCOMPARE(pending->at(0).uploadId, *id);
    QVERIFY(qAbs(pending->at(0).initiatedMs - QDateTime::currentMSecsSinceEpoch()) < 60000);
    QVERIFY(run(m_store->listMultipartUploads(QStringLiteral("att/b/")))->isEmpty());

    // Another key, a made-up id, a path: not found.
    QCOMPARE(run(m_store->listParts(QStringLiteral("att/a/c/u/other"), *id)).error().code,
        ErrorCode::NotFound);
    QCOMPARE(run(m_store->abortMultipart(key, QStringLiteral("0123456789abcdef0123456789abcdef")))
                 .error()
                 .code,
        ErrorCode::NotFound);
    QCOMPARE(run(m_store->listParts(key, QStringLiteral("../../x"))).error().code,
        ErrorCode::NotFound);

    QVERIFY(run(m_store->abortMultipart(key, *id)));
    QCOMPARE(run(m_store->abortMultipart(key, *id)).error().code, ErrorCode::NotFound);
    QVERIFY(run(m_store->listMultipartUploads(QStringLiteral("att/")))->isEmpty());
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

void TestLocalStore::openForReadingHandsOutPieces()
{
    // GIVEN an object of 200,001 bytes
    QByteArray data(200001, '\0');
    for (qsizetype i = 0; i < data.size(); ++i)
        data[i] = char(i * 7);
    QVERIFY(run(m_store->put(QStringLiteral("att/big"), data, {})));
    // WHEN it is opened for reading a piece at a time
    auto reader = run(m_store->openForReading(QStringLiteral("att/big")));
    QVERIFY2(reader, qPrintable(reader ? QString() : reader.error().message));
    QCOMPARE(reader->size, data.size());
    // THEN pieces of at most 64 KiB come back, in order, and then an empty one
    auto piece = [&reader]() -> QCoro::Task<Expected<QByteArray>> { co_return co_await reader->next(); };
    QByteArray got;
    int pieces = 0;
    for (;;) {
        const Expected<QByteArray> p = run(piece());
        QVERIFY(p);
        QVERIFY(p->size() <= 64 * 1024);
        if (p->isEmpty())
            break;
        got += *p;
        ++pieces;
    }
    QCOMPARE(got, data);
    QCOMPARE(pieces, 4);
    // and a missing object is NotFound before any byte
    const auto missing = run(m_store->openForReading(QStringLiteral("att/none")));
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, ErrorCode::NotFound);
}

QTEST_GUILESS_MAIN(TestLocalStore)
#include "tst_localstore.moc"

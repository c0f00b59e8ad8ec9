// UrlSigner: the HMAC-signed URLs of a local-directory store, checked on their query alone.

#include "objectstore/urlsigner.h"

#include <QTest>
#include <QUrlQuery>

using namespace confab;
using namespace confab::objectstore;

namespace
{
const QByteArray kKey(32, 'k');
constexpr qint64 kNow = 1'800'000'000;

BlobGrant partGrant()
{
    BlobGrant g;
    g.op = BlobGrant::Op::Part;
    g.key = QStringLiteral("att/app1/c1/01j/photo+1 &=.jpg");
    g.uploadId = QStringLiteral("0123456789abcdef0123456789abcdef");
    g.partNumber = 3;
    g.length = 1024;
    g.expiresS = kNow + 900;
    return g;
}

QUrlQuery queryOf(const QUrl &url)
{
    return QUrlQuery(url.query(QUrl::FullyEncoded));
}
} // namespace

class TestUrlSigner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void signedGrantRoundTrips()
    {
        const UrlSigner signer(kKey);
        const QUrl url = signer.sign(partGrant());
        QCOMPARE(url.path(), QStringLiteral("/v1/blobs"));
        QVERIFY(url.isRelative());
        const auto g = signer.verify(queryOf(url), "PUT", kNow);
        QVERIFY2(g, qPrintable(g ? QString() : g.error().message));
        QCOMPARE(g->op, BlobGrant::Op::Part);
        QCOMPARE(g->key, partGrant().key);
        QCOMPARE(g->uploadId, partGrant().uploadId);
        QCOMPARE(g->partNumber, 3);
        QCOMPARE(g->length, 1024);
    }

    void tamperedFieldsRefused_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("value");
        QTest::addRow("key") << "key" << "att/app1/c1/01j/other.jpg";
        QTest::addRow("other app") << "key" << "att/app2/c1/01j/photo+1 &=.jpg";
        QTest::addRow("upload") << "upload" << "ffffffffffffffffffffffffffffffff";
        QTest::addRow("part") << "part" << "4";
        QTest::addRow("length") << "len" << "999999";
        QTest::addRow("expiry") << "exp" << QString::number(kNow + 86400);
        QTest::addRow("operation") << "op" << "put";
        QTest::addRow("signature") << "sig" << "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        QTest::addRow("not base64") << "sig" << "!!";
    }

    void tamperedFieldsRefused()
    {
        QFETCH(QString, name);
        QFETCH(QString, value);
        const UrlSigner signer(kKey);
        QUrlQuery q = queryOf(signer.sign(partGrant()));
        q.removeAllQueryItems(name);
        q.addQueryItem(name, QString::fromLatin1(QUrl::toPercentEncoding(value)));
        const auto g = signer.verify(q, "PUT", kNow);
        QVERIFY(!g);
        QCOMPARE(g.error().code, ErrorCode::Forbidden);
    }

    void otherKeyRefused()
    {
        const QUrl url = UrlSigner(kKey).sign(partGrant());
        const auto g = UrlSigner(QByteArray(32, 'x')).verify(queryOf(url), "PUT", kNow);
        QVERIFY(!g);
        QVERIFY(g.error().message.contains(QLatin1String("signature")));
    }

    void expiryChecked()
    {
        const UrlSigner signer(kKey);
        const QUrlQuery q = queryOf(signer.sign(partGrant()));
        QVERIFY(signer.verify(q, "PUT", kNow + 900));
        const auto late = signer.verify(q, "PUT", kNow + 901);
        QVERIFY(!late);
        QVERIFY(late.error().message.contains(QLatin1String("expired")));
    }

    void methodMustFit()
    {
        const UrlSigner signer(kKey);
        QVERIFY(!signer.verify(queryOf(signer.sign(partGrant())), "GET", kNow));
        BlobGrant get;
        get.key = QStringLiteral("att/a/c/u/f");
        get.expiresS = kNow + 10;
        const QUrlQuery q = queryOf(signer.sign(get));
        QVERIFY(signer.verify(q, "GET", kNow));
        QVERIFY(!signer.verify(q, "PUT", kNow));
    }

    void keylessSignerRefusesAll()
    {
        const UrlSigner none;
        QVERIFY(!none.isValid());
        QVERIFY(!none.verify(queryOf(UrlSigner(kKey).sign(partGrant())), "PUT", kNow));
    }
};

QTEST_GUILESS_MAIN(TestUrlSigner)
#include "tst_urlsigner.moc"

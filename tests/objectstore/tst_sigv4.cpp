// The SigV4 signer against AWS's published examples: "Signature Calculations for the
// Authorization Header: Transferring Payload in a Single Chunk" (GET object with Range, PUT
// object, GET bucket lifecycle, GET bucket list objects) and "Authenticating Requests: Using
// Query Parameters" (presigned GET).

#include "objectstore/sigv4.h"

#include <QTest>

using namespace confab::objectstore;

namespace
{

SigningKey exampleKey()
{
    return { QStringLiteral("AKIAIOSFODNN7EXAMPLE"),
        QStringLiteral("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), QStringLiteral("us-east-1") };
}

QDateTime exampleTime()
{
    return QDateTime(QDate(2013, 5, 24), QTime(0, 0), Qt::UTC);
}

QByteArray header(const HeaderList &headers, QByteArrayView name)
{
    for (const auto &[n, v] : headers) {
        if (n.compare(name, Qt::CaseInsensitive) == 0)
            return v;
    }
    return {};
}

} // namespace

class TestSigV4 : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void uriEncode_data();
    void uriEncode();
    void canonicalHost_data();
    void canonicalHost();
    void getObjectCanonicalRequest();
    void awsExamples_data();
    void awsExamples();
    void presignedGet();
    void presignedPutSignsContentType();
    void encodedKeySurvivesQUrl_data();
    void encodedKeySurvivesQUrl();
};

void TestSigV4::uriEncode_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<bool>("encodeSlash");
    QTest::addColumn<QByteArray>("expected");
    QTest::addRow("unreserved") << QByteArray("AZaz09-._~") << true << QByteArray("AZaz09-._~");
    QTest::addRow("dollar") << QByteArray("test$file.text") << false
                            << QByteArray("test%24file.text");
    QTest::addRow("slash kept") << QByteArray("a/b c") << false << QByteArray("a/b%20c");
    QTest::addRow("slash encoded") << QByteArray("a/b") << true << QByteArray("a%2Fb");
    QTest::addRow("plus equals amp") << QByteArray("+=&") << true << QByteArray("%2B%3D%26");
    QTest::addRow("star and quote") << QByteArray("*'()!") << true << QByteArray("%2A%27%28%29%21");
    QTest::addRow("percent") << QByteArray("100%") << true << QByteArray("100%25");
    QTest::addRow("utf8 upper-case hex")
        << QByteArray("\xe1\x88\xb4") << false << QByteArray("%E1%88%B4");
    QTest::addRow("empty") << QByteArray() << true << QByteArray();
}

void TestSigV4::uriEncode()
{
    QFETCH(QByteArray, input);
    QFETCH(bool, encodeSlash);
    QFETCH(QByteArray, expected);
    QCOMPARE(confab::objectstore::uriEncode(input, encodeSlash), expected);
}

void TestSigV4::canonicalHost_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QByteArray>("expected");
    QTest::addRow("port kept") << QStringLiteral("http://127.0.0.1:9000/b/k")
                               << QByteArray("127.0.0.1:9000");
    QTest::addRow("no port") << QStringLiteral("https://examplebucket.s3.amazonaws.com/")
                             << QByteArray("examplebucket.s3.amazonaws.com");
    QTest::addRow("http default") << QStringLiteral("http://minio:80/b") << QByteArray("minio");
    QTest::addRow("https default") << QStringLiteral("https://minio:443/b") << QByteArray("minio");
    QTest::addRow("https on 80") << QStringLiteral("https://minio:80/b") << QByteArray("minio:80");
    QTest::addRow("ipv6") << QStringLiteral("http://[::1]:9000/b") << QByteArray("[::1]:9000");
}

void TestSigV4::canonicalHost()
{
    QFETCH(QString, url);
    QFETCH(QByteArray, expected);
    QCOMPARE(confab::objectstore::canonicalHost(QUrl(url)), expected);
}

void TestSigV4::getObjectCanonicalRequest()
{
    // GIVEN the GET object example's request
    const QUrl url(QStringLiteral("https://examplebucket.s3.amazonaws.com/test.txt"));
    CanonicalRequest r;
    r.method = "GET";
    r.canonicalUri = canonicalUri(url);
    r.query = queryPairs(url);
    r.headers = { { "Host", "examplebucket.s3.amazonaws.com" }, { "Range", "bytes=0-9" },
        { "x-amz-content-sha256", kEmptyPayloadHash.toByteArray() },
        { "x-amz-date", "20130524T000000Z" } };
    r.payloadHash = kEmptyPayloadHash.toByteArray();

    // THEN every intermediate text is the published one
    const CanonicalText canonical = canonicalRequest(r);
    QCOMPARE(canonical.text,
        QByteArray("GET\n"
                   "/test.txt\n"
                   "\n"
                   "host:examplebucket.s3.amazonaws.com\n"
                   "range:bytes=0-9\n"
                   "x-amz-content-sha256:"
                   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
                   "x-amz-date:20130524T000000Z\n"
                   "\n"
                   "host;range;x-amz-content-sha256;x-amz-date\n"
                   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    QCOMPARE(canonical.signedHeaders, QByteArray("host;range;x-amz-content-sha256;x-amz-date"));
    const QByteArray toSign = stringToSign(exampleKey(), exampleTime(), canonical.text);
    QCOMPARE(toSign,
        QByteArray("AWS4-HMAC-SHA256\n"
                   "20130524T000000Z\n"
                   "20130524/us-east-1/s3/aws4_request\n"
                   "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"));
    QCOMPARE(signature(exampleKey(), exampleTime(), toSign),
        QByteArray("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"));
}

void TestSigV4::awsExamples_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("url");
    QTest::addColumn<HeaderList>("headers");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QByteArray>("canonicalHash");
    QTest::addColumn<QByteArray>("signedHeaders");
    QTest::addColumn<QByteArray>("signature");

    QTest::addRow("GET object")
        << QByteArray("GET") << QStringLiteral("https://examplebucket.s3.amazonaws.com/test.txt")
        << HeaderList { { "Range", "bytes=0-9" } } << QByteArray()
        << QByteArray("7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972")
        << QByteArray("host;range;x-amz-content-sha256;x-amz-date")
        << QByteArray("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    QTest::addRow("PUT object")
        << QByteArray("PUT")
        << QStringLiteral("https://examplebucket.s3.amazonaws.com/test$file.text")
        << HeaderList { { "Date", "Fri, 24 May 2013 00:00:00 GMT" },
               { "x-amz-storage-class", "REDUCED_REDUNDANCY" } }
        << QByteArray("Welcome to Amazon S3.")
        << QByteArray("9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d")
        << QByteArray("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class")
        << QByteArray("98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
    QTest::addRow("GET bucket lifecycle")
        << QByteArray("GET") << QStringLiteral("https://examplebucket.s3.amazonaws.com/?lifecycle")
        << HeaderList {} << QByteArray()
        << QByteArray("9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca")
        << QByteArray("host;x-amz-content-sha256;x-amz-date")
        << QByteArray("fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
    QTest::addRow("GET bucket list objects")
        << QByteArray("GET")
        << QStringLiteral("https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J")
        << HeaderList {} << QByteArray()
        << QByteArray("df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7")
        << QByteArray("host;x-amz-content-sha256;x-amz-date")
        << QByteArray("34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

void TestSigV4::awsExamples()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, url);
    QFETCH(HeaderList, headers);
    QFETCH(QByteArray, payload);
    QFETCH(QByteArray, canonicalHash);
    QFETCH(QByteArray, signedHeaders);
    QFETCH(QByteArray, signature);

    // WHEN the request is signed
    const QByteArray payloadHash = sha256Hex(payload);
    const HeaderList out
        = signHeaders(exampleKey(), method, QUrl(url), headers, payloadHash, exampleTime());

    // THEN the headers to send are the published ones
    QCOMPARE(header(out, "host"), QByteArray("examplebucket.s3.amazonaws.com"));
    QCOMPARE(header(out, "x-amz-date"), QByteArray("20130524T000000Z"));
    QCOMPARE(header(out, "x-amz-content-sha256"), payloadHash);
    QCOMPARE(header(out, "Authorization"),
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
        "aws4_request,SignedHeaders="
            + signedHeaders + ",Signature=" + signature);

    // AND the canonical request they were made from hashes to the published value
    CanonicalRequest r;
    r.method = method;
    r.canonicalUri = canonicalUri(QUrl(url));
    r.query = queryPairs(QUrl(url));
    for (const auto &h : out) {
        if (h.first != "Authorization")
            r.headers.append(h);
    }
    r.payloadHash = payloadHash;
    QCOMPARE(sha256Hex(canonicalRequestText(r)), canonicalHash);
}

void TestSigV4::presignedGet()
{
    const QUrl url = presignUrl(exampleKey(), "GET",
        QUrl(QStringLiteral("https://examplebucket.s3.amazonaws.com/test.txt")), 86400,
        exampleTime());
    QCOMPARE(url.toEncoded(),
        QByteArray("https://examplebucket.s3.amazonaws.com/test.txt"
                   "?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                   "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2F"
                   "aws4_request"
                   "&X-Amz-Date=20130524T000000Z"
                   "&X-Amz-Expires=86400"
                   "&X-Amz-SignedHeaders=host"
                   "&X-Amz-Signature="
                   "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"));
}

void TestSigV4::presignedPutSignsContentType()
{
    const QUrl base(QStringLiteral("http://127.0.0.1:9000/bucket/a%2Bb.png"));
    const QUrl url = presignUrl(
        exampleKey(), "PUT", base, 300, exampleTime(), { { "content-type", "image/png" } });
    const auto query = queryPairs(url);
    QVERIFY(query.contains(
        qMakePair(QByteArray("X-Amz-SignedHeaders"), QByteArray("content-type;host"))));
    // The key's encoded '+' is left alone.
    QCOMPARE(url.path(QUrl::FullyEncoded), QStringLiteral("/bucket/a%2Bb.png"));
    // A different content type makes a different signature.
    const QUrl other = presignUrl(
        exampleKey(), "PUT", base, 300, exampleTime(), { { "content-type", "text/plain" } });
    QVERIFY(url != other);
}

void TestSigV4::encodedKeySurvivesQUrl_data()
{
    QTest::addColumn<QString>("key");
    QTest::addRow("plain") << QStringLiteral("segments/app1/01J.seg");
    QTest::addRow("plus and space") << QStringLiteral("a+b c/d=e&f");
    QTest::addRow("percent") << QStringLiteral("100%/x%2By");
    QTest::addRow("utf8") << QStringLiteral("d\u00e9j\u00e0/\u1234.bin");
    QTest::addRow("sub-delims") << QStringLiteral("$!'()*,;:@");
}

void TestSigV4::encodedKeySurvivesQUrl()
{
    // The URL a store sends is built from the encoded key; QUrl must neither decode nor
    // re-encode it, or the path on the wire would differ from the one signed.
    QFETCH(QString, key);
    const QByteArray encoded = "/bucket/" + confab::objectstore::uriEncode(key.toUtf8(), false);
    const QUrl url = QUrl::fromEncoded("http://127.0.0.1:9000" + encoded, QUrl::StrictMode);
    QVERIFY(url.isValid());
    QCOMPARE(url.path(QUrl::FullyEncoded).toLatin1(), encoded);
    QCOMPARE(canonicalUri(url), encoded);
    QCOMPARE(url.path(QUrl::FullyDecoded), QStringLiteral("/bucket/") + key);
}

QTEST_GUILESS_MAIN(TestSigV4)
#include "tst_sigv4.moc"

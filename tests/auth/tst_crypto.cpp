#include "auth/crypto.h"

#include <QTest>

using namespace confab::auth;

class TestCrypto : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sha256_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("hex");
        // FIPS 180-2 examples.
        QTest::addRow("empty") << QByteArray()
                               << QByteArray("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        QTest::addRow("abc") << QByteArray("abc")
                             << QByteArray("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        QTest::addRow("two blocks")
            << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            << QByteArray("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    }

    void sha256()
    {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, hex);
        QCOMPARE(sha256Hex(input), hex);
    }

    void hmac_data()
    {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QByteArray>("hex");
        // RFC 4231 test cases 1, 2 and 6 (key longer than the block).
        QTest::addRow("RFC 4231 case 1") << QByteArray(20, '\x0b') << QByteArray("Hi There")
            << QByteArray("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
        QTest::addRow("RFC 4231 case 2") << QByteArray("Jefe") << QByteArray("what do ya want for nothing?")
            << QByteArray("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        QTest::addRow("RFC 4231 case 6") << QByteArray(131, '\xaa')
            << QByteArray("Test Using Larger Than Block-Size Key - Hash Key First")
            << QByteArray("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
        QTest::addRow("empty key and data") << QByteArray() << QByteArray()
            << QByteArray("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
    }

    void hmac()
    {
        QFETCH(QByteArray, key);
        QFETCH(QByteArray, data);
        QFETCH(QByteArray, hex);
        QCOMPARE(hmacSha256(key, data).toHex(), hex);
    }

    void constantTimeEquals_data()
    {
        QTest::addColumn<QByteArray>("a");
        QTest::addColumn<QByteArray>("b");
        QTest::addColumn<bool>("equal");
        QTest::addRow("same") << QByteArray("secret") << QByteArray("secret") << true;
        QTest::addRow("both empty") << QByteArray() << QByteArray() << true;
        QTest::addRow("last byte differs") << QByteArray("secret") << QByteArray("secreT") << false;
        QTest::addRow("first byte differs") << QByteArray("secret") << QByteArray("Secret") << false;
        QTest::addRow("prefix") << QByteArray("secret") << QByteArray("secre") << false;
        QTest::addRow("one empty") << QByteArray() << QByteArray("x") << false;
        QTest::addRow("embedded NUL") << QByteArray("a\0b", 3) << QByteArray("a\0c", 3) << false;
    }

    void constantTimeEquals()
    {
        QFETCH(QByteArray, a);
        QFETCH(QByteArray, b);
        QFETCH(bool, equal);
        QCOMPARE(confab::auth::constantTimeEquals(a, b), equal);
        QCOMPARE(confab::auth::constantTimeEquals(b, a), equal);
    }

    void base64Url_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QByteArray>("decoded");
        QTest::addRow("empty") << QByteArray() << true << QByteArray();
        QTest::addRow("url alphabet") << QByteArray("-_8") << true << QByteArray("\xfb\xff", 2);
        QTest::addRow("standard alphabet") << QByteArray("+/8") << false << QByteArray();
        QTest::addRow("padding") << QByteArray("YQ==") << false << QByteArray();
        QTest::addRow("space") << QByteArray("YW Jj") << false << QByteArray();
        QTest::addRow("unpadded") << QByteArray("YWJjZA") << true << QByteArray("abcd");
    }

    void base64Url()
    {
        QFETCH(QByteArray, text);
        QFETCH(bool, valid);
        QFETCH(QByteArray, decoded);
        const auto result = base64UrlDecode(text);
        QCOMPARE(result.has_value(), valid);
        if (valid) {
            QCOMPARE(*result, decoded);
            QCOMPARE(base64UrlEncode(decoded), text);
        }
    }
};

QTEST_GUILESS_MAIN(TestCrypto)
#include "tst_crypto.moc"

#include "auth/apikey.h"

#include <QSet>
#include <QTest>

using namespace confab::auth;

class TestApiKey : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void generateFormatParseRoundTrip()
    {
        QSet<QByteArray> seen;
        for (int i = 0; i < 50; ++i) {
            const ApiKeyParts parts = generateApiKey();
            QCOMPARE(parts.keyId.size(), 26);    // a ULID
            QCOMPARE(parts.secret.size(), 43);   // 32 bytes, unpadded base64url
            QVERIFY(!parts.keyId.contains('_'));
            const QByteArray key = formatApiKey(parts);
            QVERIFY(key.startsWith("ck_" + parts.keyId + '_'));
            QVERIFY(confab::auth::looksLikeApiKey(key));
            const auto parsed = parseApiKey(key);
            QVERIFY2(parsed, parsed ? "" : qPrintable(parsed.error().message));
            QCOMPARE(parsed->keyId, parts.keyId);
            QCOMPARE(parsed->secret, parts.secret);
            QVERIFY(!seen.contains(parts.secret));
            seen.insert(parts.secret);
        }
    }

    void secretMayContainUnderscores()
    {
        const QByteArray key("ck_01J0000000000000000000000A_ab_cd-ef_gh_ijklmnopqrstuvwxyz0123456");
        const auto parsed = parseApiKey(key);
        QVERIFY(parsed);
        QCOMPARE(parsed->keyId, QByteArray("01J0000000000000000000000A"));
        QCOMPARE(parsed->secret, QByteArray("ab_cd-ef_gh_ijklmnopqrstuvwxyz0123456"));
    }

    void malformed_data()
    {
        const QByteArray secret("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ");
        QTest::addColumn<QByteArray>("key");
        QTest::addRow("empty") << QByteArray();
        QTest::addRow("JWT") << QByteArray("eyJhbGciOiJSUzI1NiJ9.e30.c2ln");
        QTest::addRow("prefix only") << QByteArray("ck_");
        QTest::addRow("no key id") << "ck__" + secret;
        QTest::addRow("no separator") << "ck_01J" + secret;
        QTest::addRow("empty secret") << QByteArray("ck_01J_");
        QTest::addRow("short secret") << QByteArray("ck_01J_abc");
        QTest::addRow("long secret") << "ck_01J_" + QByteArray(129, 'a');
        QTest::addRow("bad key id char") << "ck_01-J_" + secret;
        QTest::addRow("long key id") << "ck_" + QByteArray(65, 'A') + '_' + secret;
        QTest::addRow("padding in secret") << "ck_01J_" + secret + '=';
        QTest::addRow("plus in secret") << "ck_01J_" + secret + '+';
        QTest::addRow("space in secret") << "ck_01J_" + secret + ' ';
        QTest::addRow("upper-case prefix") << "CK_01J_" + secret;
    }

    void malformed()
    {
        QFETCH(QByteArray, key);
        const auto parsed = parseApiKey(key);
        QVERIFY(!parsed);
        QCOMPARE(parsed.error().reason, Failure::Malformed);
        QVERIFY(!parsed.error().message.contains(QString::fromLatin1(key.mid(7))) || key.size() <= 7);
    }

    void looksLikeApiKey_data()
    {
        QTest::addColumn<QByteArray>("credential");
        QTest::addColumn<bool>("expected");
        QTest::addRow("key") << QByteArray("ck_01J_abc") << true;
        QTest::addRow("malformed key") << QByteArray("ck_") << true;
        QTest::addRow("JWT") << QByteArray("eyJhbGciOiJIUzI1NiJ9.e30.x") << false;
        QTest::addRow("empty") << QByteArray() << false;
        QTest::addRow("prefix without underscore") << QByteArray("ckabc") << false;
    }

    void looksLikeApiKey()
    {
        QFETCH(QByteArray, credential);
        QFETCH(bool, expected);
        QCOMPARE(confab::auth::looksLikeApiKey(credential), expected);
    }

    void hashAndMatch()
    {
        const ApiKeyParts parts = generateApiKey();
        const QByteArray stored = hashApiKeySecret(parts.secret);
        QCOMPARE(stored.size(), 64);
        QCOMPARE(stored, stored.toLower());
        QVERIFY(stored != parts.secret);
        QCOMPARE(hashApiKeySecret("abc"),
                 QByteArray("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));

        QVERIFY(apiKeySecretMatches(parts.secret, stored));
        QByteArray other = parts.secret;
        other[0] = other.at(0) == 'a' ? 'b' : 'a';
        QVERIFY(!apiKeySecretMatches(other, stored));
        QVERIFY(!apiKeySecretMatches(parts.secret, stored.left(63)));
        QVERIFY(!apiKeySecretMatches(parts.secret, QByteArray()));
        QVERIFY(!apiKeySecretMatches(QByteArray(), stored));
        // The stored hash is compared as bytes: an upper-cased copy is a different hash.
        QVERIFY(!apiKeySecretMatches(parts.secret, stored.toUpper()));
    }
};

QTEST_GUILESS_MAIN(TestApiKey)
#include "tst_apikey.moc"

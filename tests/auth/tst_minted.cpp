#include "auth/crypto.h"
#include "auth/jwt.h"
#include "auth/minted.h"

#include <QJsonDocument>
#include <QTest>

using namespace confab::auth;

namespace {

const qint64 kNow = 1'700'000'000'000; // a whole second, so exp is exact
const QByteArray kSecret("app-secret-0123456789abcdef0123456789");

QByteArray b64Json(const QJsonObject &o)
{
    return base64UrlEncode(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

// A token signed exactly as Confab signs, with chosen header and claims.
QByteArray hs256(const QJsonObject &header, const QJsonObject &claims, QByteArrayView secret)
{
    const QByteArray input = b64Json(header) + '.' + b64Json(claims);
    return input + '.' + base64UrlEncode(hmacSha256(secret, input));
}

QJsonObject validClaims()
{
    return {{QStringLiteral("iss"), QStringLiteral("confab")},
            {QStringLiteral("app_id"), QStringLiteral("a1")},
            {QStringLiteral("sub"), QStringLiteral("u1")},
            {QStringLiteral("exp"), kNow / 1000 + 60}};
}

Jwt parsed(const QByteArray &token)
{
    auto jwt = parseJwt(token);
    if (!jwt)
        qFatal("test token refused: %s", qPrintable(jwt.error().message));
    return *jwt;
}

} // namespace

class TestMinted : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip()
    {
        // GIVEN a token minted for user u1 of app a1, valid one hour
        const QByteArray token = mintUserToken(QStringLiteral("a1"), QStringLiteral("u1|google"), 3600,
                                               kSecret, kNow + 400);
        const Jwt jwt = parsed(token);
        QCOMPARE(jwt.alg(), QStringLiteral("HS256"));
        QCOMPARE(jwt.issuer(), QLatin1String(kMintedIssuer));
        // THEN it verifies with the app's secret
        const auto claims = verifyMintedToken(jwt, kSecret, kNow + 1000);
        QVERIFY2(claims, claims ? "" : qPrintable(claims.error().message));
        QCOMPARE(claims->appId, QStringLiteral("a1"));
        QCOMPARE(claims->userId, QStringLiteral("u1|google"));
        QCOMPARE(claims->expiresMs, kNow + 3600 * 1000);
    }

    void peekReadsWithoutSecret()
    {
        const Jwt jwt = parsed(mintUserToken(QStringLiteral("a1"), QStringLiteral("u1"), 60, kSecret, kNow));
        const auto peek = peekMintedToken(jwt);
        QVERIFY(peek);
        QCOMPARE(peek->appId, QStringLiteral("a1"));
        QCOMPARE(peek->userId, QStringLiteral("u1"));
        QCOMPARE(peek->expiresMs, kNow + 60'000);
    }

    void peekRefusesIncompleteClaims_data()
    {
        QTest::addColumn<QString>("drop");
        QTest::addRow("app_id") << QStringLiteral("app_id");
        QTest::addRow("sub") << QStringLiteral("sub");
        QTest::addRow("exp") << QStringLiteral("exp");
    }

    void peekRefusesIncompleteClaims()
    {
        QFETCH(QString, drop);
        QJsonObject claims = validClaims();
        claims.remove(drop);
        const QByteArray token = hs256({{QStringLiteral("alg"), QStringLiteral("HS256")}}, claims, kSecret);
        const auto peek = peekMintedToken(parsed(token));
        QVERIFY(!peek);
        QCOMPARE(peek.error().reason, Failure::Malformed);
        QCOMPARE(verifyMintedToken(parsed(token), kSecret, kNow).error().reason, Failure::Malformed);
    }

    void refused_data()
    {
        const QJsonObject hs{{QStringLiteral("alg"), QStringLiteral("HS256")}};
        QJsonObject otherIssuer = validClaims();
        otherIssuer.insert(QStringLiteral("iss"), QStringLiteral("https://idp.example"));
        QJsonObject tamperedSub = validClaims();
        tamperedSub.insert(QStringLiteral("sub"), QStringLiteral("admin"));
        const QByteArray good = hs256(hs, validClaims(), kSecret);
        const QByteArray signature = good.mid(good.lastIndexOf('.') + 1);

        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<QByteArray>("secret");
        QTest::addColumn<qint64>("now");
        QTest::addColumn<int>("reason");
        QTest::addRow("wrong secret") << good << QByteArray("another-secret") << kNow
                                      << int(Failure::BadSignature);
        QTest::addRow("empty secret") << hs256(hs, validClaims(), QByteArray()) << QByteArray() << kNow
                                      << int(Failure::BadSignature);
        QTest::addRow("tampered sub")
            << b64Json(hs) + '.' + b64Json(tamperedSub) + '.' + signature << kSecret << kNow
            << int(Failure::BadSignature);
        QTest::addRow("expired at exp") << good << kSecret << kNow + 60'000 << int(Failure::Expired);
        QTest::addRow("expired later") << good << kSecret << kNow + 3'600'000 << int(Failure::Expired);
        QTest::addRow("other issuer") << hs256(hs, otherIssuer, kSecret) << kSecret << kNow
                                      << int(Failure::WrongIssuer);
        QTest::addRow("RS256 header with HMAC signature")
            << hs256({{QStringLiteral("alg"), QStringLiteral("RS256")}}, validClaims(), kSecret) << kSecret
            << kNow << int(Failure::UnsupportedAlgorithm);
        QTest::addRow("alg none")
            << b64Json({{QStringLiteral("alg"), QStringLiteral("none")}}) + '.' + b64Json(validClaims()) + '.'
            << kSecret << kNow << int(Failure::UnsupportedAlgorithm);
    }

    void refused()
    {
        QFETCH(QByteArray, token);
        QFETCH(QByteArray, secret);
        QFETCH(qint64, now);
        QFETCH(int, reason);

        const auto result = verifyMintedToken(parsed(token), secret, now);
        QVERIFY(!result);
        QCOMPARE(int(result.error().reason), reason);
    }

    void lastMillisecondBeforeExpiryAccepted()
    {
        const Jwt jwt = parsed(mintUserToken(QStringLiteral("a1"), QStringLiteral("u1"), 60, kSecret, kNow));
        QVERIFY(verifyMintedToken(jwt, kSecret, kNow + 59'999));
    }

    void rfcHs256ExampleSignatureVerifies()
    {
        // GIVEN RFC 7515 A.1 (HS256) and its key: the signature must verify, so the refusal is
        // for its issuer ("joe"), not its signature; with another key it is the signature.
        const QByteArray token =
            "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQog"
            "Imh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        const QByteArray key = *base64UrlDecode(
            "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow");
        QCOMPARE(verifyMintedToken(parsed(token), key, 0).error().reason, Failure::WrongIssuer);
        QCOMPARE(verifyMintedToken(parsed(token), key.left(63), 0).error().reason, Failure::BadSignature);
    }
};

QTEST_GUILESS_MAIN(TestMinted)
#include "tst_minted.moc"

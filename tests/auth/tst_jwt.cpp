#include "auth/crypto.h"
#include "auth/jwt.h"
#include "auth/oidcprovider.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace confab::auth;

namespace {

// RFC 7515 Appendix A.2 (RS256) and A.3 (ES256): the published public JWKs and JWSs.
const char kRfcPayload[] =
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
const char kRfcRsaN[] =
    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4Q"
    "lL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBY"
    "UsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNm"
    "oudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
const char kRfcRsaSig[] =
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5j"
    "ujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07"
    "Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUT"
    "I8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
const char kRfcEcX[] = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
const char kRfcEcY[] = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
const char kRfcEcSig[] =
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
// RFC 7515 A.1 (HS256), which must be refused for OIDC.
const char kRfcHs256Token[] =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6"
    "Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

QJsonObject rfcRsaJwk()
{
    return {{QStringLiteral("kty"), QStringLiteral("RSA")},
            {QStringLiteral("n"), QLatin1String(kRfcRsaN)},
            {QStringLiteral("e"), QStringLiteral("AQAB")}};
}

QJsonObject rfcEcJwk()
{
    return {{QStringLiteral("kty"), QStringLiteral("EC")},
            {QStringLiteral("crv"), QStringLiteral("P-256")},
            {QStringLiteral("x"), QLatin1String(kRfcEcX)},
            {QStringLiteral("y"), QLatin1String(kRfcEcY)}};
}

QByteArray rfcRsaToken()
{
    return QByteArray("eyJhbGciOiJSUzI1NiJ9.") + kRfcPayload + '.' + kRfcRsaSig;
}

QByteArray rfcEcToken()
{
    return QByteArray("eyJhbGciOiJFUzI1NiJ9.") + kRfcPayload + '.' + kRfcEcSig;
}

QByteArray b64Json(const QJsonObject &o)
{
    return base64UrlEncode(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

PublicKey keyOf(const QJsonObject &jwk)
{
    auto key = PublicKey::fromJwk(jwk);
    if (!key)
        qFatal("test JWK refused: %s", qPrintable(key.error().message));
    return *key;
}

Jwt parsed(const QByteArray &token)
{
    auto jwt = parseJwt(token);
    if (!jwt)
        qFatal("test token refused: %s", qPrintable(jwt.error().message));
    return *jwt;
}

} // namespace

class TestJwt : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_provider.start());
        m_rsaKid = m_provider.addRsaKey();
        m_ecKid = m_provider.addEcKey();
    }

    void rfcExamplesVerify_data()
    {
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<QJsonObject>("jwk");
        QTest::addColumn<QString>("alg");
        QTest::addRow("A.2 RS256") << rfcRsaToken() << rfcRsaJwk() << QStringLiteral("RS256");
        QTest::addRow("A.3 ES256") << rfcEcToken() << rfcEcJwk() << QStringLiteral("ES256");
    }

    void rfcExamplesVerify()
    {
        QFETCH(QByteArray, token);
        QFETCH(QJsonObject, jwk);
        QFETCH(QString, alg);

        const Jwt jwt = parsed(token);
        QCOMPARE(jwt.alg(), alg);
        QCOMPARE(jwt.issuer(), QStringLiteral("joe"));
        QCOMPARE(jwt.claims.value(QLatin1String("exp")).toInteger(), 1300819380);
        QVERIFY(jwt.claims.value(QLatin1String("http://example.com/is_root")).toBool());
        const auto ok = verifySignature(jwt, keyOf(jwk));
        QVERIFY2(ok, ok ? "" : qPrintable(ok.error().message));
    }

    void tamperedTokensFail_data()
    {
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<QJsonObject>("jwk");
        QTest::addColumn<bool>("inSignature");
        QTest::addColumn<int>("byte");
        QTest::addRow("RS256 signature first byte") << rfcRsaToken() << rfcRsaJwk() << true << 0;
        QTest::addRow("RS256 signature last byte") << rfcRsaToken() << rfcRsaJwk() << true << 255;
        QTest::addRow("RS256 payload") << rfcRsaToken() << rfcRsaJwk() << false << 30;
        QTest::addRow("ES256 signature r") << rfcEcToken() << rfcEcJwk() << true << 5;
        QTest::addRow("ES256 signature s") << rfcEcToken() << rfcEcJwk() << true << 40;
        QTest::addRow("ES256 payload") << rfcEcToken() << rfcEcJwk() << false << 30;
    }

    void tamperedTokensFail()
    {
        QFETCH(QByteArray, token);
        QFETCH(QJsonObject, jwk);
        QFETCH(bool, inSignature);
        QFETCH(int, byte);

        Jwt jwt = parsed(token);
        QByteArray &target = inSignature ? jwt.signature : jwt.signingInput;
        QVERIFY(byte < target.size());
        target[byte] = char(target.at(byte) ^ 0x01);
        const auto result = verifySignature(jwt, keyOf(jwk));
        QVERIFY(!result);
        QCOMPARE(result.error().reason, Failure::BadSignature);
    }

    void truncatedOrExtendedSignatureFails_data()
    {
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<QJsonObject>("jwk");
        QTest::addColumn<int>("delta");
        QTest::addRow("RS256 truncated") << rfcRsaToken() << rfcRsaJwk() << -1;
        QTest::addRow("RS256 extended") << rfcRsaToken() << rfcRsaJwk() << 1;
        QTest::addRow("ES256 truncated") << rfcEcToken() << rfcEcJwk() << -1;
        QTest::addRow("ES256 extended") << rfcEcToken() << rfcEcJwk() << 1;
        QTest::addRow("ES256 empty") << rfcEcToken() << rfcEcJwk() << -64;
    }

    void truncatedOrExtendedSignatureFails()
    {
        QFETCH(QByteArray, token);
        QFETCH(QJsonObject, jwk);
        QFETCH(int, delta);

        Jwt jwt = parsed(token);
        if (delta < 0)
            jwt.signature.chop(-delta);
        else
            jwt.signature.append(QByteArray(delta, '\0'));
        const auto result = verifySignature(jwt, keyOf(jwk));
        QVERIFY(!result);
        QCOMPARE(result.error().reason, Failure::BadSignature);
    }

    void wrongKeyFails_data()
    {
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<QJsonObject>("jwk");
        QTest::addRow("RS256 with another RSA key") << rfcRsaToken() << m_provider.publicJwk(m_rsaKid);
        QTest::addRow("ES256 with another P-256 key") << rfcEcToken() << m_provider.publicJwk(m_ecKid);
        QTest::addRow("RS256 with an EC key") << rfcRsaToken() << rfcEcJwk();
        QTest::addRow("ES256 with an RSA key") << rfcEcToken() << rfcRsaJwk();
    }

    void wrongKeyFails()
    {
        QFETCH(QByteArray, token);
        QFETCH(QJsonObject, jwk);

        const auto result = verifySignature(parsed(token), keyOf(jwk));
        QVERIFY(!result);
        QCOMPARE(result.error().reason, Failure::BadSignature);
    }

    void jwkAlgorithmMustMatch()
    {
        // GIVEN the RFC RSA key published with "alg": "PS256"
        QJsonObject jwk = rfcRsaJwk();
        jwk.insert(QStringLiteral("alg"), QStringLiteral("PS256"));
        // THEN an RS256 token, though correctly signed, is not accepted with it
        const auto result = verifySignature(parsed(rfcRsaToken()), keyOf(jwk));
        QVERIFY(!result);
        QCOMPARE(result.error().reason, Failure::BadSignature);
    }

    void refusedAlgorithms_data()
    {
        QTest::addColumn<QByteArray>("token");
        QTest::addRow("none, empty signature")
            << QByteArray("eyJhbGciOiJub25lIn0.") + kRfcPayload + '.';
        QTest::addRow("none, RSA signature")
            << QByteArray("eyJhbGciOiJub25lIn0.") + kRfcPayload + '.' + kRfcRsaSig;
        QTest::addRow("HS256 (RFC A.1)") << QByteArray(kRfcHs256Token);
        QTest::addRow("RS384")
            << b64Json({{QStringLiteral("alg"), QStringLiteral("RS384")}}) + '.' + kRfcPayload + '.'
                + kRfcRsaSig;
        QTest::addRow("lower-case rs256")
            << b64Json({{QStringLiteral("alg"), QStringLiteral("rs256")}}) + '.' + kRfcPayload + '.'
                + kRfcRsaSig;
    }

    void refusedAlgorithms()
    {
        QFETCH(QByteArray, token);

        const auto result = verifySignature(parsed(token), keyOf(rfcRsaJwk()));
        QVERIFY(!result);
        QCOMPARE(result.error().reason, Failure::UnsupportedAlgorithm);
    }

    void malformedTokens_data()
    {
        const QByteArray header("eyJhbGciOiJSUzI1NiJ9");
        const QByteArray sig(kRfcRsaSig);
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<int>("reason");
        QTest::addRow("empty") << QByteArray() << int(Failure::Missing);
        QTest::addRow("two parts") << header + '.' + kRfcPayload << int(Failure::Malformed);
        QTest::addRow("four parts") << rfcRsaToken() + ".x" << int(Failure::Malformed);
        QTest::addRow("bad base64 in header") << "eyJhbGciOi*SUzI1NiJ9." + QByteArray(kRfcPayload) + '.' + sig
                                              << int(Failure::Malformed);
        QTest::addRow("standard base64 in signature")
            << header + '.' + kRfcPayload + '.' + QByteArray(sig).replace('-', '+')
            << int(Failure::Malformed);
        QTest::addRow("padded header") << header + "=." + kRfcPayload + '.' + kRfcRsaSig
                                       << int(Failure::Malformed);
        QTest::addRow("header not JSON") << base64UrlEncode("hello") + '.' + kRfcPayload + '.' + kRfcRsaSig
                                         << int(Failure::Malformed);
        QTest::addRow("header a JSON array")
            << base64UrlEncode("[\"RS256\"]") + '.' + kRfcPayload + '.' + kRfcRsaSig
            << int(Failure::Malformed);
        QTest::addRow("payload not JSON") << header + '.' + base64UrlEncode("{\"iss\":") + '.' + kRfcRsaSig
                                          << int(Failure::Malformed);
        QTest::addRow("header without alg")
            << b64Json({{QStringLiteral("typ"), QStringLiteral("JWT")}}) + '.' + kRfcPayload + '.'
                + kRfcRsaSig
            << int(Failure::Malformed);
        QTest::addRow("header with crit")
            << b64Json({{QStringLiteral("alg"), QStringLiteral("RS256")},
                        {QStringLiteral("crit"), QJsonArray{QStringLiteral("exp")}}})
                + '.' + kRfcPayload + '.' + kRfcRsaSig
            << int(Failure::Malformed);
        const QByteArray hugeClaims = b64Json(
            {{QStringLiteral("sub"), QString(kMaxJwtSize, QLatin1Char('a'))}});
        QTest::addRow("huge") << header + '.' + hugeClaims + '.' + kRfcRsaSig << int(Failure::Malformed);
    }

    void malformedTokens()
    {
        QFETCH(QByteArray, token);
        QFETCH(int, reason);

        const auto result = parseJwt(token);
        QVERIFY(!result);
        QCOMPARE(int(result.error().reason), reason);
        QVERIFY(!result.error().message.contains(QLatin1String(kRfcRsaSig)));
    }

    void generatedKeysRoundTrip_data()
    {
        QTest::addColumn<QString>("kid");
        QTest::addColumn<QString>("alg");
        QTest::addRow("RSA 2048") << m_rsaKid << QStringLiteral("RS256");
        QTest::addRow("EC P-256") << m_ecKid << QStringLiteral("ES256");
    }

    void generatedKeysRoundTrip()
    {
        QFETCH(QString, kid);
        QFETCH(QString, alg);

        const QByteArray token = m_provider.sign(kid, {{QStringLiteral("sub"), QStringLiteral("u1")}});
        const Jwt jwt = parsed(token);
        QCOMPARE(jwt.alg(), alg);
        QCOMPARE(jwt.kid(), kid);
        const PublicKey key = keyOf(m_provider.publicJwk(kid));
        QCOMPARE(key.kid(), kid);
        QVERIFY(verifySignature(jwt, key));

        // Copies share the key and outlive the original.
        std::optional<PublicKey> original(key);
        const PublicKey copy = *original;
        PublicKey assigned;
        QVERIFY(assigned.isNull());
        assigned = copy;
        original.reset();
        QVERIFY(verifySignature(jwt, copy));
        QVERIFY(verifySignature(jwt, assigned));
    }

    void nullKeyFails()
    {
        const auto result = verifySignature(parsed(rfcRsaToken()), PublicKey());
        QVERIFY(!result);
        QCOMPARE(result.error().reason, Failure::UnknownKey);
    }

    void pemKeyVerifies()
    {
        // GIVEN the RFC A.3 key as a SubjectPublicKeyInfo: the fixed P-256 prefix, then 04||x||y
        const QByteArray der = QByteArray::fromHex("3059301306072a8648ce3d020106082a8648ce3d030107034200")
            + '\x04' + *base64UrlDecode(kRfcEcX) + *base64UrlDecode(kRfcEcY);
        const QByteArray pem = "-----BEGIN PUBLIC KEY-----\n" + der.toBase64()
            + "\n-----END PUBLIC KEY-----\n";
        const auto key = PublicKey::fromPem(pem, QStringLiteral("k1"));
        QVERIFY(key);
        QCOMPARE(key->kid(), QStringLiteral("k1"));
        QVERIFY(verifySignature(parsed(rfcEcToken()), *key));
        QVERIFY(!PublicKey::fromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"));
    }

    void badJwksRefused_data()
    {
        QTest::addColumn<QJsonObject>("jwk");
        auto with = [](QJsonObject o, const QString &k, const QJsonValue &v) {
            o.insert(k, v);
            return o;
        };
        QTest::addRow("symmetric key") << QJsonObject{{QStringLiteral("kty"), QStringLiteral("oct")},
                                                      {QStringLiteral("k"), QStringLiteral("AyM1")}};
        QTest::addRow("no kty") << QJsonObject{{QStringLiteral("n"), QLatin1String(kRfcRsaN)}};
        QTest::addRow("encryption key") << with(rfcRsaJwk(), QStringLiteral("use"), QStringLiteral("enc"));
        QTest::addRow("RSA without e") << QJsonObject{{QStringLiteral("kty"), QStringLiteral("RSA")},
                                                      {QStringLiteral("n"), QLatin1String(kRfcRsaN)}};
        QTest::addRow("RSA 1024 bits")
            << with(rfcRsaJwk(), QStringLiteral("n"), QString::fromLatin1(base64UrlEncode(
                                                          base64UrlDecode(kRfcRsaN)->left(128))));
        QTest::addRow("RSA n not base64url") << with(rfcRsaJwk(), QStringLiteral("n"), QStringLiteral("a+b/"));
        QTest::addRow("EC P-384") << with(rfcEcJwk(), QStringLiteral("crv"), QStringLiteral("P-384"));
        QTest::addRow("EC short x") << with(rfcEcJwk(), QStringLiteral("x"), QStringLiteral("f83OJ3D2"));
        QByteArray y = *base64UrlDecode(kRfcEcY);
        y[31] = char(y.at(31) ^ 0x01);
        QTest::addRow("EC point off the curve")
            << with(rfcEcJwk(), QStringLiteral("y"), QString::fromLatin1(base64UrlEncode(y)));
    }

    void badJwksRefused()
    {
        QFETCH(QJsonObject, jwk);

        const auto key = PublicKey::fromJwk(jwk);
        QVERIFY(!key);
        QCOMPARE(key.error().reason, Failure::Malformed);
    }

    void claims_data()
    {
        const qint64 now = 1'700'000'000'000;
        const qint64 nowS = now / 1000;
        const QString iss = QStringLiteral("https://idp.example/realms/r");
        const QJsonObject base{{QStringLiteral("iss"), iss},
                               {QStringLiteral("aud"), QStringLiteral("app")},
                               {QStringLiteral("sub"), QStringLiteral("u1")},
                               {QStringLiteral("exp"), nowS + 60}};
        auto with = [&](const QString &k, const QJsonValue &v) {
            QJsonObject o = base;
            o.insert(k, v);
            return o;
        };
        auto without = [&](const QString &k) {
            QJsonObject o = base;
            o.remove(k);
            return o;
        };
        const int ok = -1;
        QTest::addColumn<QJsonObject>("claims");
        QTest::addColumn<qint64>("now");
        QTest::addColumn<int>("expected");
        QTest::addRow("valid") << base << now << ok;
        QTest::addRow("iss differs") << with(QStringLiteral("iss"), iss + QLatin1Char('/')) << now
                                     << int(Failure::WrongIssuer);
        QTest::addRow("iss missing") << without(QStringLiteral("iss")) << now << int(Failure::WrongIssuer);
        QTest::addRow("aud other") << with(QStringLiteral("aud"), QStringLiteral("other")) << now
                                   << int(Failure::WrongAudience);
        QTest::addRow("aud array with ours")
            << with(QStringLiteral("aud"), QJsonArray{QStringLiteral("account"), QStringLiteral("app")})
            << now << ok;
        QTest::addRow("aud array without ours")
            << with(QStringLiteral("aud"), QJsonArray{QStringLiteral("account"), QStringLiteral("x")})
            << now << int(Failure::WrongAudience);
        QJsonObject azp = with(QStringLiteral("aud"), QStringLiteral("account"));
        azp.insert(QStringLiteral("azp"), QStringLiteral("app"));
        QTest::addRow("azp is ours") << azp << now << ok;
        azp.insert(QStringLiteral("azp"), QStringLiteral("other"));
        QTest::addRow("azp other") << azp << now << int(Failure::WrongAudience);
        QTest::addRow("aud missing") << without(QStringLiteral("aud")) << now << int(Failure::WrongAudience);
        QTest::addRow("expired") << base << now + 61'000 + 30'000 << int(Failure::Expired);
        QTest::addRow("expired at leeway edge") << base << now + 60'000 + 30'000 << int(Failure::Expired);
        QTest::addRow("expired within leeway") << base << now + 60'000 + 29'999 << ok;
        QTest::addRow("exp missing") << without(QStringLiteral("exp")) << now << int(Failure::Malformed);
        QTest::addRow("exp a string") << with(QStringLiteral("exp"), QString::number(nowS + 60)) << now
                                      << int(Failure::Malformed);
        QTest::addRow("exp fractional") << with(QStringLiteral("exp"), double(nowS) + 0.5) << now << ok;
        QTest::addRow("nbf past") << with(QStringLiteral("nbf"), nowS - 10) << now << ok;
        QTest::addRow("nbf future within leeway") << with(QStringLiteral("nbf"), nowS + 30) << now << ok;
        QTest::addRow("nbf future beyond leeway") << with(QStringLiteral("nbf"), nowS + 31) << now
                                                  << int(Failure::NotYetValid);
        QTest::addRow("nbf a string") << with(QStringLiteral("nbf"), QStringLiteral("soon")) << now
                                      << int(Failure::Malformed);
        QTest::addRow("sub missing") << without(QStringLiteral("sub")) << now << int(Failure::Malformed);
        QTest::addRow("sub empty") << with(QStringLiteral("sub"), QString()) << now << int(Failure::Malformed);
        QTest::addRow("sub a number") << with(QStringLiteral("sub"), 42) << now << int(Failure::Malformed);
    }

    void claims()
    {
        QFETCH(QJsonObject, claims);
        QFETCH(qint64, now);
        QFETCH(int, expected);

        const ClaimPolicy policy{QStringLiteral("https://idp.example/realms/r"), QStringLiteral("app"), now};
        const auto result = checkClaims(claims, policy);
        if (expected < 0) {
            QVERIFY2(result, result ? "" : qPrintable(result.error().message));
        } else {
            QVERIFY(!result);
            QCOMPARE(int(result.error().reason), expected);
        }
    }

    void failureReasonsAreStable()
    {
        QCOMPARE(failureReason(Failure::BadSignature), QByteArrayLiteral("bad_signature"));
        QCOMPARE(failureReason(Failure::JwksUnavailable), QByteArrayLiteral("jwks_unavailable"));
        QCOMPARE(failureReason(Failure::UnknownCredential), QByteArrayLiteral("unknown_credential"));
        QCOMPARE(failureReason(Failure::NotYetValid), QByteArrayLiteral("not_yet_valid"));
    }

private:
    confab::test::OidcProvider m_provider;
    QString m_rsaKid;
    QString m_ecKid;
};

QTEST_GUILESS_MAIN(TestJwt)
#include "tst_jwt.moc"

// Confab-Signature (PROTOCOL.md section 9): HMAC-SHA256 over "<t>.<raw body>", fixed vectors
// computed independently (Python's hmac module).
#include "webhooks/signature.h"

#include <QTest>

using namespace confab::webhooks;

class tst_Signature : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fixedVector()
    {
        const QByteArray body = R"({"id":"evt_1","type":"member.added"})";
        QCOMPARE(signV1("whsec_test", 1732240000000, body),
                 QByteArray("b69e33eed3e3bfcb059556625e25228323a3cb7bc283077188825cd39532bfcb"));
    }

    void headerCarriesOneV1PerSecretCurrentFirst()
    {
        const QByteArray body = R"({"id":"evt_1","type":"member.added"})";
        QCOMPARE(signatureHeader({"whsec_test"}, 1732240000000, body),
                 QByteArray("t=1732240000000,v1=b69e33eed3e3bfcb059556625e25228323a3cb7bc283077188825cd39532bfcb"));
        QCOMPARE(signatureHeader({"whsec_test", "old"}, 1732240000000, body),
                 QByteArray("t=1732240000000,v1=b69e33eed3e3bfcb059556625e25228323a3cb7bc283077188825cd39532bfcb"
                            ",v1=4ade54e3b8007ddfa396914d622c8bb0c853c3d3067e910fd84dfe3854f1951a"));
    }

    void anyChangeChangesTheSignature()
    {
        const QByteArray body = R"({"id":"evt_1"})";
        const QByteArray base = signV1("s", 1, body);
        QVERIFY(signV1("s", 2, body) != base);
        QVERIFY(signV1("t", 1, body) != base);
        QVERIFY(signV1("s", 1, R"({"id":"evt_2"})") != base);
    }

    void secretsAreFreshAndPrefixed()
    {
        const QByteArray a = newSecret();
        const QByteArray b = newSecret();
        QVERIFY(a.startsWith("whsec_"));
        QCOMPARE(a.size(), 6 + 43); // 32 bytes, unpadded base64url
        QVERIFY(a != b);
    }
};

QTEST_GUILESS_MAIN(tst_Signature)
#include "tst_signature.moc"

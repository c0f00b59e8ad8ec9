// admin::Operator's pure parts: the operator name written to the audit log, the close codes an
// operator may pick, the presence member layout the user lookup reads, and the token
// fingerprint (the integration test tst_adminops covers the actions on two nodes).
#include "admin/operator.h"
#include "auth/crypto.h"
#include "schema/keys.h"

#include <QTest>

using namespace confab;
using namespace confab::admin;

class TestOperator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void operatorNames()
    {
        QCOMPARE(Operator::cleanOperatorName(QString()), QStringLiteral("unnamed"));
        QCOMPARE(Operator::cleanOperatorName(QStringLiteral("  ")), QStringLiteral("unnamed"));
        QCOMPARE(Operator::cleanOperatorName(QStringLiteral("olga")), QStringLiteral("olga"));
        // No line breaks or control characters reach a log line; at most 64 characters.
        QCOMPARE(Operator::cleanOperatorName(QStringLiteral("ol\nga\x1b[31m")), QStringLiteral("olga[31m"));
        QCOMPARE(Operator::cleanOperatorName(QString(100, QLatin1Char('x'))).size(), 64);
    }

    void closeCodes()
    {
        for (int code : { 4009, 4001, 4003 })
            QVERIFY(Operator::isOperatorCloseCode(code));
        for (int code : { 1000, 1001, 4000, 4008, 4029, 4999 })
            QVERIFY(!Operator::isOperatorCloseCode(code));
    }

    void presenceMember()
    {
        QCOMPARE(schema::keys::presenceMember("01M8V4S46YDE7GPVHZYCMPJFXZ", 1796207317229, QStringLiteral("node 1")),
                 QByteArray("01M8V4S46YDE7GPVHZYCMPJFXZ 1796207317229 node 1"));
    }

    void fingerprint()
    {
        const Operator op(OperatorDeps {}, "admin-secret");
        QCOMPARE(op.tokenFingerprint(), auth::sha256Hex("admin-secret").left(16));
        QVERIFY(!op.tokenFingerprint().contains("admin-secret"));
    }
};

QTEST_APPLESS_MAIN(TestOperator)
#include "tst_operator.moc"

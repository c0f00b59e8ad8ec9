// ini::setValue edits a config in place for `confabd setup-local`: the operator's comments and
// order survive, and the edited text parses to the value that was set.
#include "confab/config.h"
#include "confab/inifile.h"

#include <QTest>

using namespace confab;

class tst_IniFile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void setValue_data()
    {
        QTest::addColumn<QByteArray>("before");
        QTest::addColumn<QByteArray>("after");

        QTest::addRow("active key is rewritten")
            << QByteArray("; mine\n[admin]\ntoken = old ; note\n[redis]\nurl = redis://r:1/0\n")
            << QByteArray("; mine\n[admin]\ntoken = NEW\n[redis]\nurl = redis://r:1/0\n");
        QTest::addRow("commented default is replaced")
            << QByteArray("[admin]\n; the admin token\n;token =\n")
            << QByteArray("[admin]\n; the admin token\ntoken = NEW\n");
        QTest::addRow("commented with a space")
            << QByteArray("[admin]\n; token = \n") << QByteArray("[admin]\ntoken = NEW\n");
        QTest::addRow("same key in another section untouched")
            << QByteArray("[s3]\n;token = x\n[admin]\n")
            << QByteArray("[s3]\n;token = x\n[admin]\ntoken = NEW\n");
        QTest::addRow("prose mentioning the key is not a key line")
            << QByteArray("[admin]\n; token = the bearer token, see docs\n;token =\n")
            << QByteArray("[admin]\n; token = the bearer token, see docs\ntoken = NEW\n");
        QTest::addRow("every active duplicate is rewritten (the last one would win)") << QByteArray(
            "[admin]\ntoken = a\ntoken = b\n") << QByteArray("[admin]\ntoken = NEW\ntoken = NEW\n");
        QTest::addRow("section header case and spaces")
            << QByteArray("[ Admin ]\nTOKEN = a\n") << QByteArray("[ Admin ]\ntoken = NEW\n");
        QTest::addRow("missing section is appended")
            << QByteArray("[server]\nlisten = 0.0.0.0:1\n")
            << QByteArray("[server]\nlisten = 0.0.0.0:1\n\n[admin]\ntoken = NEW\n");
        QTest::addRow("empty file") << QByteArray() << QByteArray("[admin]\ntoken = NEW\n");
    }

    void setValue()
    {
        QFETCH(QByteArray, before);
        QFETCH(QByteArray, after);
        const QByteArray edited = ini::setValue(
            before, QStringLiteral("admin"), QStringLiteral("token"), QStringLiteral("NEW"));
        QCOMPARE(edited, after);
        const auto parsed = Config::parse(edited, QProcessEnvironment());
        QVERIFY2(parsed, parsed ? "" : qPrintable(parsed.error().message));
        QCOMPARE(parsed->admin.token, QStringLiteral("NEW"));
    }

    void valueWithHashSurvives()
    {
        const QByteArray edited = ini::setValue("[postgres]\n;url =\n", QStringLiteral("postgres"),
            QStringLiteral("url"),
            QStringLiteral("postgresql://confab:a-b_c@127.0.0.1:5432/confab"));
        const auto parsed = Config::parse(edited, QProcessEnvironment());
        QVERIFY(parsed);
        QCOMPARE(parsed->postgres.url,
            QStringLiteral("postgresql://confab:a-b_c@127.0.0.1:5432/confab"));
    }

    void stripComment()
    {
        QCOMPARE(ini::stripComment(QStringLiteral("a = b ; c")), QStringLiteral("a = b "));
        QCOMPARE(ini::stripComment(QStringLiteral("; all")), QString());
        QCOMPARE(ini::stripComment(QStringLiteral("u = http://h/#frag")),
            QStringLiteral("u = http://h/#frag"));
    }
};

QTEST_GUILESS_MAIN(tst_IniFile)
#include "tst_inifile.moc"

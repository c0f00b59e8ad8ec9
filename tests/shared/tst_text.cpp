// Text is refused, never converted lossily: UTF-8 validation (RFC 3629 and the Unicode
// Standard's table 3-7) and the user-id property that two distinct inputs never store as one.
#include "confab/ids.h"
#include "confab/text.h"

#include <QHash>
#include <QRandomGenerator>
#include <QTest>

using namespace confab;

class TestText : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void utf8_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("valid");
        QTest::addRow("empty") << QByteArray() << true;
        QTest::addRow("ascii") << QByteArray("bob") << true;
        QTest::addRow("2-byte") << QByteArray("caf\xc3\xa9") << true;
        QTest::addRow("3-byte") << QByteArray("\xe2\x82\xac") << true;
        QTest::addRow("4-byte emoji") << QByteArray("\xf0\x9f\x98\x80") << true;
        QTest::addRow("U+10FFFF") << QByteArray("\xf4\x8f\xbf\xbf") << true;
        QTest::addRow("U+FFFD itself") << QByteArray("\xef\xbf\xbd") << true;
        QTest::addRow("lone continuation") << QByteArray("\x80") << false;
        QTest::addRow("overlong slash C0") << QByteArray("\xc0\xaf") << false;
        QTest::addRow("overlong E0") << QByteArray("\xe0\x80\xaf") << false;
        QTest::addRow("overlong F0") << QByteArray("\xf0\x80\x80\xaf") << false;
        QTest::addRow("surrogate D800") << QByteArray("\xed\xa0\x80") << false;
        QTest::addRow("surrogate DC00") << QByteArray("bob\xed\xb0\x80") << false;
        QTest::addRow("above U+10FFFF") << QByteArray("\xf4\x90\x80\x80") << false;
        QTest::addRow("F5 lead") << QByteArray("\xf5\x80\x80\x80") << false;
        QTest::addRow("truncated 2-byte") << QByteArray("a\xc3") << false;
        QTest::addRow("truncated 4-byte") << QByteArray("\xf0\x9f\x98") << false;
        QTest::addRow("bad continuation") << QByteArray("\xe2\x28\xa1") << false;
        QTest::addRow("FF") << QByteArray("\xff") << false;
    }

    void utf8()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(bool, valid);
        QCOMPARE(isValidUtf8(bytes), valid);
        // Agrees with Qt's own decoder wherever that one is lossless.
        if (valid)
            QCOMPARE(QString::fromUtf8(bytes).toUtf8(), bytes);
    }

    void strictConversion()
    {
        // GIVEN "bob" followed by an unpaired low surrogate, as QJsonDocument decodes "bob\udc00"
        const QString lone = QStringLiteral("bob") + QChar(0xdc00);
        // THEN Qt's own conversion is lossy, ours refuses
        QCOMPARE(lone.toUtf8(), QByteArray("bob?"));
        QVERIFY(!toUtf8Strict(lone).has_value());
        QVERIFY(!isValidUserId(QStringView(lone)));
        QVERIFY(!isValidUserId(QStringView(QString(QChar(0xd800)))));
        const QString pair = QString::fromUtf8("\xf0\x9f\x98\x80");
        QCOMPARE(*toUtf8Strict(pair), QByteArray("\xf0\x9f\x98\x80"));
        QVERIFY(isValidUserId(QStringView(pair)));
        QVERIFY(!isStorableText(QStringView(QStringLiteral("a") + QChar(0) + QStringLiteral("b"))));
        QVERIFY(!isStorableText(QByteArrayView("a\0b", 3)));
        QVERIFY(isStorableText(QByteArrayView("bob?")));
    }

    // Property: over many random UTF-16 strings built from an alphabet rich in the characters
    // that used to collide ('?', U+FFFD, lone and paired surrogates), every pair of distinct
    // accepted user ids stays distinct once converted to the bytes that are stored.
    void noTwoAcceptedIdsCollide()
    {
        const char16_t alphabet[] = {u'b', u'o', u'?', 0xfffd, 0xd800, 0xdc00, 0xd83d, 0xde00, u'|', 0xe9};
        QRandomGenerator rng(20261202);
        QHash<QByteArray, QString> stored;
        int accepted = 0;
        for (int i = 0; i < 200000; ++i) {
            QString s;
            const int len = 1 + int(rng.bounded(5));
            for (int k = 0; k < len; ++k)
                s.append(QChar(alphabet[rng.bounded(int(std::size(alphabet)))]));
            if (!isValidUserId(QStringView(s)))
                continue;
            ++accepted;
            const QByteArray bytes = *toUtf8Strict(s);
            QVERIFY(isValidUserId(QByteArrayView(bytes)));
            const auto it = stored.constFind(bytes);
            if (it != stored.cend())
                QCOMPARE(*it, s); // the same bytes only ever come from the same text
            stored.insert(bytes, s);
        }
        QVERIFY(accepted > 1000);
        QVERIFY(stored.size() > 1000);
    }
};

QTEST_APPLESS_MAIN(TestText)
#include "tst_text.moc"

#include "confab/ids.h"
#include "confab/jsonwriter.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTest>

#include <limits>

using namespace confab;

class TestJsonWriter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void nested()
    {
        JsonWriter w;
        w.beginObject()
            .field("type", "message.ack")
            .field("seq_no", qint64(42))
            .field("duplicate", false)
            .key("list").beginArray().value(1).value(2).beginObject().endObject().endArray()
            .rawField("content", R"({"text":"hi"})")
            .key("none").null()
            .endObject();
        QCOMPARE(w.bytes(), QByteArray(R"({"type":"message.ack","seq_no":42,"duplicate":false,"list":[1,2,{}],"content":{"text":"hi"},"none":null})"));
    }

    void escaping()
    {
        JsonWriter w;
        const QByteArray nasty("q\"b\\s\n\r\t\x01\x1f\xc3\xa9");
        w.beginObject().field("s", QByteArrayView(nasty)).endObject();
        const auto doc = QJsonDocument::fromJson(w.bytes());
        QVERIFY(doc.isObject());
        QCOMPARE(doc.object().value(QStringLiteral("s")).toString(), QString::fromUtf8(nasty));
    }

    // The exact bytes, escapes and runs between them, appended after what out holds.
    void escapesExactly()
    {
        QByteArray out("x");
        JsonWriter::appendString(out,
            QByteArrayView("ab\"\\\n\r\t\b\f\x01\x1f"
                           "z\xc3\xa9"));
        QCOMPARE(out,
            QByteArray(R"(x"ab\"\\\n\r\t\b\f\u0001\u001fz)"
                       "\xc3\xa9\""));
        out.clear();
        JsonWriter::appendString(out, QByteArrayView());
        QCOMPARE(out, QByteArray(R"("")"));
        const QByteArray plain(300, 'p');
        JsonWriter::appendString(out, plain);
        QCOMPARE(out, QByteArray("\"\"\"") + plain + '"');
    }

    void integers()
    {
        JsonWriter w;
        w.beginArray()
            .value(std::numeric_limits<qint64>::min())
            .value(qint64(0))
            .value(-7)
            .value(std::numeric_limits<qint64>::max())
            .endArray();
        QCOMPARE(w.bytes(), QByteArray("[-9223372036854775808,0,-7,9223372036854775807]"));
    }

    void ulidSortsByTime()
    {
        const QByteArray a = newUlid(1000);
        const QByteArray b = newUlid(2000);
        QCOMPARE(a.size(), 26);
        QVERIFY(a < b);
        QVERIFY(newUlid(1000) != a);
        QCOMPARE(newUlid(0).left(10), QByteArray("0000000000"));
        // The random part comes from a pool refilled every 409 ids: none repeats across refills.
        QSet<QByteArray> seen;
        for (int i = 0; i < 2000; ++i)
            seen.insert(newUlid(1000));
        QCOMPARE(seen.size(), 2000);
    }

    void ids()
    {
        QVERIFY(isValidId("c1"));
        QVERIFY(isValidId("room-1.a_b@x"));
        QVERIFY(!isValidId(""));
        QVERIFY(!isValidId("a{b}"));
        QVERIFY(!isValidId("a b"));
        QVERIFY(!isValidId(QByteArray(129, 'a')));
        QVERIFY(isValidUserId("auth0|1234"));
        QVERIFY(!isValidUserId("a}"));
        QCOMPARE(randomToken(32).size(), 43);
    }
};

QTEST_APPLESS_MAIN(TestJsonWriter)
#include "tst_jsonwriter.moc"

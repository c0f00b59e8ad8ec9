// PartPlan and the upload ids clients carry: the arithmetic of multipart uploads.

#include "objectstore/multipart.h"

#include <QTest>

using namespace confab;
using namespace confab::objectstore;

class TestMultipart : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void plan_data()
    {
        QTest::addColumn<qint64>("size");
        QTest::addColumn<qint64>("configured");
        QTest::addColumn<qint64>("partBytes");
        QTest::addColumn<int>("count");
        QTest::addColumn<qint64>("lastLength");
        QTest::addRow("exact multiple") << qint64(3072) << qint64(1024) << qint64(1024) << 3 << qint64(1024);
        QTest::addRow("short last part") << qint64(2500) << qint64(1024) << qint64(1024) << 3 << qint64(452);
        QTest::addRow("one byte over") << qint64(1025) << qint64(1024) << qint64(1024) << 2 << qint64(1);
        QTest::addRow("default 8 MiB, 100 MiB") << qint64(100) * 1048576 << qint64(8) * 1048576
                                                << qint64(8) * 1048576 << 13 << qint64(4) * 1048576;
        // More than 10000 parts would be needed: the part size grows instead.
        QTest::addRow("grows to 10000 parts") << qint64(20000) * 1024 + 1 << qint64(1024) << qint64(2049)
                                              << 9996 << qint64(20000) * 1024 + 1 - qint64(9995) * 2049;
    }

    void plan()
    {
        QFETCH(qint64, size);
        QFETCH(qint64, configured);
        QFETCH(qint64, partBytes);
        QFETCH(int, count);
        QFETCH(qint64, lastLength);
        const PartPlan p = PartPlan::forSize(size, configured);
        QCOMPARE(p.partBytes, partBytes);
        QCOMPARE(p.count(), count);
        QVERIFY(p.count() <= kMaxParts);
        QCOMPARE(p.length(count), lastLength);
        QCOMPARE(p.length(0), qint64(0));
        QCOMPARE(p.length(count + 1), qint64(0));
        qint64 total = 0;
        for (int n = 1; n <= p.count(); ++n) {
            QCOMPARE(p.offset(n), total);
            total += p.length(n);
        }
        QCOMPARE(total, size);
    }

    void uploadIdRoundTrips()
    {
        const PartPlan plan = PartPlan::forSize(5000, 1024);
        // AWS upload ids hold '.', '-' and '_'; the store id may even hold '~'.
        for (const QString &storeId : { QStringLiteral("0123abcd"), QStringLiteral("VXBs.b2-Fk_SU~Q") }) {
            const QString id = encodeUploadId(storeId, plan);
            const auto decoded = decodeUploadId(id);
            QVERIFY(decoded);
            QCOMPARE(decoded->storeUploadId, storeId);
            QCOMPARE(decoded->plan.size, qint64(5000));
            QCOMPARE(decoded->plan.partBytes, qint64(1024));
        }
    }

    void badUploadIdsAreNotFound_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addRow("empty") << "";
        QTest::addRow("no plan") << "abcdef";
        QTest::addRow("one field") << "abc~5000";
        QTest::addRow("no store id") << "~5000~1024";
        QTest::addRow("negative size") << "abc~-1~1024";
        QTest::addRow("zero part size") << "abc~5000~0";
        QTest::addRow("too many parts") << "abc~10001~1";
        QTest::addRow("not numbers") << "abc~five~1024";
        QTest::addRow("huge") << "abc~999999999999999999~1024";
    }

    void badUploadIdsAreNotFound()
    {
        QFETCH(QString, id);
        const auto decoded = decodeUploadId(id);
        QVERIFY(!decoded);
        QCOMPARE(decoded.error().code, ErrorCode::NotFound);
    }
};

QTEST_GUILESS_MAIN(TestMultipart)
#include "tst_multipart.moc"

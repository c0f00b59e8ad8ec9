// DeliveryRepository against the real PostgreSQL of the `services` fixture: what a coalesced
// message.offline event keeps when its upserts commit out of order.

#include "store/storetest.h"

#include "webhooks/deliveries.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace confab;
using namespace confab::webhooks;
using confab::test::TestEnv;

namespace {

QByteArray envelope(int seqNo)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("message")},
                                     {QStringLiteral("seq_no"), seqNo}})
        .toJson(QJsonDocument::Compact);
}

} // namespace

class tst_DeliveryRepository : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void coalescedEventKeepsTheHighestSeqNosWhateverTheCommitOrder();

private:
    TestEnv m_env;
    std::unique_ptr<store::Database> m_db;
    std::unique_ptr<DeliveryRepository> m_deliveries;
};

void tst_DeliveryRepository::initTestCase()
{
    STORE_MIGRATED_DATABASE(db, m_env, 2);
    m_db = std::move(db);
    m_deliveries = std::make_unique<DeliveryRepository>(m_db.get());
}

void tst_DeliveryRepository::coalescedEventKeepsTheHighestSeqNosWhateverTheCommitOrder()
{
    // GIVEN five messages for two offline members whose upserts commit in this order
    const QStringList users{QStringLiteral("bob"), QStringLiteral("carol")};
    for (int seqNo : {2, 5, 1, 4, 3}) {
        STORE_AWAIT(queued, m_deliveries->enqueueOffline(QStringLiteral("app1"), QStringLiteral("c1"), users,
                                                         envelope(seqNo), 0));
        STORE_VERIFY(queued);
    }

    // WHEN the events are claimed
    STORE_AWAIT(claimed, m_deliveries->claim(QStringLiteral("node"), 10, 10, {}, 60000));
    STORE_VERIFY(claimed);

    // THEN each member has one event counting 5 and holding seq_no 3, 4, 5, oldest first
    QCOMPARE(claimed->size(), 2);
    for (const Delivery &d : *claimed) {
        QVERIFY(users.contains(d.userId));
        const QJsonObject data = QJsonDocument::fromJson(d.data).object();
        QCOMPARE(data.value(QLatin1String("count")).toInt(), 5);
        QList<int> kept;
        for (const QJsonValue &m : data.value(QLatin1String("messages")).toArray())
            kept.append(m.toObject().value(QLatin1String("seq_no")).toInt());
        QCOMPARE(kept, (QList<int>{3, 4, 5}));
    }
}

QTEST_GUILESS_MAIN(tst_DeliveryRepository)
#include "tst_deliveryrepository.moc"

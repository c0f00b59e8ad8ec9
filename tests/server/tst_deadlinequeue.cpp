#include "gateway/deadlines.h"

#include <QTest>

using confab::gateway::DeadlineQueue;

namespace {
struct Item {
    int id = 0;
};
} // namespace

class TestDeadlineQueue : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void takesOnlyWhatIsDueEarliestFirst()
    {
        // GIVEN 10,000 items due at 1..10000 ms
        std::vector<Item> items(10000);
        DeadlineQueue<Item> q;
        for (int i = 0; i < 10000; ++i) {
            items[size_t(i)].id = i;
            q.set(&items[size_t(i)], 10000 - i);
        }
        // WHEN a tick at 3 ms takes the due ones
        const QList<Item *> due = q.takeDue(3);
        // THEN exactly the three due, earliest first, and they are no longer queued
        QCOMPARE(due.size(), 3);
        QCOMPARE(due[0]->id, 9999);
        QCOMPARE(due[1]->id, 9998);
        QCOMPARE(due[2]->id, 9997);
        QCOMPARE(q.size(), 9997);
        QCOMPARE(q.dueOf(&items[9999]), 0);
        QVERIFY(q.takeDue(3).isEmpty());
    }

    void movingAndRemoving()
    {
        Item a{1}, b{2};
        DeadlineQueue<Item> q;
        q.set(&a, 100);
        q.set(&b, 200);
        // WHEN a's deadline moves later (an expiry extended) THEN it is taken only then, once
        q.set(&a, 300);
        QCOMPARE(q.size(), 2);
        QCOMPARE(q.dueOf(&a), 300);
        QCOMPARE(q.takeDue(250), QList<Item *>{&b});
        // WHEN moved earlier (a key revoked with a grace) THEN sooner
        q.set(&a, 260);
        QCOMPARE(q.takeDue(260), QList<Item *>{&a});
        // 0 or less means no deadline
        q.set(&a, 50);
        q.set(&a, 0);
        QCOMPARE(q.size(), 0);
        q.set(&b, -1);
        QCOMPARE(q.size(), 0);
        q.set(&b, 10);
        q.remove(&b);
        q.remove(&b);
        QVERIFY(q.takeDue(1000).isEmpty());
    }

    void equalDeadlinesAllTaken()
    {
        Item a{1}, b{2}, c{3};
        DeadlineQueue<Item> q;
        q.set(&a, 5);
        q.set(&b, 5);
        q.set(&c, 5);
        q.set(&b, 5); // unchanged
        QCOMPARE(q.takeDue(4).size(), 0);
        QCOMPARE(q.takeDue(5).size(), 3);
    }
};

QTEST_GUILESS_MAIN(TestDeadlineQueue)
#include "tst_deadlinequeue.moc"

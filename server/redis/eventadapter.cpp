#include "redis/eventadapter_p.h"

#include <QSocketNotifier>

#include <hiredis/async.h>

namespace confab::redis::detail
{

namespace
{

// The adapter state hiredis hands back to the event hooks (ev.data).
struct Watch {
    QSocketNotifier *read = nullptr;
    QSocketNotifier *write = nullptr;
    std::function<bool()> deferWrite;
};

void addRead(void *p)
{
    static_cast<Watch *>(p)->read->setEnabled(true);
}
void delRead(void *p)
{
    static_cast<Watch *>(p)->read->setEnabled(false);
}
void addWrite(void *p)
{
    auto *w = static_cast<Watch *>(p);
    if (!w->deferWrite())
        w->write->setEnabled(true);
}
void delWrite(void *p)
{
    static_cast<Watch *>(p)->write->setEnabled(false);
}

void cleanup(void *p)
{
    auto *w = static_cast<Watch *>(p);
    // We may be inside one of these notifiers' activated(): delete them from the event loop.
    for (QSocketNotifier *n : { w->read, w->write }) {
        n->setEnabled(false);
        n->deleteLater();
    }
    delete w;
}

} // namespace

void attachToEventLoop(redisAsyncContext *ac, QObject *owner, std::function<void()> onReadable,
    std::function<void()> onWritable, std::function<bool()> deferWrite)
{
    auto *w = new Watch;
    w->deferWrite = std::move(deferWrite);
    w->read = new QSocketNotifier(ac->c.fd, QSocketNotifier::Read, owner);
    w->write = new QSocketNotifier(ac->c.fd, QSocketNotifier::Write, owner);
    w->read->setEnabled(false);
    w->write->setEnabled(false);
    QObject::connect(w->read, &QSocketNotifier::activated, owner, std::move(onReadable));
    QObject::connect(w->write, &QSocketNotifier::activated, owner, std::move(onWritable));
    ac->ev.data = w;
    ac->ev.addRead = &addRead;
    ac->ev.delRead = &delRead;
    ac->ev.addWrite = &addWrite;
    ac->ev.delWrite = &delWrite;
    ac->ev.cleanup = &cleanup;
}

void detachFromEventLoop(redisAsyncContext *ac)
{
    if (ac->ev.data) {
        cleanup(ac->ev.data);
        ac->ev.data = nullptr;
    }
    ac->ev.addRead = nullptr;
    ac->ev.delRead = nullptr;
    ac->ev.addWrite = nullptr;
    ac->ev.delWrite = nullptr;
    ac->ev.cleanup = nullptr;
}

} // namespace confab::redis::detail

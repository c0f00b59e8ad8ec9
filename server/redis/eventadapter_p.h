#pragma once

// Internal to confab_redis: hiredis's async API driven by the Qt event loop. hiredis asks for
// read and write readiness through ac->ev; these hooks answer with two QSocketNotifiers, so no
// hiredis call ever blocks the loop. Not installed, not for use outside server/redis.

#include <QObject>

#include <functional>

struct redisAsyncContext;

namespace confab::redis::detail
{

// Gives ac's socket a read and a write notifier, children of owner, both off until hiredis
// asks for them; onReadable / onWritable run when they fire (in owner's thread). When hiredis
// asks to write, deferWrite runs first: true if it has arranged the write itself (the write
// notifier stays off), false to wait for the socket to be writable.
void attachToEventLoop(redisAsyncContext *ac, QObject *owner, std::function<void()> onReadable,
    std::function<void()> onWritable, std::function<bool()> deferWrite);

// Undoes attachToEventLoop: hiredis no longer reaches the notifiers, which go away from the
// event loop (this may run inside one of their activated() signals).
void detachFromEventLoop(redisAsyncContext *ac);

} // namespace confab::redis::detail

#pragma once

#include "redis/script.h"

namespace confab::messaging {

// The Lua scripts that make each state change atomic in Redis (docs/redis.md).
struct Scripts {
    // accepting one message: recovered check, dedupe, the user's and the app's token buckets,
    // INCR + XADD + SET idempotency key + PUBLISH + pending mark.
    redis::Script accept;
    // raise a delivery/read watermark (never lower, never past last_seq) and broadcast it.
    redis::Script watermark;
    // count a new connection of a user in a fixed 10 s window.
    redis::Script connectionRate;
    // add a session to a user's presence set; publish "online" when it is the first.
    redis::Script presenceUp;
    // remove a session; publish "offline" and record last_seen when it was the last.
    redis::Script presenceDown;

    Scripts();
};

} // namespace confab::messaging

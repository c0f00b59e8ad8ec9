#pragma once

// Internal to the gateway: what session.cpp (lifecycle, pushes, timers) and
// sessionrequests.cpp (the client's requests) and sessionephemeral.cpp (typing, presence) share.

#include "confab/jsonwriter.h"

#include <QByteArray>
#include <QDateTime>

#include <functional>

namespace confab::gateway::detail {

inline qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// A presence.update frame up to its last_seen_ms value, which the caller appends with '}'.
inline QByteArray presenceHead(QByteArrayView user, bool online)
{
    JsonWriter w;
    w.beginObject()
        .field("type", "presence.update")
        .field("user_id", user)
        .field("status", online ? "online" : "offline")
        .key("last_seen_ms");
    return w.take();
}

// Ends a request coroutine: the session may be deleted once its last request finished.
struct BusyGuard {
    std::function<void()> done;
    ~BusyGuard() { done(); }
};

} // namespace confab::gateway::detail

#pragma once

#include "confab/config.h"
#include "confab/expected.h"
#include "redis/keyslot.h"
#include "redis/value.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <array>
#include <optional>

// The pure pieces of Redis Cluster routing, kept apart from the sockets so they are tested on
// replies and argument lists alone: which master owns which slot (CLUSTER SLOTS), what a
// MOVED/ASK error says, and which slot a command's keys are on.
namespace confab::redis::cluster
{

[[nodiscard]] QString nodeName(const HostPort &node); // "host:port"

// Slot -> master, from CLUSTER SLOTS. Masters are numbered in the order they were first seen;
// a slot nobody serves (a cluster still being set up, a failed master) has no owner.
class SlotMap
{
public:
    SlotMap();
    // The reply to CLUSTER SLOTS: [[start, end, [host, port, id...], replicas...]...]. An empty
    // host (a node that does not know its own address) is replaced by seedHost.
    [[nodiscard]] static Expected<SlotMap> fromClusterSlots(
        const Value &reply, const QString &seedHost);

    [[nodiscard]] const QList<HostPort> &masters() const { return m_masters; }
    // Index into masters(), or -1.
    [[nodiscard]] int ownerOf(int slot) const { return m_owner[size_t(slot)]; }
    [[nodiscard]] bool coversAllSlots() const;
    // A MOVED reply: slot now belongs to node (added to masters() if new); its index.
    int setOwner(int slot, const HostPort &node);
    [[nodiscard]] int indexOf(const HostPort &node) const;

private:
    QList<HostPort> m_masters;
    std::array<qint16, kSlotCount> m_owner;
};

// "MOVED 3999 127.0.0.1:6381" / "ASK 3999 127.0.0.1:6381", as Redis sends them (an optional
// "redis: " prefix, our Error's, is skipped).
struct Redirect {
    enum class Kind { Moved, Ask };
    Kind kind = Kind::Moved;
    int slot = 0;
    HostPort node;
    [[nodiscard]] static std::optional<Redirect> parse(QStringView error);
};

// Where a command goes: a slot, anywhere (keyless), every master (SCRIPT FLUSH...), or nowhere
// because its keys are on different slots.
struct Route {
    enum class Kind { Slot, Any, All, CrossSlot };
    Kind kind = Kind::Any;
    int slot = -1;
};
[[nodiscard]] Route routeOf(const QList<QByteArray> &args);

// An error reply's kind, for the retry logic.
[[nodiscard]] bool isTryAgain(QStringView error);
[[nodiscard]] bool isClusterDown(QStringView error);

} // namespace confab::redis::cluster

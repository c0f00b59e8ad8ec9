#pragma once

#include "confab/config.h"
#include "redis/value.h"

#include <QByteArrayView>
#include <QString>

#include <optional>

// Redis Sentinel's replies and events, parsed (docs/redis.md, "Sentinel"). Pure functions: the
// Connection asks a Sentinel for the master and follows +switch-master with them.
namespace confab::redis::sentinel
{

// The channel Sentinel publishes a finished failover on.
inline constexpr char kSwitchMasterChannel[] = "+switch-master";

// SENTINEL get-master-addr-by-name <name> answers ["host", "port"], or nil when the Sentinel
// does not monitor that name. Nothing for nil, an error or a malformed reply.
[[nodiscard]] std::optional<HostPort> parseMasterAddr(const Value &reply);

// "+switch-master" payload: "<master name> <old ip> <old port> <new ip> <new port>".
struct SwitchMaster {
    QString masterName;
    HostPort from;
    HostPort to;
};
[[nodiscard]] std::optional<SwitchMaster> parseSwitchMaster(QByteArrayView payload);

// ROLE answers ["master", offset, replicas] on a master, ["slave", ...] on a replica.
[[nodiscard]] bool isMasterRole(const Value &reply);

// A -READONLY error: the server we write to is a replica now (the master moved).
[[nodiscard]] bool isReadOnlyError(const QString &message);

} // namespace confab::redis::sentinel

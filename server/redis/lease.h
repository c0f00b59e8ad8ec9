#pragma once

// A lease in Redis: a key set with SET NX PX to a random token by the node that holds it.
// Only the holder may renew or release it; a holder that dies loses it when the TTL runs out.
// Used by the flush worker (per app) and the retention worker (one per deployment).
namespace confab::redis::lease {

// KEYS: lease key. ARGV: token, ttl ms. 1 if renewed, 0 if the lease is someone else's.
inline constexpr char kRenew[] = R"LUA(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
)LUA";

// KEYS: lease key. ARGV: token. 1 if released, 0 if it was someone else's (or gone).
inline constexpr char kRelease[] = R"LUA(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)LUA";

} // namespace confab::redis::lease

#pragma once
// The names of confab's Redis module commands, for the module and for confabd
// (messaging::Scripts, the flush worker's scripts).
// A name is its contract: a change to the arguments, the reply or the writes of the script a
// command stands for gets a new name, so a confabd never calls a module that answers another
// contract (Client::evalScript runs the Lua script when Redis does not know the name).

namespace confab::redismodule
{

inline constexpr char kAcceptCommand[] = "confab.accept"; // messaging/scripts.cpp, kAccept
inline constexpr char kPresenceUpCommand[] = "confab.presence_up"; // kPresenceUp
inline constexpr char kPresenceDownCommand[] = "confab.presence_down"; // kPresenceDown
inline constexpr char kReadTailCommand[] = "confab.read_tail"; // flushworker.cpp, kReadTail
inline constexpr char kClearPendingCommand[] = "confab.clear_pending"; // pendingslots.cpp

} // namespace confab::redismodule

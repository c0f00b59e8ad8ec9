#pragma once

#include <QByteArray>

namespace confab::redis
{

// A Lua script. Client::evalScript sends EVALSHA and falls back to EVAL (which also caches the
// script on the server) when Redis answers NOSCRIPT, e.g. after a restart or SCRIPT FLUSH.
// A script may name a module command that does the same in native code, with the same keys,
// arguments and reply (confab's Redis module, server/redismodule): evalScript calls that where
// Redis has it and [redis] module allows it, and the script where it does not.
class Script
{
public:
    explicit Script(QByteArray source, QByteArray moduleCommand = {});

    [[nodiscard]] const QByteArray &source() const { return m_source; }
    [[nodiscard]] const QByteArray &sha1() const { return m_sha1; } // lower-case hex
    [[nodiscard]] const QByteArray &moduleCommand() const { return m_moduleCommand; } // or empty

private:
    QByteArray m_source;
    QByteArray m_sha1;
    QByteArray m_moduleCommand;
};

} // namespace confab::redis

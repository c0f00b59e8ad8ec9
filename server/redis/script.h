#pragma once

#include <QByteArray>

namespace confab::redis
{

// A Lua script. Client::evalScript sends EVALSHA and falls back to EVAL (which also caches the
// script on the server) when Redis answers NOSCRIPT, e.g. after a restart or SCRIPT FLUSH.
class Script
{
public:
    explicit Script(QByteArray source);

    [[nodiscard]] const QByteArray &source() const { return m_source; }
    [[nodiscard]] const QByteArray &sha1() const { return m_sha1; } // lower-case hex

private:
    QByteArray m_source;
    QByteArray m_sha1;
};

} // namespace confab::redis

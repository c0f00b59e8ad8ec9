#include "gateway/typingrelay.h"

namespace confab::gateway {

TypingRelay::TypingRelay(qint64 intervalMs, qint64 expiryMs, Publish publish)
    : m_intervalMs(intervalMs), m_expiryMs(expiryMs), m_publish(std::move(publish))
{
}

QByteArray TypingRelay::keyOf(const QString &appId, const QByteArray &userId, const QByteArray &convoId)
{
    // Ids never hold a newline (isValidId, isValidUserId), so the key is unambiguous.
    return appId.toUtf8() + '\n' + userId + '\n' + convoId;
}

void TypingRelay::start(const QString &appId, const QByteArray &userId, const QByteArray &convoId, qint64 nowMs)
{
    const QByteArray key = keyOf(appId, userId, convoId);
    auto it = m_entries.find(key);
    if (it == m_entries.end())
        it = m_entries.insert(key, Entry{appId, userId, convoId, 0, 0, false});
    else if (nowMs - it->lastStartMs < m_intervalMs) {
        // Coalesced into the start relayed less than an interval ago; a user still typing
        // keeps it from expiring here.
        if (it->typing)
            it->expiresMs = nowMs + m_expiryMs;
        return;
    }
    it->typing = true;
    it->lastStartMs = nowMs;
    it->expiresMs = nowMs + m_expiryMs;
    m_publish(appId, convoId, userId, true);
}

void TypingRelay::stop(const QString &appId, const QByteArray &userId, const QByteArray &convoId, qint64)
{
    const auto it = m_entries.find(keyOf(appId, userId, convoId));
    if (it == m_entries.end() || !it->typing)
        return; // the peers were never told of a start: nothing to end
    it->typing = false;
    m_publish(appId, convoId, userId, false);
}

void TypingRelay::sweep(qint64 nowMs)
{
    if (m_entries.isEmpty())
        return; // begin() on a non-const QHash would detach it
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        if (it->typing && it->expiresMs <= nowMs) {
            it->typing = false;
            m_publish(it->appId, it->convoId, it->userId, false);
        }
        if (!it->typing && nowMs - it->lastStartMs >= m_intervalMs)
            it = m_entries.erase(it);
        else
            ++it;
    }
}

} // namespace confab::gateway

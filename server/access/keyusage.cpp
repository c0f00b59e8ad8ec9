#include "access/keyusage.h"

#include "redis/client.h"
#include "schema/keys.h"

#include <QDateTime>

namespace confab::access {

KeyUsageRecorder::KeyUsageRecorder(redis::Client *redis, QObject *parent) : QObject(parent), m_redis(redis) { }

void KeyUsageRecorder::noteUse(const QString &keyId)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const auto it = m_lastWritten.constFind(keyId);
    if (it != m_lastWritten.cend() && now - it.value() < kIntervalMs)
        return;
    if (m_lastWritten.size() >= kMaxTracked) {
        // Entries past the interval no longer throttle anything.
        m_lastWritten.removeIf([now](const QHash<QString, qint64>::iterator &e) { return now - e.value() >= kIntervalMs; });
        if (m_lastWritten.size() >= kMaxTracked)
            return; // that many keys in one minute: skip rather than grow
    }
    m_lastWritten.insert(keyId, now);
    m_redis->command(schema::keys::cmd("HSET", schema::keys::keyLastUsed(), keyId.toUtf8(), QByteArray::number(now)), this,
                     [](redis::Reply) {});
}

} // namespace confab::access

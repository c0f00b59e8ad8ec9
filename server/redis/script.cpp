#include "redis/script.h"

#include <QCryptographicHash>

namespace confab::redis
{

Script::Script(QByteArray source, QByteArray moduleCommand)
    : m_source(std::move(source))
    , m_sha1(QCryptographicHash::hash(m_source, QCryptographicHash::Sha1).toHex())
    , m_moduleCommand(std::move(moduleCommand))
{
}

} // namespace confab::redis

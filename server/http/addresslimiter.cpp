#include "http/addresslimiter.h"

#include <QAbstractSocket>

namespace confab::http {

AddressLimiter::AddressLimiter(int maxPerAddress, const QStringList &exemptSubnets, QObject *parent)
    : QObject(parent), m_max(maxPerAddress)
{
    for (const QString &subnet : exemptSubnets) {
        QString text = subnet.trimmed();
        if (!text.contains(u'/')) {
            const QHostAddress bare(text);
            text += bare.protocol() == QAbstractSocket::IPv6Protocol ? QStringLiteral("/128") : QStringLiteral("/32");
        }
        const QPair<QHostAddress, int> parsed = QHostAddress::parseSubnet(text);
        if (!parsed.first.isNull())
            m_exempt.append(parsed);
    }
}

QByteArray AddressLimiter::keyOf(const QHostAddress &peer)
{
    bool isV4 = false;
    const quint32 v4 = peer.toIPv4Address(&isV4); // IPv4-mapped IPv6 too
    if (isV4) {
        const char bytes[4] = {char(v4 >> 24), char(v4 >> 16), char(v4 >> 8), char(v4)};
        return QByteArray(bytes, 4);
    }
    const Q_IPV6ADDR v6 = peer.toIPv6Address();
    return QByteArray(reinterpret_cast<const char *>(v6.c), 8);
}

bool AddressLimiter::isExempt(const QHostAddress &peer) const
{
    bool isV4 = false;
    const quint32 v4 = peer.toIPv4Address(&isV4);
    const QHostAddress address = isV4 ? QHostAddress(v4) : peer;
    for (const auto &subnet : m_exempt) {
        if (address.isInSubnet(subnet))
            return true;
    }
    return false;
}

int AddressLimiter::count(const QHostAddress &peer) const
{
    return m_counts.value(keyOf(peer));
}

bool AddressLimiter::admit(QAbstractSocket *socket)
{
    const QHostAddress peer = socket->peerAddress();
    if (m_max <= 0 || isExempt(peer))
        return true;
    const QByteArray key = keyOf(peer);
    int &n = m_counts[key];
    if (n >= m_max)
        return false;
    ++n;
    // The limiter as context: the count outlives the HTTP connection's own bookkeeping, which
    // the WebSocket hand-over disconnects.
    connect(socket, &QObject::destroyed, this, [this, key] {
        const auto it = m_counts.find(key);
        if (it != m_counts.end() && --it.value() <= 0)
            m_counts.erase(it);
    });
    return true;
}

} // namespace confab::http

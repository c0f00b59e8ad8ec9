#pragma once

#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QStringList>

class QAbstractSocket;

namespace confab::http {

// Open connections per client address ([limits] max_conns_per_ip, docs/security.md). IPv4
// addresses count one by one, IPv6 ones by their /64 (one host is usually given a whole /64).
// Sockets from an exempt subnet (a TLS proxy in front, loopback) are not counted.
class AddressLimiter : public QObject
{
    Q_OBJECT
public:
    // maxPerAddress 0: no limit. Subnets are "address/prefix" or a bare address; ones that do
    // not parse are ignored (the config check refuses them before).
    AddressLimiter(int maxPerAddress, const QStringList &exemptSubnets, QObject *parent = nullptr);

    // Counts socket against its peer's address until the socket is destroyed (through a
    // WebSocket upgrade too); false, counting nothing, when that address is at its limit.
    [[nodiscard]] bool admit(QAbstractSocket *socket);
    [[nodiscard]] int count(const QHostAddress &peer) const;
    [[nodiscard]] bool isExempt(const QHostAddress &peer) const;

    // The key an address counts under: 4 bytes of IPv4 (IPv4-mapped IPv6 included) or the
    // first 8 bytes of IPv6.
    [[nodiscard]] static QByteArray keyOf(const QHostAddress &peer);

private:
    int m_max;
    QList<QPair<QHostAddress, int>> m_exempt;
    QHash<QByteArray, int> m_counts;
};

} // namespace confab::http

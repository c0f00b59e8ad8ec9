#include "redis/sentinel.h"

namespace confab::redis::sentinel
{

namespace
{

std::optional<quint16> parsePort(QByteArrayView text)
{
    bool ok = false;
    const uint port = QByteArray(text.data(), text.size()).toUInt(&ok);
    if (!ok || port == 0 || port > 65535)
        return std::nullopt;
    return quint16(port);
}

} // namespace

std::optional<HostPort> parseMasterAddr(const Value &reply)
{
    if (reply.type != Value::Type::Array || reply.elements.size() != 2)
        return std::nullopt;
    const Value &host = reply.elements.at(0);
    const Value &port = reply.elements.at(1);
    if (host.type != Value::Type::String || host.str.isEmpty() || port.type != Value::Type::String)
        return std::nullopt;
    const auto p = parsePort(port.str);
    if (!p)
        return std::nullopt;
    return HostPort { QString::fromUtf8(host.str), *p };
}

std::optional<SwitchMaster> parseSwitchMaster(QByteArrayView payload)
{
    const QList<QByteArray> parts = QByteArray(payload.data(), payload.size()).split(' ');
    if (parts.size() != 5)
        return std::nullopt;
    for (const QByteArray &p : parts)
        if (p.isEmpty())
            return std::nullopt;
    const auto fromPort = parsePort(parts.at(2));
    const auto toPort = parsePort(parts.at(4));
    if (!fromPort || !toPort)
        return std::nullopt;
    return SwitchMaster { QString::fromUtf8(parts.at(0)),
        HostPort { QString::fromUtf8(parts.at(1)), *fromPort },
        HostPort { QString::fromUtf8(parts.at(3)), *toPort } };
}

bool isMasterRole(const Value &reply)
{
    return reply.type == Value::Type::Array && !reply.elements.isEmpty()
        && reply.elements.at(0).str == "master";
}

bool isReadOnlyError(const QString &message)
{
    // Reply errors reach callers as "redis: <message>" (reply.cpp).
    return message.startsWith(QLatin1String("redis: READONLY"))
        || message.startsWith(QLatin1String("READONLY"));
}

} // namespace confab::redis::sentinel

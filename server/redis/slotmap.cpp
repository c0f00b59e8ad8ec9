#include "redis/slotmap.h"

#include <algorithm>

namespace confab::redis::cluster
{

QString nodeName(const HostPort &node)
{
    return QStringLiteral("%1:%2").arg(node.host).arg(node.port);
}

SlotMap::SlotMap()
{
    m_owner.fill(-1);
}

Expected<SlotMap> SlotMap::fromClusterSlots(const Value &reply, const QString &seedHost)
{
    const auto bad = [](const QString &why) {
        return Error::internal(QStringLiteral("parsing CLUSTER SLOTS: %1").arg(why));
    };
    if (reply.type != Value::Type::Array)
        return bad(QStringLiteral("not an array"));
    SlotMap map;
    for (const Value &range : reply.elements) {
        if (range.type != Value::Type::Array || range.elements.size() < 3)
            return bad(QStringLiteral("a range is not [start, end, master...]"));
        const qint64 start = range.elements.at(0).integer;
        const qint64 end = range.elements.at(1).integer;
        if (range.elements.at(0).type != Value::Type::Integer
            || range.elements.at(1).type != Value::Type::Integer || start < 0 || end < start
            || end >= kSlotCount)
            return bad(QStringLiteral("slot range %1-%2 is not valid").arg(start).arg(end));
        const Value &master = range.elements.at(2);
        if (master.type != Value::Type::Array || master.elements.size() < 2
            || master.elements.at(1).type != Value::Type::Integer
            || master.elements.at(1).integer <= 0 || master.elements.at(1).integer > 65535)
            return bad(
                QStringLiteral("the master of %1-%2 has no host and port").arg(start).arg(end));
        HostPort node;
        node.host = QString::fromUtf8(master.elements.at(0).str);
        if (node.host.isEmpty() || node.host == QLatin1String("?"))
            node.host = seedHost;
        node.port = quint16(master.elements.at(1).integer);
        int index = map.indexOf(node);
        if (index < 0) {
            map.m_masters.append(node);
            index = int(map.m_masters.size() - 1);
        }
        for (qint64 s = start; s <= end; ++s)
            map.m_owner[size_t(s)] = qint16(index);
    }
    if (map.m_masters.isEmpty())
        return bad(QStringLiteral("no slot is served (is the cluster created?)"));
    return map;
}

bool SlotMap::coversAllSlots() const
{
    return std::all_of(m_owner.begin(), m_owner.end(), [](qint16 o) { return o >= 0; });
}

int SlotMap::indexOf(const HostPort &node) const
{
    for (qsizetype i = 0; i < m_masters.size(); ++i)
        if (m_masters.at(i).port == node.port && m_masters.at(i).host == node.host)
            return int(i);
    return -1;
}

int SlotMap::setOwner(int slot, const HostPort &node)
{
    int index = indexOf(node);
    if (index < 0) {
        m_masters.append(node);
        index = int(m_masters.size() - 1);
    }
    m_owner[size_t(slot)] = qint16(index);
    return index;
}

std::optional<Redirect> Redirect::parse(QStringView error)
{
    if (error.startsWith(u"redis: "))
        error = error.mid(7);
    Redirect r;
    if (error.startsWith(u"MOVED "))
        r.kind = Kind::Moved;
    else if (error.startsWith(u"ASK "))
        r.kind = Kind::Ask;
    else
        return std::nullopt;
    const auto parts = error.split(u' ', Qt::SkipEmptyParts);
    if (parts.size() != 3)
        return std::nullopt;
    bool ok = false;
    r.slot = parts.at(1).toInt(&ok);
    if (!ok || r.slot < 0 || r.slot >= kSlotCount)
        return std::nullopt;
    const QStringView address = parts.at(2);
    const qsizetype colon = address.lastIndexOf(u':');
    if (colon <= 0)
        return std::nullopt;
    const int port = address.mid(colon + 1).toInt(&ok);
    if (!ok || port <= 0 || port > 65535)
        return std::nullopt;
    QStringView host = address.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    r.node = { host.toString(), quint16(port) };
    return r;
}

namespace
{

bool isVerb(const QByteArray &arg, const char *verb)
{
    return arg.compare(verb, Qt::CaseInsensitive) == 0;
}

// One slot for all of keys [first, end) every step, or CrossSlot.
Route slotOfKeys(const QList<QByteArray> &args, qsizetype first, qsizetype end, qsizetype step)
{
    Route route { Route::Kind::Any, -1 };
    for (qsizetype i = first; i < end && i < args.size(); i += step) {
        const int slot = keySlot(args.at(i));
        if (route.slot >= 0 && slot != route.slot)
            return { Route::Kind::CrossSlot, -1 };
        route = { Route::Kind::Slot, slot };
    }
    return route;
}

} // namespace

Route routeOf(const QList<QByteArray> &args)
{
    if (args.isEmpty())
        return {};
    const QByteArray &verb = args.constFirst();
    if (isVerb(verb, "EVAL") || isVerb(verb, "EVALSHA") || isVerb(verb, "EVAL_RO")
        || isVerb(verb, "EVALSHA_RO") || isVerb(verb, "FCALL")) {
        const qsizetype numKeys = args.size() > 2 ? args.at(2).toLongLong() : 0;
        return numKeys > 0 ? slotOfKeys(args, 3, 3 + numKeys, 1) : Route {};
    }
    // confab's module commands (server/redismodule) take EVAL's keys without the script.
    if (verb.size() > 7 && qstrnicmp(verb.constData(), "confab.", 7) == 0) {
        const qsizetype numKeys = args.size() > 1 ? args.at(1).toLongLong() : 0;
        return numKeys > 0 ? slotOfKeys(args, 2, 2 + numKeys, 1) : Route {};
    }
    if (isVerb(verb, "DEL") || isVerb(verb, "UNLINK") || isVerb(verb, "EXISTS")
        || isVerb(verb, "MGET") || isVerb(verb, "TOUCH") || isVerb(verb, "WATCH")
        || isVerb(verb, "SINTER") || isVerb(verb, "SUNION") || isVerb(verb, "SDIFF"))
        return slotOfKeys(args, 1, args.size(), 1);
    if (isVerb(verb, "MSET") || isVerb(verb, "MSETNX"))
        return slotOfKeys(args, 1, args.size(), 2);
    // PING is the readiness check (/readyz): the cluster is up when every master answers.
    if (isVerb(verb, "SCRIPT") || isVerb(verb, "FLUSHALL") || isVerb(verb, "FLUSHDB")
        || isVerb(verb, "PING"))
        return { Route::Kind::All, -1 };
    if (isVerb(verb, "INFO") || isVerb(verb, "TIME") || isVerb(verb, "ECHO")
        || isVerb(verb, "DBSIZE") || isVerb(verb, "CLUSTER") || isVerb(verb, "CLIENT")
        || isVerb(verb, "CONFIG") || isVerb(verb, "COMMAND") || isVerb(verb, "ASKING")
        || args.size() < 2)
        return {};
    // SPUBLISH stays on its channel's slot. The cluster bus carries a PUBLISH to every node, but
    // its answer counts only the receiving node's subscribers: a deployment-wide channel is
    // published on, and subscribed at, the master of its name's slot, so that count (an operator
    // action's nodes_reached) covers every node.
    return { Route::Kind::Slot, keySlot(args.at(1)) };
}

bool isTryAgain(QStringView error)
{
    return error.startsWith(u"redis: TRYAGAIN") || error.startsWith(u"TRYAGAIN");
}

bool isClusterDown(QStringView error)
{
    return error.startsWith(u"redis: CLUSTERDOWN") || error.startsWith(u"CLUSTERDOWN");
}

} // namespace confab::redis::cluster

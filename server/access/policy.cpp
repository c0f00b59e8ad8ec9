#include "access/policy.h"

#include <algorithm>

namespace confab::access {

namespace {
const QLatin1String kCreateGroups("users_create_groups");
const QLatin1String kAddMembers("users_add_members");
const QLatin1String kMaxMembers("max_user_group_members");
} // namespace

Policy Policy::fromJson(const QJsonObject &stored)
{
    Policy p;
    if (const QJsonValue v = stored.value(kCreateGroups); v.isBool())
        p.usersCreateGroups = v.toBool();
    if (const QJsonValue v = stored.value(kAddMembers); v.isBool())
        p.usersAddMembers = v.toBool();
    if (const QJsonValue v = stored.value(kMaxMembers); v.isDouble())
        p.maxUserGroupMembers = std::clamp<qint64>(qint64(v.toDouble()), 2, kMaxGroupMembers);
    return p;
}

QJsonObject Policy::toJson() const
{
    return QJsonObject{{kCreateGroups, usersCreateGroups},
                       {kAddMembers, usersAddMembers},
                       {kMaxMembers, double(maxUserGroupMembers)}};
}

Status Policy::validate(const QJsonObject &o)
{
    for (auto it = o.begin(); it != o.end(); ++it) {
        const QString &key = it.key();
        if (key == kCreateGroups || key == kAddMembers) {
            if (!it.value().isBool())
                return Error::badRequest(QStringLiteral("policy '%1' must be true or false").arg(key));
        } else if (key == kMaxMembers) {
            const double d = it.value().toDouble(-1);
            if (!it.value().isDouble() || d != double(qint64(d)) || d < 2 || d > double(kMaxGroupMembers))
                return Error::badRequest(
                    QStringLiteral("policy '%1' must be an integer 2..%2").arg(key).arg(kMaxGroupMembers));
        } else {
            return Error::badRequest(QStringLiteral("unknown policy '%1'").arg(key));
        }
    }
    return Ok{};
}

} // namespace confab::access

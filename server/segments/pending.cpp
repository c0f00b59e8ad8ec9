#include "segments/pending.h"

namespace confab::segments
{

QByteArray pendingKey()
{
    return QByteArrayLiteral("flush:pending");
}

QByteArray recoveredKey()
{
    return QByteArrayLiteral("confab:recovered");
}

QByteArray pendingMember(const QString &appId, QByteArrayView convoId)
{
    return appId.toUtf8() + '\n' + convoId.toByteArray();
}

bool parsePendingMember(const QByteArray &member, QString *appId, QString *convoId)
{
    const qsizetype nl = member.indexOf('\n');
    if (nl <= 0 || nl + 1 >= member.size())
        return false;
    *appId = QString::fromUtf8(member.left(nl));
    *convoId = QString::fromUtf8(member.mid(nl + 1));
    return true;
}

} // namespace confab::segments

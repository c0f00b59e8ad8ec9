#include "websocket/upgrade.h"

namespace confab::websocket
{

QByteArray Upgrade::bearerToken() const
{
    const QByteArrayView a(authorization);
    if (a.size() < 7 || a.first(7).compare("bearer ", Qt::CaseInsensitive) != 0)
        return {};
    return a.sliced(7).trimmed().toByteArray();
}

QByteArray Upgrade::queryItem(QByteArrayView name) const
{
    const QByteArrayView q(rawQuery);
    qsizetype start = 0;
    while (start <= q.size()) {
        qsizetype end = q.indexOf('&', start);
        if (end < 0)
            end = q.size();
        const QByteArrayView item = q.sliced(start, end - start);
        const qsizetype eq = item.indexOf('=');
        const QByteArrayView key = eq < 0 ? item : item.first(eq);
        if (QByteArray::fromPercentEncoding(key.toByteArray()) == name)
            return eq < 0 ? QByteArray()
                          : QByteArray::fromPercentEncoding(item.sliced(eq + 1).toByteArray());
        start = end + 1;
    }
    return {};
}

QByteArray Upgrade::credential() const
{
    QByteArray c = bearerToken();
    if (c.isEmpty())
        c = queryItem("access_token");
    return c;
}

} // namespace confab::websocket

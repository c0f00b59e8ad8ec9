#include "core/format.h"

#include <QDateTime>
#include <QLocale>

namespace confab::console
{

QString Format::duration(qint64 ms)
{
    const QLocale locale;
    if (ms < 1000)
        return tr("%1 ms").arg(locale.toString(ms));
    if (ms < 60'000)
        return tr("%1 s").arg(locale.toString(double(ms) / 1000.0, 'f', 1));
    const qint64 s = ms / 1000;
    if (s < 3600)
        return tr("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
}

QString Format::milliseconds(double ms)
{
    return tr("%1 ms").arg(QLocale().toString(ms, 'f', 1));
}

QString Format::bytes(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 1);
}

QString Format::rate(double perSecond)
{
    return tr("%1/s").arg(QLocale().toString(perSecond, 'f', 1));
}

QString Format::dateTime(qint64 epochMs)
{
    if (epochMs <= 0)
        return QString();
    return QLocale().toString(
        QDateTime::fromMSecsSinceEpoch(epochMs).toLocalTime(), QLocale::ShortFormat);
}

} // namespace confab::console

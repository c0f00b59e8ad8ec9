#include "confab/duration.h"

#include <limits>

namespace confab {

namespace {
struct Unit {
    const char16_t *suffix;
    qint64 ms;
};
// Longest suffix first so "ms" is not read as "m" + garbage.
constexpr Unit kUnits[] = {
    {u"ms", 1}, {u"s", 1000}, {u"m", 60'000}, {u"h", 3'600'000}, {u"d", 86'400'000},
};
} // namespace

Expected<qint64> parseDuration(QStringView text)
{
    const QStringView t = text.trimmed();
    qsizetype digits = 0;
    while (digits < t.size() && t[digits].isDigit() && t[digits].unicode() < 128)
        ++digits;
    if (digits == 0)
        return Error::badRequest(QStringLiteral("duration '%1' must start with a whole number").arg(t));
    const QStringView suffix = t.mid(digits);
    for (const Unit &u : kUnits) {
        if (suffix != QStringView(u.suffix))
            continue;
        bool ok = false;
        const qint64 n = t.left(digits).toLongLong(&ok);
        if (!ok || n > std::numeric_limits<qint64>::max() / u.ms)
            return Error::badRequest(QStringLiteral("duration '%1' is too large").arg(t));
        return n * u.ms;
    }
    return Error::badRequest(
        QStringLiteral("duration '%1' needs a unit: ms, s, m, h or d").arg(t));
}

QString formatDuration(qint64 ms)
{
    for (auto it = std::rbegin(kUnits); it != std::rend(kUnits); ++it) {
        if (ms != 0 && ms % it->ms == 0)
            return QString::number(ms / it->ms) + QString::fromUtf16(it->suffix);
    }
    return QString::number(ms) + QStringLiteral("ms");
}

} // namespace confab

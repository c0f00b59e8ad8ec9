#pragma once

#include <QCoreApplication>
#include <QString>

namespace confab::console
{

// Human-readable figures in the user's locale and language.
class Format
{
    Q_DECLARE_TR_FUNCTIONS(Format)

public:
    [[nodiscard]] static QString duration(qint64 ms);
    [[nodiscard]] static QString milliseconds(double ms);
    [[nodiscard]] static QString bytes(qint64 bytes);
    [[nodiscard]] static QString rate(double perSecond);
    [[nodiscard]] static QString dateTime(qint64 epochMs);
};

} // namespace confab::console

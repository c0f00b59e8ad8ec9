#pragma once

// An integer's decimal text on the stack, for the paths that write numbers into buffers per
// message (JSON frames, RESP arguments): QByteArray::number allocates for each.

#include <QByteArrayView>
#include <QtGlobal>

#include <charconv>

namespace confab
{

struct Decimal {
    char digits[24];
    qsizetype size;

    explicit Decimal(qint64 n)
        : size(std::to_chars(digits, digits + sizeof digits, n).ptr - digits)
    {
    }

    [[nodiscard]] QByteArrayView view() const { return QByteArrayView(digits, size); }
};

} // namespace confab

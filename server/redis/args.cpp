#include "redis/args.h"

#include "confab/decimal.h"

#include <cstring>

namespace confab::redis
{

namespace
{

// The argument that starts at `at` ("$<length>\r\n"): where its bytes start and how many.
std::pair<qsizetype, qsizetype> argumentAt(const QByteArray &resp, qsizetype at)
{
    const qsizetype lineEnd = resp.indexOf('\r', at);
    const qsizetype length = QByteArrayView(resp).sliced(at + 1, lineEnd - at - 1).toLongLong();
    return { lineEnd + 2, length };
}

} // namespace

Args::Args(std::initializer_list<QByteArrayView> args)
{
    qsizetype bytes = 0;
    for (QByteArrayView a : args)
        bytes += a.size() + 16;
    m_resp.reserve(bytes);
    for (QByteArrayView a : args)
        add(a);
}

Args::Args(const QList<QByteArray> &args)
{
    qsizetype bytes = 0;
    for (const QByteArray &a : args)
        bytes += a.size() + 16;
    m_resp.reserve(bytes);
    for (const QByteArray &a : args)
        add(a);
}

void Args::appendBulk(QByteArray &out, QByteArrayView arg)
{
    const Decimal length(arg.size());
    const qsizetype at = out.size();
    // Growing `out` may move it: `arg` is never bytes of `out` itself.
    Q_ASSERT(out.isEmpty() || arg.data() < out.constData() || arg.data() >= out.constData() + at);
    // One resize and three copies: five append()s were half of this function's time in the
    // day's load (QByteArray::insert's checks on every call).
    out.resize(at + 1 + length.size + 2 + arg.size() + 2);
    char *p = out.data() + at;
    *p++ = '$';
    std::memcpy(p, length.digits, size_t(length.size));
    p += length.size;
    *p++ = '\r';
    *p++ = '\n';
    if (!arg.isEmpty())
        std::memcpy(p, arg.data(), size_t(arg.size()));
    p += arg.size();
    *p++ = '\r';
    *p = '\n';
}

void Args::appendCount(QByteArray &out, qsizetype n)
{
    const Decimal count(n);
    out.append('*').append(count.digits, count.size).append("\r\n", 2);
}

Args &Args::add(QByteArrayView arg)
{
    appendBulk(m_resp, arg);
    ++m_count;
    return *this;
}

Args &Args::addNumber(qint64 n)
{
    const Decimal d(n);
    return add(QByteArrayView(d.digits, d.size));
}

Args &Args::append(const Args &more)
{
    m_resp.append(more.m_resp);
    m_count += more.m_count;
    return *this;
}

QList<QByteArray> Args::toList() const
{
    QList<QByteArray> out;
    out.reserve(m_count);
    for (qsizetype at = 0; at < m_resp.size();) {
        const auto [start, length] = argumentAt(m_resp, at);
        out.append(m_resp.sliced(start, length));
        at = start + length + 2;
    }
    return out;
}

QByteArray Args::value(qsizetype i) const
{
    qsizetype at = 0;
    for (qsizetype n = 0; at < m_resp.size(); ++n) {
        const auto [start, length] = argumentAt(m_resp, at);
        if (n == i)
            return m_resp.sliced(start, length);
        at = start + length + 2;
    }
    return {};
}

} // namespace confab::redis

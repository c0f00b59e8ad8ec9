#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <initializer_list>

namespace confab::redis
{

// A command's arguments written once, in RESP's form: "$<length>\r\n<bytes>\r\n" each, in one
// buffer. This is what the calls made for every message build (the accept call, docs/redis.md):
// a QList<QByteArray> costs an allocation per argument (and one per number written) and was
// copied again into the connection's command buffer.
class Args
{
public:
    Args() = default;
    Args(std::initializer_list<QByteArrayView> args);
    Args(const QList<QByteArray> &args); // NOLINT(google-explicit-constructor): callers with a list

    void reserve(qsizetype bytes) { m_resp.reserve(bytes); }
    Args &add(QByteArrayView arg);
    Args &addNumber(qint64 n); // in decimal, written in place
    Args &append(const Args &more);

    [[nodiscard]] qsizetype size() const { return m_count; }
    [[nodiscard]] bool isEmpty() const { return m_count == 0; }
    // Every argument's "$<length>\r\n<bytes>\r\n", without the "*<count>" line.
    [[nodiscard]] const QByteArray &resp() const { return m_resp; }

    // The two lines of RESP every command is made of, for whoever formats one: a bulk string
    // ("$<length>\r\n<bytes>\r\n") and an array's count ("*<n>\r\n"). `arg` must not point
    // into `out`.
    static void appendBulk(QByteArray &out, QByteArrayView arg);
    static void appendCount(QByteArray &out, qsizetype n);

    // Read back (tests, Redis Cluster routing): the arguments as a list, and one of them (empty
    // past the end).
    [[nodiscard]] QList<QByteArray> toList() const;
    [[nodiscard]] QByteArray value(qsizetype i) const;

private:
    QByteArray m_resp;
    qsizetype m_count = 0;
};

} // namespace confab::redis

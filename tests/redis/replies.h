#pragma once
// Waiting for a redis::Client's answer in a test: the one helper tests/redis uses for it.

#include "redis/client.h"

#include <QTest>

#include <functional>
#include <optional>

namespace confab::test
{

// Sends through issue(cb), which hands cb to the Client, and waits for the reply cb gets:
// nullopt if none came within timeoutMs.
inline std::optional<redis::Reply> awaitReply(
    const std::function<void(std::function<void(redis::Reply)>)> &issue, int timeoutMs = 5000)
{
    std::optional<redis::Reply> out;
    issue([&out](redis::Reply r) { out.emplace(std::move(r)); });
    if (!QTest::qWaitFor([&] { return out.has_value(); }, timeoutMs))
        return std::nullopt;
    return out;
}

// One command through the callback API.
inline std::optional<redis::Reply> call(
    redis::Client &client, const QList<QByteArray> &args, int timeoutMs = 5000)
{
    return awaitReply([&](auto cb) { client.command(args, nullptr, std::move(cb)); }, timeoutMs);
}

} // namespace confab::test

#pragma once

#include "redis/value.h"

#include <coroutine>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace confab::redis
{

// One Redis reply that several coroutines await: a batch sends one command for all of them, and
// each resumes, in the order it began waiting, once the reply arrives. Hold it by shared_ptr
// (the command's callback keeps one, so delivering never destroys it midway) and read the reply
// through that pointer after the co_await, not by copy: a batch's reply can be large.
class SharedReply
{
public:
    void deliver(Reply reply)
    {
        m_reply.emplace(std::move(reply));
        const auto waiters = std::exchange(m_waiters, {});
        for (std::coroutine_handle<> h : waiters)
            h.resume();
    }
    [[nodiscard]] bool ready() const { return m_reply.has_value(); }
    [[nodiscard]] const Reply &reply() const { return *m_reply; }

    struct Awaiter {
        std::shared_ptr<SharedReply> shared;
        bool await_ready() const noexcept { return shared->ready(); }
        void await_suspend(std::coroutine_handle<> h) { shared->m_waiters.push_back(h); }
        void await_resume() const noexcept {}
    };
    [[nodiscard]] static Awaiter wait(std::shared_ptr<SharedReply> shared) { return Awaiter{std::move(shared)}; }

private:
    std::optional<Reply> m_reply;
    std::vector<std::coroutine_handle<>> m_waiters;
};

} // namespace confab::redis

#pragma once

// Runs a task to completion from test code. Tests may spin a nested event loop; library code
// never does. (QCoro::waitFor needs a default-constructible result, which Expected is not.)

#include <QEventLoop>
#include <QTimer>

#include <QCoroTask>

#include <optional>

namespace confab::test
{

template <typename T>
QCoro::Task<> deliverTo(QCoro::Task<T> task, std::optional<T> *out, QEventLoop *loop)
{
    out->emplace(co_await std::move(task));
    loop->quit();
}

template <typename T> T run(QCoro::Task<T> &&task, int timeoutMs = 60000)
{
    std::optional<T> out;
    QEventLoop loop;
    QCoro::Task<> delivery = deliverTo(std::move(task), &out, &loop);
    if (!out) {
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
        loop.exec();
    }
    if (!out)
        qFatal("task did not finish within %d ms", timeoutMs);
    return std::move(*out);
}

} // namespace confab::test

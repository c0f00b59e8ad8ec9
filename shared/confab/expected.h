#pragma once

#include "confab/error.h"

#include <utility>
#include <variant>

namespace confab {

// A value or an Error (libQuotient's expected.h in spirit; std::expected is C++23).
template<typename T, typename E = Error>
class Expected
{
public:
    Expected(T value) : m_v(std::in_place_index<0>, std::move(value)) { }
    Expected(E error) : m_v(std::in_place_index<1>, std::move(error)) { }

    [[nodiscard]] bool has_value() const { return m_v.index() == 0; }
    explicit operator bool() const { return has_value(); }

    [[nodiscard]] T &value() & { return std::get<0>(m_v); }
    [[nodiscard]] const T &value() const & { return std::get<0>(m_v); }
    [[nodiscard]] T &&value() && { return std::get<0>(std::move(m_v)); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }

    [[nodiscard]] const E &error() const { return std::get<1>(m_v); }

private:
    std::variant<T, E> m_v;
};

// For operations that succeed with no value.
struct Ok { };
using Status = Expected<Ok>;

} // namespace confab

#include "http/request.h"

namespace confab::http {

QByteArray Request::header(QByteArrayView lowerName) const
{
    for (const auto &h : headers) {
        if (lowerName == h.first)
            return h.second;
    }
    return {};
}

QByteArray Request::bearerToken() const
{
    const QByteArray value = header("authorization");
    constexpr QByteArrayView scheme("bearer ");
    if (value.size() <= scheme.size() || !value.first(scheme.size()).toLower().startsWith(scheme))
        return {};
    return value.sliced(scheme.size()).trimmed();
}

QString Request::param(QByteArrayView name) const
{
    const auto it = params.constFind(name.toByteArray());
    return it == params.cend() ? QString() : QString::fromUtf8(*it);
}

} // namespace confab::http

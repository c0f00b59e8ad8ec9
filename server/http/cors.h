#pragma once

#include "http/response.h"

#include <QByteArray>
#include <QList>
#include <QStringList>

#include <optional>

namespace confab::http
{

// Which browser origins may use a listener ([server] cors_origins, docs/protocol.md "Browsers
// and CORS"). Unset (the default) the listener sends no CORS headers and does not look at the
// WebSocket Origin header, as before; set, preflights are answered, responses to an allowed
// origin carry Access-Control-Allow-Origin, and a WebSocket upgrade from any other origin is
// refused with 403. Credentials travel in the Authorization header, never in cookies, so no
// Access-Control-Allow-Credentials is sent and "*" is safe to allow.
class CorsPolicy
{
public:
    CorsPolicy() = default;
    // Exact origins as a browser spells them ("https://app.example.com"), or {"*"}.
    explicit CorsPolicy(const QStringList &origins);

    static constexpr int kMaxAgeSeconds = 7200; // what Chromium caps a preflight cache at

    [[nodiscard]] bool isSet() const { return m_any || !m_origins.isEmpty(); }
    [[nodiscard]] bool allows(const QByteArray &origin) const;

    // An OPTIONS request naming Access-Control-Request-Method is a preflight: its answer, for a
    // path whose routes accept routeMethods. std::nullopt when the policy is unset or the
    // request is not a preflight (the router answers it as any other request).
    [[nodiscard]] std::optional<Response> preflight(const QByteArray &method,
        const QByteArray &origin, const QByteArray &requestMethod,
        const QList<QByteArray> &routeMethods) const;
    // The headers an actual response to a request from origin carries (none for an origin
    // that is not allowed, or no Origin at all).
    [[nodiscard]] QList<QPair<QByteArray, QByteArray>> responseHeaders(
        const QByteArray &origin) const;
    // Whether a WebSocket upgrade with this Origin header (empty: none sent) may go ahead.
    // Non-browser clients send no Origin and are always let through: the check protects users'
    // browsers from other sites' pages, not the server from clients.
    [[nodiscard]] bool allowsWebSocket(const QByteArray &origin) const;

private:
    [[nodiscard]] QByteArray allowOriginValue(const QByteArray &origin) const;
    QList<QByteArray> m_origins;
    bool m_any = false;
};

} // namespace confab::http

#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QHostAddress>

namespace confab::websocket
{

// What a WebSocket endpoint may need of the upgrade request, copied once at the handshake; the
// connection itself keeps none of it, so headers cost no memory for the life of a socket.
struct Upgrade {
    QByteArray path; // percent-decoded
    QByteArray rawQuery; // after '?', still encoded
    QByteArray authorization; // the Authorization header, empty if none
    QHostAddress peer;

    // "Bearer <token>" (scheme case-insensitive) -> token; empty otherwise.
    [[nodiscard]] QByteArray bearerToken() const;
    // The first query item of that name, percent-decoded; empty if absent.
    [[nodiscard]] QByteArray queryItem(QByteArrayView name) const;
    // The bearer token, else ?access_token= (PROTOCOL.md section 2).
    [[nodiscard]] QByteArray credential() const;
};

} // namespace confab::websocket

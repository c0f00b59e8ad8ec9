#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QUrlQuery>

#include <memory>

namespace confab::http {

class BodyStream;

// One parsed HTTP request, handed to a route handler by value.
struct Request
{
    QByteArray method; // upper case
    QByteArray path; // percent-decoded path, no query
    QUrlQuery query;
    QList<QPair<QByteArray, QByteArray>> headers; // names lower-cased
    QByteArray body;
    QHostAddress peer;
    QHash<QByteArray, QByteArray> params; // filled by the Router from {name} segments
    // Streaming routes only (Router::addStreaming): the body, still to be read; body is empty.
    std::shared_ptr<BodyStream> bodyStream;

    // The first header of that name (give it lower-cased), empty if absent.
    [[nodiscard]] QByteArray header(QByteArrayView lowerName) const;
    // From "Authorization: Bearer x" (scheme case-insensitive), empty if none.
    [[nodiscard]] QByteArray bearerToken() const;
    // A route parameter as UTF-8 text, empty if absent.
    [[nodiscard]] QString param(QByteArrayView name) const;
};

} // namespace confab::http

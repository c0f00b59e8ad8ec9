#pragma once

#include "http/request.h"
#include "http/response.h"

#include <QCoro/QCoroTask>

#include <deque>
#include <functional>

namespace confab::http {

using Handler = std::function<QCoro::Task<Response>(Request)>;

// Maps (method, path pattern) to handlers. Patterns are like
// "/v1/conversations/{id}/members/{user_id}": {x} matches one non-empty segment. The pattern
// itself is the route name metrics use as their `route` label. A literal segment wins over a
// {param} in the same place, whatever the order of add(). A single trailing slash on the
// request path is ignored. Handlers are called in place, so the Router must outlive every
// request it started (a capturing coroutine lambda keeps its captures in the Router).
class Router
{
public:
    void add(QByteArray method, QByteArray pattern, Handler handler);
    // A route whose handler reads the body itself through Request::bodyStream as it arrives
    // (large uploads), started as soon as the head is in; bodies up to maxBodyBytes, which may
    // exceed the server's Options::maxBodyBytes.
    void addStreaming(QByteArray method, QByteArray pattern, Handler handler, qint64 maxBodyBytes);

    struct Match
    {
        const Handler *handler = nullptr;
        QByteArray route;
        QHash<QByteArray, QByteArray> params;
        bool methodNotAllowed = false;
        QList<QByteArray> allowedMethods; // set when methodNotAllowed, for the Allow header
        qint64 streamLimit = -1; // a streaming route: its body limit
    };
    // path is the request path as sent (percent-encoded): it is split on '/' first and each
    // segment decoded after, so an encoded "%2F" stays inside its segment.
    [[nodiscard]] Match match(const QByteArray &method, const QByteArray &path) const;

    struct Entry
    {
        QByteArray method;
        QByteArray pattern;
    };
    // Every route in the order added (tests compare it with docs/openapi.yaml).
    [[nodiscard]] QList<Entry> routes() const;

private:
    struct Segment
    {
        QByteArray text; // literal text, or the parameter name
        bool isParam = false;
    };
    struct Route
    {
        QByteArray method;
        QByteArray pattern;
        QList<Segment> segments;
        Handler handler;
        qint64 streamLimit = -1;
    };
    // A deque so that Match::handler stays valid when routes are added later.
    std::deque<Route> m_routes;
};

} // namespace confab::http

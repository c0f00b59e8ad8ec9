#include "http/router.h"

#include "confab/text.h"

namespace confab::http {

namespace {

QList<QByteArrayView> splitPath(QByteArrayView path)
{
    QList<QByteArrayView> out;
    if (path.startsWith('/'))
        path = path.sliced(1);
    if (path.endsWith('/'))
        path.chop(1);
    if (path.isEmpty())
        return out;
    qsizetype start = 0;
    while (true) {
        const qsizetype slash = path.indexOf('/', start);
        if (slash < 0) {
            out.append(path.sliced(start));
            return out;
        }
        out.append(path.sliced(start, slash - start));
        start = slash + 1;
    }
}

} // namespace

void Router::add(QByteArray method, QByteArray pattern, Handler handler)
{
    Route route;
    route.method = method.toUpper();
    for (QByteArrayView part : splitPath(pattern)) {
        Segment s;
        if (part.size() > 2 && part.startsWith('{') && part.endsWith('}')) {
            s.isParam = true;
            s.text = part.sliced(1, part.size() - 2).toByteArray();
        } else {
            s.text = part.toByteArray();
        }
        route.segments.append(std::move(s));
    }
    route.pattern = std::move(pattern);
    route.handler = std::move(handler);
    m_routes.push_back(std::move(route));
}

void Router::addStreaming(QByteArray method, QByteArray pattern, Handler handler,
                          qint64 maxBodyBytes)
{
    add(std::move(method), std::move(pattern), std::move(handler));
    m_routes.back().streamLimit = std::max<qint64>(0, maxBodyBytes);
}

Router::Match Router::match(const QByteArray &method, const QByteArray &path) const
{
    const QList<QByteArrayView> raw = splitPath(path);
    QList<QByteArray> segments;
    segments.reserve(raw.size());
    for (QByteArrayView part : raw)
        segments.append(QByteArray::fromPercentEncoding(part.toByteArray()));

    const Route *best = nullptr;
    const Route *bestOtherMethod = nullptr;
    QList<QByteArray> allowed;
    // Literal-over-param precedence, compared from the left: the first segment where two
    // matching patterns differ decides.
    auto morePrecise = [](const Route &a, const Route *b) {
        if (!b)
            return true;
        for (qsizetype i = 0; i < a.segments.size(); ++i) {
            if (a.segments[i].isParam != b->segments[i].isParam)
                return !a.segments[i].isParam;
        }
        return false;
    };

    for (const Route &route : m_routes) {
        if (route.segments.size() != segments.size())
            continue;
        bool ok = true;
        for (qsizetype i = 0; ok && i < segments.size(); ++i) {
            const Segment &s = route.segments[i];
            // A parameter that is not text (malformed UTF-8, NUL) names nothing: decoding it
            // would be lossy, so two spellings could reach one id.
            ok = s.isParam ? !segments[i].isEmpty() && isStorableText(QByteArrayView(segments[i]))
                           : s.text == segments[i];
        }
        if (!ok)
            continue;
        if (route.method == method) {
            if (morePrecise(route, best))
                best = &route;
        } else {
            if (!allowed.contains(route.method))
                allowed.append(route.method);
            if (morePrecise(route, bestOtherMethod))
                bestOtherMethod = &route;
        }
    }

    Match m;
    if (best) {
        m.handler = &best->handler;
        m.route = best->pattern;
        m.streamLimit = best->streamLimit;
        for (qsizetype i = 0; i < segments.size(); ++i) {
            if (best->segments[i].isParam)
                m.params.insert(best->segments[i].text, segments[i]);
        }
    } else if (bestOtherMethod) {
        m.methodNotAllowed = true;
        m.route = bestOtherMethod->pattern;
        m.allowedMethods = std::move(allowed);
    }
    return m;
}

QList<Router::Entry> Router::routes() const
{
    QList<Entry> out;
    out.reserve(qsizetype(m_routes.size()));
    for (const Route &r : m_routes)
        out.append({r.method, r.pattern});
    return out;
}

} // namespace confab::http

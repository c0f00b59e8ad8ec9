#include "http/requestparser.h"

namespace confab::http::parser {

namespace {

constexpr qsizetype kMaxMethodLength = 32;

// RFC 9110 token characters.
bool isTchar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '.': case '^': case '_': case '`': case '|': case '~':
        return true;
    default:
        return false;
    }
}

bool isToken(QByteArrayView s)
{
    if (s.isEmpty())
        return false;
    for (char c : s) {
        if (!isTchar(c))
            return false;
    }
    return true;
}

bool isTargetChar(char c)
{
    return c > 0x20 && c < 0x7f;
}

bool isFieldValueChar(char c)
{
    const auto u = static_cast<unsigned char>(c);
    return u == '\t' || (u >= 0x20 && u != 0x7f);
}

QByteArrayView trimOws(QByteArrayView v)
{
    while (!v.isEmpty() && (v.front() == ' ' || v.front() == '\t'))
        v = v.sliced(1);
    while (!v.isEmpty() && (v.back() == ' ' || v.back() == '\t'))
        v.chop(1);
    return v;
}

// Whether a comma-separated header value lists token (case-insensitive).
bool hasToken(QByteArrayView value, QByteArrayView token)
{
    qsizetype start = 0;
    while (start <= value.size()) {
        qsizetype comma = value.indexOf(',', start);
        if (comma < 0)
            comma = value.size();
        if (trimOws(value.sliced(start, comma - start)).compare(token, Qt::CaseInsensitive) == 0)
            return true;
        start = comma + 1;
    }
    return false;
}

Error bad(const char *what)
{
    return Error::badRequest(QStringLiteral("parsing the HTTP request: %1").arg(QLatin1String(what)));
}

} // namespace

qsizetype headLength(QByteArrayView bytes)
{
    const qsizetype i = bytes.indexOf(QByteArrayView("\r\n\r\n"));
    return i < 0 ? -1 : i + 4;
}

bool plausibleStart(QByteArrayView bytes)
{
    qsizetype i = 0;
    while (i < bytes.size() && isTchar(bytes[i]))
        ++i;
    if (i == bytes.size())
        return i <= kMaxMethodLength;
    if (i == 0 || i > kMaxMethodLength || bytes[i] != ' ')
        return false;
    ++i;
    if (i == bytes.size())
        return true;
    // origin-form starts with '/', absolute-form with a scheme letter, asterisk-form with '*'
    const char c = bytes[i];
    return c == '/' || c == '*' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

Expected<RequestHead> parseHead(QByteArrayView head)
{
    if (!head.endsWith(QByteArrayView("\r\n\r\n")))
        return bad("incomplete head");
    head.chop(2); // keep one CRLF so every line, the last included, ends with one

    RequestHead out;
    qsizetype lineEnd = head.indexOf(QByteArrayView("\r\n"));
    const QByteArrayView requestLine = head.first(lineEnd);

    const qsizetype sp1 = requestLine.indexOf(' ');
    const qsizetype sp2 = sp1 < 0 ? -1 : requestLine.indexOf(' ', sp1 + 1);
    if (sp1 <= 0 || sp2 < 0 || requestLine.indexOf(' ', sp2 + 1) >= 0)
        return bad("malformed request line");
    const QByteArrayView method = requestLine.first(sp1);
    QByteArrayView target = requestLine.sliced(sp1 + 1, sp2 - sp1 - 1);
    const QByteArrayView version = requestLine.sliced(sp2 + 1);
    if (!isToken(method) || method.size() > kMaxMethodLength)
        return bad("malformed method");
    if (version.size() != 8 || !version.startsWith(QByteArrayView("HTTP/1.")) || version[7] < '0'
        || version[7] > '9')
        return bad("unsupported HTTP version");
    out.method = method.toByteArray().toUpper();
    out.minorVersion = version[7] - '0';

    if (target.isEmpty())
        return bad("empty request target");
    for (char c : target) {
        if (!isTargetChar(c))
            return bad("invalid character in request target");
    }
    if (!target.startsWith('/')) {
        // absolute-form (proxies must accept it): keep only the path and query
        const qsizetype scheme = target.indexOf(QByteArrayView("://"));
        if (scheme <= 0)
            return bad("request target is not a path");
        const qsizetype pathStart = target.indexOf('/', scheme + 3);
        target = pathStart < 0 ? QByteArrayView("/") : target.sliced(pathStart);
    }
    if (const qsizetype hash = target.indexOf('#'); hash >= 0)
        target = target.first(hash);
    if (const qsizetype q = target.indexOf('?'); q >= 0) {
        out.rawQuery = target.sliced(q + 1).toByteArray();
        target = target.first(q);
    }
    out.rawPath = target.toByteArray();

    bool connectionClose = false;
    bool connectionUpgrade = false;
    bool upgradeWebSocket = false;
    bool haveLength = false;
    qsizetype pos = lineEnd + 2;
    while (pos < head.size()) {
        lineEnd = head.indexOf(QByteArrayView("\r\n"), pos);
        const QByteArrayView line = head.sliced(pos, lineEnd - pos);
        pos = lineEnd + 2;
        if (line.isEmpty() || line.front() == ' ' || line.front() == '\t')
            return bad("folded or empty header line");
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || !isToken(line.first(colon)))
            return bad("malformed header name");
        const QByteArrayView value = trimOws(line.sliced(colon + 1));
        for (char c : value) {
            if (!isFieldValueChar(c))
                return bad("invalid character in header value");
        }
        QByteArray name = line.first(colon).toByteArray().toLower();

        if (name == "content-length") {
            bool ok = value.size() <= 18 && !value.isEmpty();
            for (char c : value)
                ok = ok && c >= '0' && c <= '9';
            if (!ok)
                return bad("invalid Content-Length");
            const qint64 length = value.toLongLong();
            if (haveLength && length != out.contentLength)
                return bad("conflicting Content-Length headers");
            haveLength = true;
            out.contentLength = length;
        } else if (name == "transfer-encoding") {
            out.hasTransferEncoding = true;
        } else if (name == "connection") {
            connectionClose = connectionClose || hasToken(value, "close");
            connectionUpgrade = connectionUpgrade || hasToken(value, "upgrade");
        } else if (name == "upgrade") {
            upgradeWebSocket = upgradeWebSocket || hasToken(value, "websocket");
        } else if (name == "expect") {
            out.expectContinue = value.compare(QByteArrayView("100-continue"), Qt::CaseInsensitive) == 0;
        }
        out.headers.append({std::move(name), value.toByteArray()});
    }

    // HTTP/1.0 clients get one response per connection: simpler than 1.0 keep-alive, which
    // few clients still use.
    out.keepAlive = out.minorVersion >= 1 && !connectionClose;
    out.webSocketUpgrade = out.method == "GET" && connectionUpgrade && upgradeWebSocket;
    return out;
}

} // namespace confab::http::parser

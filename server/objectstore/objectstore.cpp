#include "objectstore/objectstore.h"

namespace confab::objectstore
{

ObjectStore::~ObjectStore() = default;

Status validateKey(const QString &key)
{
    const auto bad = [&key](const char *why) {
        return Error::badRequest(
            QStringLiteral("invalid object key '%1': %2").arg(key, QLatin1String(why)));
    };
    if (key.isEmpty())
        return bad("empty");
    if (key.toUtf8().size() > 1024)
        return bad("longer than 1024 bytes");
    if (key.startsWith(QLatin1Char('/')))
        return bad("absolute");
    if (key.contains(QLatin1Char('\\')) || key.contains(QChar(0)))
        return bad("contains a backslash or NUL");
    const QStringList segments = key.split(QLatin1Char('/'));
    for (const QString &s : segments) {
        if (s.isEmpty())
            return bad("empty path segment");
        if (s == QLatin1String(".") || s == QLatin1String(".."))
            return bad("'.' or '..' segment");
    }
    if (segments.first() == QLatin1String(".confab-tmp"))
        return bad("reserved prefix");
    return Ok {};
}

} // namespace confab::objectstore

#include "confab/inifile.h"

#include <QList>
#include <QRegularExpression>

namespace confab::ini
{

namespace
{

// The section a header line names ("" if the line is not a header).
QString headerName(const QString &stripped)
{
    if (!stripped.startsWith(u'[') || !stripped.endsWith(u']'))
        return {};
    return stripped.mid(1, stripped.size() - 2).trimmed().toLower();
}

// The key name of an assignment ("" if the text is not `name = ...`).
QString assignedKey(const QString &text)
{
    const qsizetype eq = text.indexOf(u'=');
    return eq <= 0 ? QString() : text.left(eq).trimmed().toLower();
}

// The key a commented-out assignment names: `;key = v`, `; key = v`, `#key =`. The value is
// one word or nothing, so prose such as "; token = the bearer token, see docs" is no key.
QString commentedKey(const QString &line)
{
    static const QRegularExpression re(
        QStringLiteral("^\\s*[;#]+\\s*([A-Za-z0-9_]+)\\s*=\\s*\\S*\\s*$"));
    const QRegularExpressionMatch m = re.match(line);
    return m.hasMatch() ? m.captured(1).toLower() : QString();
}

} // namespace

QString stripComment(const QString &line)
{
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar ch = line.at(i);
        if ((ch == u';' || ch == u'#') && (i == 0 || line.at(i - 1).isSpace()))
            return line.left(i);
    }
    return line;
}

QByteArray setValue(
    const QByteArray &ini, const QString &section, const QString &key, const QString &value)
{
    const QString wantSection = section.toLower();
    const QString wantKey = key.toLower();
    const QString assignment = QStringLiteral("%1 = %2").arg(key, value);

    QList<QString> lines;
    if (!ini.isEmpty()) {
        for (const QByteArray &raw : ini.split('\n'))
            lines.append(QString::fromUtf8(raw));
    }
    const bool endsWithNewline = ini.endsWith('\n');
    if (endsWithNewline)
        lines.removeLast();

    QString current;
    qsizetype header = -1;
    qsizetype commented = -1;
    bool replaced = false;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString stripped = stripComment(lines[i]).trimmed();
        if (stripped.startsWith(u'[')) {
            current = headerName(stripped);
            if (current == wantSection && header < 0)
                header = i;
            continue;
        }
        if (current != wantSection)
            continue;
        if (!stripped.isEmpty() && assignedKey(stripped) == wantKey) {
            lines[i] = assignment;
            replaced = true;
        } else if (stripped.isEmpty() && commented < 0 && commentedKey(lines[i]) == wantKey) {
            commented = i;
        }
    }
    if (!replaced) {
        if (commented >= 0) {
            lines[commented] = assignment;
        } else if (header >= 0) {
            lines.insert(header + 1, assignment);
        } else {
            if (!lines.isEmpty() && !lines.last().trimmed().isEmpty())
                lines.append(QString());
            lines.append(QStringLiteral("[%1]").arg(section));
            lines.append(assignment);
        }
    }
    QByteArray out = lines.join(u'\n').toUtf8();
    if (endsWithNewline || !replaced)
        out += '\n';
    return out;
}

} // namespace confab::ini

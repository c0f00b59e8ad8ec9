#include "support/exposition.h"

#include <QtNumeric>

namespace confab::test {

double parseValue(const QByteArray &text)
{
    if (text == "+Inf")
        return qInf();
    if (text == "-Inf")
        return -qInf();
    bool ok = false;
    const double v = text.toDouble(&ok);
    return ok ? v : qQNaN();
}

Exposition Exposition::parse(const QByteArray &text)
{
    Exposition e;
    for (const QByteArray &line : text.split('\n')) {
        if (line.isEmpty())
            continue;
        if (line.startsWith("# HELP ")) {
            e.helps.insert(line.mid(7).split(' ').value(0));
            continue;
        }
        if (line.startsWith("# TYPE ")) {
            const QList<QByteArray> parts = line.mid(7).split(' ');
            e.types.insert(parts.value(0), parts.value(1));
            continue;
        }
        if (line.startsWith('#'))
            continue;
        Sample s;
        qsizetype i = 0;
        while (i < line.size() && line[i] != '{' && line[i] != ' ')
            ++i;
        s.name = line.left(i);
        if (i < line.size() && line[i] == '{') {
            ++i;
            while (i < line.size() && line[i] != '}') {
                const qsizetype eq = line.indexOf('=', i);
                if (eq < 0)
                    break;
                const QByteArray key = line.mid(i, eq - i);
                i = eq + 2; // past ="
                QByteArray value;
                while (i < line.size() && line[i] != '"') {
                    if (line[i] == '\\' && i + 1 < line.size())
                        ++i;
                    value += line[i++];
                }
                s.labels.insert(key, value);
                ++i; // past the closing quote
                if (i < line.size() && line[i] == ',')
                    ++i;
            }
            ++i; // past }
        }
        s.value = parseValue(line.mid(i).trimmed().split(' ').value(0));
        e.samples.append(s);
    }
    return e;
}

std::optional<double> Exposition::value(const QByteArray &name, const Labels &labels) const
{
    for (const Sample &s : samples) {
        if (s.name == name && s.labels == labels)
            return s.value;
    }
    return std::nullopt;
}

double Exposition::at(const QByteArray &name, const Labels &labels) const
{
    return value(name, labels).value_or(qQNaN());
}

QList<Sample> Exposition::series(const QByteArray &name) const
{
    QList<Sample> out;
    for (const Sample &s : samples) {
        if (s.name == name)
            out.append(s);
    }
    return out;
}

double Exposition::sum(const QByteArray &name, const Labels &match) const
{
    double total = 0;
    for (const Sample &s : samples) {
        if (s.name != name)
            continue;
        bool matches = true;
        for (auto it = match.cbegin(); it != match.cend() && matches; ++it)
            matches = s.labels.contains(it.key()) && s.labels.value(it.key()) == it.value();
        if (matches)
            total += s.value;
    }
    return total;
}

} // namespace confab::test

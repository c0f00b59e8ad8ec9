// The German and French catalogues are complete: no unfinished or empty entry, the same
// placeholders as the English text, and every tr() string of the console's code present.
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTest>
#include <QXmlStreamReader>

namespace
{

struct Entry {
    QString context;
    QString source;
    QStringList translations; // one, or one per plural form
    QString type; // "", "unfinished", "obsolete", "vanished"
    bool numerus = false;
};

struct Catalogue {
    QString language;
    QList<Entry> entries;
    QString error;
};

Catalogue readTs(const QString &path)
{
    Catalogue c;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        c.error = QStringLiteral("cannot open ") + path;
        return c;
    }
    QXmlStreamReader xml(&f);
    QString context;
    Entry current;
    bool inMessage = false;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement()) {
            const auto name = xml.name();
            if (name == QLatin1String("TS")) {
                c.language = xml.attributes().value(QLatin1String("language")).toString();
            } else if (name == QLatin1String("name") && !inMessage) {
                context = xml.readElementText();
            } else if (name == QLatin1String("message")) {
                inMessage = true;
                current = Entry { context, {}, {}, {}, false };
                current.numerus
                    = xml.attributes().value(QLatin1String("numerus")) == QLatin1String("yes");
            } else if (name == QLatin1String("source") && inMessage) {
                current.source = xml.readElementText();
            } else if (name == QLatin1String("translation") && inMessage) {
                current.type = xml.attributes().value(QLatin1String("type")).toString();
                if (!current.numerus)
                    current.translations.append(xml.readElementText());
            } else if (name == QLatin1String("numerusform") && inMessage) {
                current.translations.append(xml.readElementText());
            }
        } else if (xml.isEndElement() && xml.name() == QLatin1String("message")) {
            inMessage = false;
            c.entries.append(current);
        }
    }
    if (xml.hasError())
        c.error = path + QStringLiteral(": ") + xml.errorString();
    return c;
}

QSet<QString> placeholders(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("%(\\d+|n)"));
    QSet<QString> out;
    for (auto it = re.globalMatch(text); it.hasNext();)
        out.insert(it.next().captured(0));
    return out;
}

QString unescapeCpp(QString s)
{
    s.replace(QLatin1String("\\\""), QLatin1String("\""));
    s.replace(QLatin1String("\\n"), QLatin1String("\n"));
    s.replace(QLatin1String("\\\\"), QLatin1String("\\"));
    return s;
}

// Every string literal passed to tr() in the console's sources.
QSet<QString> codeStrings()
{
    // tr("..." "...") : adjacent literals are one string, as for the compiler.
    static const QRegularExpression re(
        QStringLiteral("\\btr\\(\\s*((?:\"(?:[^\"\\\\]|\\\\.)*\"\\s*)+)"));
    static const QRegularExpression literal(QStringLiteral("\"((?:[^\"\\\\]|\\\\.)*)\""));
    QSet<QString> out;
    QDirIterator it(QStringLiteral(CONFAB_SOURCE_DIR "/console"),
        { QStringLiteral("*.cpp"), QStringLiteral("*.h") }, QDir::Files,
        QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile f(it.next());
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QString text = QString::fromUtf8(f.readAll());
        for (auto m = re.globalMatch(text); m.hasNext();) {
            QString joined;
            const QString literals = m.next().captured(1);
            for (auto l = literal.globalMatch(literals); l.hasNext();)
                joined += l.next().captured(1);
            out.insert(unescapeCpp(joined));
        }
    }
    return out;
}

} // namespace

class tst_Translations : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void catalogue_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("language");
        QTest::addRow("German") << QStringLiteral("console_de.ts") << QStringLiteral("de");
        QTest::addRow("French") << QStringLiteral("console_fr.ts") << QStringLiteral("fr");
        QTest::addRow("English plurals") << QStringLiteral("console_en.ts") << QStringLiteral("en");
    }

    void catalogue()
    {
        QFETCH(QString, file);
        QFETCH(QString, language);
        const Catalogue c = readTs(QStringLiteral(CONFAB_SOURCE_DIR "/translations/") + file);
        QVERIFY2(c.error.isEmpty(), qPrintable(c.error));
        QVERIFY2(c.language.startsWith(language), qPrintable(c.language));
        QVERIFY(c.entries.size() > 50);

        QStringList problems;
        QSet<QString> sources;
        for (const Entry &e : c.entries) {
            const QString where = e.context + QStringLiteral(" \"") + e.source + QLatin1Char('"');
            sources.insert(e.source);
            if (!e.type.isEmpty())
                problems.append(where + QStringLiteral(": ") + e.type);
            if (e.translations.isEmpty())
                problems.append(where + QStringLiteral(": no translation"));
            for (const QString &t : e.translations) {
                if (t.trimmed().isEmpty())
                    problems.append(where + QStringLiteral(": empty translation"));
                else if (placeholders(t) != placeholders(e.source))
                    problems.append(where + QStringLiteral(": placeholders differ in \"") + t
                        + QLatin1Char('"'));
            }
        }
        const QSet<QString> code = codeStrings();
        QVERIFY(code.size() > 50);
        for (const QString &s : code) {
            if (!sources.contains(s))
                problems.append(QStringLiteral("missing from ") + file + QStringLiteral(": \"") + s
                    + QStringLiteral("\" (run the confab_console_widgets_lupdate target)"));
        }
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    }
};

QTEST_GUILESS_MAIN(tst_Translations)
#include "tst_translations.moc"

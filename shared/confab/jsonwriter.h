#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace confab {

// A small append-only JSON writer for the per-message path, where QJsonDocument costs twice the
// CPU (DESIGN.md "The hot path"). It writes compact UTF-8 and tracks commas; the caller keeps
// objects and arrays balanced. Raw values (already-validated JSON) are spliced in unchanged.
class JsonWriter
{
public:
    explicit JsonWriter(qsizetype reserve = 256) { m_out.reserve(reserve); }

    JsonWriter &beginObject() { return open('{'); }
    JsonWriter &endObject() { return close('}'); }
    JsonWriter &beginArray() { return open('['); }
    JsonWriter &endArray() { return close(']'); }

    JsonWriter &key(QByteArrayView name);
    JsonWriter &value(QByteArrayView utf8);
    JsonWriter &value(const QString &s) { return value(QByteArrayView(s.toUtf8())); }
    JsonWriter &value(const char *s) { return value(QByteArrayView(s)); }
    JsonWriter &value(qint64 n);
    JsonWriter &value(int n) { return value(qint64(n)); }
    JsonWriter &value(double d);
    JsonWriter &value(bool b);
    JsonWriter &null();
    JsonWriter &raw(QByteArrayView json);

    template<typename T>
    JsonWriter &field(QByteArrayView name, const T &v) { return key(name).value(v); }
    JsonWriter &rawField(QByteArrayView name, QByteArrayView json) { return key(name).raw(json); }

    [[nodiscard]] const QByteArray &bytes() const { return m_out; }
    [[nodiscard]] QByteArray take() { return std::move(m_out); }

    // Appends s as a quoted JSON string to out.
    static void appendString(QByteArray &out, QByteArrayView utf8);

private:
    JsonWriter &open(char c);
    JsonWriter &close(char c);
    void separate();

    QByteArray m_out;
    bool m_needComma = false;
    bool m_afterKey = false;
};

} // namespace confab

#include "json/strictjson.h"
#include "json/strictjson_p.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <locale.h>
#include <string>
#include <string_view>
#include <vector>

namespace confab::json {

namespace {

constexpr qsizetype kMaxNamedKey = 64;

QString keyText(QByteArrayView key)
{
    return QString::fromUtf8(key.first(std::min(key.size(), kMaxNamedKey)));
}

// Whether a JSON number token fits what simdjson (and QJsonDocument) can hold: an integer in
// [-2^63, 2^64), a decimal whose magnitude is below DBL_MAX (tiny ones round to zero).
bool numberInRange(QByteArrayView num)
{
    const bool decimal = num.contains('.') || num.contains('e') || num.contains('E');
    if (!decimal) {
        const bool negative = num.startsWith('-');
        QByteArrayView digits = negative ? num.sliced(1) : num;
        while (digits.size() > 1 && digits.front() == '0')
            digits = digits.sliced(1);
        const QByteArrayView limit = negative ? QByteArrayView("9223372036854775808")
                                              : QByteArrayView("18446744073709551615");
        if (digits.size() != limit.size())
            return digits.size() < limit.size();
        return std::string_view(digits.data(), size_t(digits.size()))
            <= std::string_view(limit.data(), size_t(limit.size()));
    }
    // strtod in the C locale whatever the process locale (Qt sets the user's at startup).
    static const locale_t cLocale = newlocale(LC_ALL_MASK, "C", locale_t(nullptr));
    const std::string text(num.data(), size_t(num.size()));
    return !std::isinf(strtod_l(text.c_str(), nullptr, cLocale));
}

bool isNumberStart(char c)
{
    return c == '-' || (c >= '0' && c <= '9');
}

bool isNumberChar(char c)
{
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

// The raw text of the string starting at s[i] == '"' (escapes kept) and the index past it;
// -1 when it does not end.
qsizetype stringEnd(QByteArrayView s, qsizetype i)
{
    for (++i; i < s.size(); ++i) {
        if (s[i] == '\\')
            ++i;
        else if (s[i] == '"')
            return i + 1;
    }
    return -1;
}

// Recursive: simdjson's DOM never nests deeper than its max depth (1024), so neither does this.
std::optional<QByteArray> duplicateIn(simdjson::dom::element e)
{
    simdjson::dom::object obj;
    simdjson::dom::array arr;
    if (e.get_object().get(obj) == simdjson::SUCCESS) {
        std::vector<std::string_view> keys;
        keys.reserve(obj.size());
        for (const simdjson::dom::key_value_pair field : obj) {
            keys.push_back(field.key);
            if (auto inner = duplicateIn(field.value))
                return inner;
        }
        std::sort(keys.begin(), keys.end());
        const auto dup = std::adjacent_find(keys.begin(), keys.end());
        if (dup != keys.end())
            return QByteArray(dup->data(), qsizetype(dup->size()));
    } else if (e.get_array().get(arr) == simdjson::SUCCESS) {
        for (const simdjson::dom::element item : arr) {
            if (auto inner = duplicateIn(item))
                return inner;
        }
    }
    return std::nullopt;
}

} // namespace

QString duplicateKeyMessage(QByteArrayView key)
{
    return QStringLiteral("duplicate key '%1'").arg(keyText(key));
}

QString numberOutOfRangeMessage(const QString &field)
{
    const QString range = QStringLiteral("integers must fit in 64 bits, decimals in a double");
    if (field.isEmpty())
        return QStringLiteral("a number is out of range (%1)").arg(range);
    return QStringLiteral("field '%1' holds a number out of range (%2)").arg(field, range);
}

std::optional<QByteArray> findDuplicateKey(simdjson::dom::element root)
{
    return duplicateIn(root);
}

std::optional<QString> outOfRangeNumberField(QByteArrayView s)
{
    QByteArrayView key;              // the key whose value is being read
    std::vector<QByteArrayView> outer; // the keys of the enclosing containers
    QByteArrayView lastString;
    bool afterString = false;
    for (qsizetype i = 0; i < s.size();) {
        const char c = s[i];
        if (c == '"') {
            const qsizetype end = stringEnd(s, i);
            if (end < 0)
                return std::nullopt;
            lastString = s.sliced(i + 1, end - i - 2);
            afterString = true;
            i = end;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            ++i;
            continue;
        }
        if (c == ':' && afterString)
            key = lastString;
        afterString = false;
        if (c == '{' || c == '[') {
            outer.push_back(key);
        } else if (c == '}' || c == ']') {
            if (!outer.empty()) {
                key = outer.back();
                outer.pop_back();
            }
        } else if (isNumberStart(c)) {
            qsizetype end = i;
            while (end < s.size() && isNumberChar(s[end]))
                ++end;
            if (!numberInRange(s.sliced(i, end - i)))
                return keyText(key);
            i = end;
            continue;
        }
        ++i;
    }
    return std::nullopt;
}

std::optional<QByteArray> scanTopLevelReq(QByteArrayView s)
{
    int depth = 0;
    QByteArrayView lastString;
    bool keyIsReq = false;
    bool afterString = false;
    for (qsizetype i = 0; i < s.size();) {
        const char c = s[i];
        if (c == '"') {
            const qsizetype end = stringEnd(s, i);
            if (end < 0)
                return std::nullopt;
            const QByteArrayView text = s.sliced(i + 1, end - i - 2);
            if (keyIsReq && depth == 1) {
                if (text.contains('\\'))
                    return std::nullopt;
                return text.toByteArray();
            }
            lastString = text;
            afterString = true;
            i = end;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            ++i;
            continue;
        }
        keyIsReq = c == ':' && afterString && depth == 1 && lastString == "req";
        afterString = false;
        if (c == '{' || c == '[')
            ++depth;
        else if (c == '}' || c == ']')
            --depth;
        ++i;
    }
    return std::nullopt;
}

std::optional<Problem> check(QByteArrayView utf8)
{
    thread_local simdjson::dom::parser parser;
    const simdjson::padded_string padded(utf8.data(), size_t(utf8.size()));
    simdjson::dom::element root;
    const simdjson::error_code error = parser.parse(padded).get(root);
    if (error != simdjson::SUCCESS) {
        if (isNumberError(error)) {
            if (const auto field = outOfRangeNumberField(utf8))
                return Problem{Problem::Kind::NumberOutOfRange, numberOutOfRangeMessage(*field), scanTopLevelReq(utf8)};
        }
        return Problem{Problem::Kind::NotJson, QStringLiteral("not JSON"), std::nullopt};
    }
    if (const auto key = findDuplicateKey(root)) {
        std::optional<QByteArray> req;
        simdjson::dom::object obj;
        std::string_view r;
        if (*key != "req" && root.get_object().get(obj) == simdjson::SUCCESS
            && obj["req"].get_string().get(r) == simdjson::SUCCESS)
            req = QByteArray(r.data(), qsizetype(r.size()));
        return Problem{Problem::Kind::DuplicateKey, duplicateKeyMessage(*key), req};
    }
    return std::nullopt;
}

} // namespace confab::json

#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMap>
#include <QSet>

#include <optional>

namespace confab::test {

// Prometheus's text exposition read back, just enough for tests to check what a node wrote;
// tests/metrics/tst_promtool checks the format itself with Prometheus's own parser.
using Labels = QMap<QByteArray, QByteArray>;

// A sample's value as the format spells it (+Inf, -Inf or a number); NaN when it is neither.
[[nodiscard]] double parseValue(const QByteArray &text);

struct Sample {
    QByteArray name; // with the _bucket / _count / _sum suffix of a histogram's series
    Labels labels;
    double value = 0;
};

struct Exposition {
    QHash<QByteArray, QByteArray> types; // family -> counter, gauge, histogram...
    QSet<QByteArray> helps;              // families with a HELP line
    QList<Sample> samples;

    [[nodiscard]] static Exposition parse(const QByteArray &text);

    // The sample with exactly these labels, if there is one.
    [[nodiscard]] std::optional<double> value(const QByteArray &name, const Labels &labels = {}) const;
    // The same, NaN when absent: every comparison with it fails.
    [[nodiscard]] double at(const QByteArray &name, const Labels &labels = {}) const;
    [[nodiscard]] QList<Sample> series(const QByteArray &name) const;
    // The sum of every sample of `name` whose labels include each of `match`.
    [[nodiscard]] double sum(const QByteArray &name, const Labels &match = {}) const;
};

} // namespace confab::test

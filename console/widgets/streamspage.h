#pragma once

#include "core/stats.h"

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableView;

namespace confab::console
{

class StreamsFilterModel;
class StreamsModel;

// The deepest streams per app and conversation; rows that fall behind are tinted and flagged.
class StreamsPage : public QWidget
{
    Q_OBJECT

public:
    explicit StreamsPage(QWidget *parent = nullptr);

    void showStats(const Stats &stats);
    void clear();
    void focusFilter();
    void setBehindThresholdSeconds(int seconds);

    [[nodiscard]] StreamsModel *model() const { return m_model; }
    [[nodiscard]] StreamsFilterModel *proxy() const { return m_proxy; }
    [[nodiscard]] QTableView *view() const { return m_view; }

Q_SIGNALS:
    void behindThresholdChanged(int seconds);
    // The number of streams falling behind changed (for the tab's badge).
    void behindCountChanged(int count);

private:
    void updateSummary();

    StreamsModel *m_model;
    StreamsFilterModel *m_proxy;
    QLineEdit *m_filter;
    QCheckBox *m_onlyBehind;
    QSpinBox *m_threshold;
    QLabel *m_summary;
    QTableView *m_view;
    int m_lastBehind = -1;
};

} // namespace confab::console

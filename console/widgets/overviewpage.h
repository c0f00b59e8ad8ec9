#pragma once

#include "core/statshistory.h"

#include <QHash>
#include <QWidget>

class QChart;
class QChartView;
class QDateTimeAxis;
class QLabel;
class QLineSeries;
class QTableView;
class QValueAxis;

namespace confab::console
{

class NodesModel;

// Live figures, charts of the last minutes and the nodes table.
class OverviewPage : public QWidget
{
    Q_OBJECT

public:
    explicit OverviewPage(QWidget *parent = nullptr);

    void showStats(const Stats &stats);
    void clear();

    [[nodiscard]] const StatsHistory &history() const { return m_history; }
    [[nodiscard]] NodesModel *nodesModel() const { return m_nodes; }
    // The text shown for a figure, by its key ("connections", "stream_depth", ...).
    [[nodiscard]] QString figureText(const QString &key) const;

    // How much history the charts show.
    static constexpr qint64 kChartWindowMs = 10 * 60 * 1000;

protected:
    void changeEvent(QEvent *event) override;

private:
    struct Chart {
        QChartView *view = nullptr;
        QDateTimeAxis *x = nullptr;
        QValueAxis *y = nullptr;
        QList<QLineSeries *> series;
    };
    QLabel *addFigure(const QString &key, const QString &title, int row, int column);
    Chart makeChart(const QString &title, const QString &yTitle, const QStringList &seriesNames);
    void updateCharts();
    void applyChartTheme();

    StatsHistory m_history;
    NodesModel *m_nodes;
    QTableView *m_nodesView;
    QHash<QString, QLabel *> m_figures;
    QWidget *m_figureBox;
    Chart m_depthChart;
    Chart m_flushChart;
    Chart m_ingestChart;
};

} // namespace confab::console

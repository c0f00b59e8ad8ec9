#pragma once

#include "core/statshistory.h"

#include <QHash>
#include <QWidget>

class QChart;
class QComboBox;
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

    // Narrows the charts to one app (empty: the whole deployment); flush latency stays the
    // node's, it is not per app.
    void setAppFilter(const QString &appId);
    [[nodiscard]] QString appFilter() const;
    [[nodiscard]] QComboBox *appFilterBox() const { return m_appBox; }
    // The y axis top and tick count for data up to maxY: whole-number steps of 1, 2 or 5
    // times a power of ten, so integer labels never repeat (0, 1, 1, 2).
    [[nodiscard]] static QPair<double, int> niceAxis(double maxY);

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
    void updateAppChoices(const QList<AppStats> &apps);

    StatsHistory m_history;
    NodesModel *m_nodes;
    QTableView *m_nodesView;
    QHash<QString, QLabel *> m_figures;
    QWidget *m_figureBox;
    Chart m_depthChart;
    Chart m_flushChart;
    Chart m_ingestChart;
    QComboBox *m_appBox;
};

} // namespace confab::console

#include "widgets/overviewpage.h"

#include "core/format.h"
#include "core/nodesmodel.h"
#include "core/roles.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>

namespace confab::console
{

OverviewPage::OverviewPage(QWidget *parent)
    : QWidget(parent)
    , m_history(600)
{
    setObjectName(QStringLiteral("overviewPage"));

    m_figureBox = new QWidget(this);
    auto *grid = new QGridLayout(m_figureBox);
    grid->setContentsMargins(0, 0, 0, 0);
    addFigure(QStringLiteral("connections"), tr("Connections"), 0, 0);
    addFigure(QStringLiteral("ingest"), tr("Ingest"), 0, 1);
    addFigure(QStringLiteral("stream_depth"), tr("Stream depth"), 0, 2);
    addFigure(QStringLiteral("dead_letters"), tr("Dead letters"), 0, 3);
    addFigure(QStringLiteral("redis_memory"), tr("Redis memory"), 0, 4);
    addFigure(QStringLiteral("flush_p50"), tr("Flush p50"), 1, 0);
    addFigure(QStringLiteral("flush_p95"), tr("Flush p95"), 1, 1);
    addFigure(QStringLiteral("flush_p99"), tr("Flush p99"), 1, 2);
    addFigure(QStringLiteral("flush_last"), tr("Last flush"), 1, 3);
    addFigure(QStringLiteral("segments"), tr("Segments written"), 1, 4);

    m_depthChart = makeChart(tr("Stream depth"), tr("messages"), { tr("depth") });
    m_flushChart = makeChart(tr("Flush latency"), tr("ms"), { tr("p50"), tr("p95"), tr("p99") });
    m_ingestChart = makeChart(tr("Ingest rate"), tr("messages/s"), { tr("ingest") });

    m_nodes = new NodesModel(this);
    auto *nodesProxy = new QSortFilterProxyModel(this);
    nodesProxy->setSourceModel(m_nodes);
    nodesProxy->setSortRole(SortRole);
    m_nodesView = new QTableView(this);
    m_nodesView->setObjectName(QStringLiteral("nodesView"));
    m_nodesView->setAccessibleName(tr("Nodes"));
    m_nodesView->setModel(nodesProxy);
    m_nodesView->setSortingEnabled(true);
    m_nodesView->sortByColumn(NodesModel::NodeColumn, Qt::AscendingOrder);
    m_nodesView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_nodesView->verticalHeader()->hide();
    m_nodesView->horizontalHeader()->setSectionResizeMode(
        NodesModel::NodeColumn, QHeaderView::Stretch);
    auto *nodesBox = new QGroupBox(tr("Nodes"), this);
    auto *nodesLayout = new QVBoxLayout(nodesBox);
    nodesLayout->addWidget(m_nodesView);

    m_appBox = new QComboBox(this);
    m_appBox->setObjectName(QStringLiteral("chartAppBox"));
    m_appBox->setAccessibleName(tr("App shown in the charts"));
    m_appBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_appBox->addItem(tr("All apps"), QString());
    connect(m_appBox, &QComboBox::currentIndexChanged, this, [this] { updateCharts(); });
    auto *appRow = new QHBoxLayout;
    auto *appLabel = new QLabel(tr("Charts for:"), this);
    appLabel->setBuddy(m_appBox);
    appRow->addWidget(appLabel);
    appRow->addWidget(m_appBox);
    appRow->addStretch(1);

    auto *charts = new QWidget(this);
    auto *chartsLayout = new QGridLayout(charts);
    chartsLayout->setContentsMargins(0, 0, 0, 0);
    chartsLayout->addWidget(m_depthChart.view, 0, 0);
    chartsLayout->addWidget(m_flushChart.view, 0, 1);
    chartsLayout->addWidget(m_ingestChart.view, 1, 0);
    chartsLayout->addWidget(nodesBox, 1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_figureBox);
    layout->addLayout(appRow);
    layout->addWidget(charts, 1);
    applyChartTheme();
    clear();
}

QLabel *OverviewPage::addFigure(const QString &key, const QString &title, int row, int column)
{
    auto *box = new QGroupBox(title, m_figureBox);
    auto *value = new QLabel(box);
    value->setObjectName(QStringLiteral("figure_") + key);
    value->setAccessibleName(title);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont f = value->font();
    f.setPointSizeF(f.pointSizeF() * 1.6);
    f.setBold(true);
    value->setFont(f);
    auto *l = new QVBoxLayout(box);
    l->addWidget(value);
    static_cast<QGridLayout *>(m_figureBox->layout())->addWidget(box, row, column);
    m_figures.insert(key, value);
    return value;
}

OverviewPage::Chart OverviewPage::makeChart(
    const QString &title, const QString &yTitle, const QStringList &seriesNames)
{
    Chart c;
    auto *chart = new QChart;
    chart->setTitle(title);
    chart->legend()->setVisible(seriesNames.size() > 1);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    c.x = new QDateTimeAxis(chart);
    c.x->setFormat(QStringLiteral("HH:mm"));
    c.x->setTickCount(6);
    c.y = new QValueAxis(chart);
    c.y->setTitleText(yTitle);
    c.y->setLabelFormat(QStringLiteral("%.0f"));
    chart->addAxis(c.x, Qt::AlignBottom);
    chart->addAxis(c.y, Qt::AlignLeft);
    for (const QString &name : seriesNames) {
        auto *s = new QLineSeries(chart);
        s->setName(name);
        chart->addSeries(s);
        s->attachAxis(c.x);
        s->attachAxis(c.y);
        c.series.append(s);
    }
    c.view = new QChartView(chart, this);
    c.view->setRenderHint(QPainter::Antialiasing);
    c.view->setAccessibleName(title);
    c.view->setMinimumSize(320, 180);
    return c;
}

void OverviewPage::showStats(const Stats &stats)
{
    const QLocale locale;
    m_figures.value(QStringLiteral("connections"))->setText(locale.toString(stats.connections));
    m_figures.value(QStringLiteral("ingest"))->setText(Format::rate(stats.ingestPerS));
    m_figures.value(QStringLiteral("stream_depth"))->setText(locale.toString(stats.streamDepth));
    m_figures.value(QStringLiteral("dead_letters"))
        ->setText(locale.toString(stats.deadLetterCount));
    m_figures.value(QStringLiteral("redis_memory"))
        ->setText(Format::bytes(stats.redisUsedMemoryBytes));
    m_figures.value(QStringLiteral("flush_p50"))->setText(Format::milliseconds(stats.flush.p50Ms));
    m_figures.value(QStringLiteral("flush_p95"))->setText(Format::milliseconds(stats.flush.p95Ms));
    m_figures.value(QStringLiteral("flush_p99"))->setText(Format::milliseconds(stats.flush.p99Ms));
    m_figures.value(QStringLiteral("flush_last"))
        ->setText(Format::milliseconds(stats.flush.lastMs));
    m_figures.value(QStringLiteral("segments"))
        ->setText(tr("%1 (%2)").arg(
            locale.toString(stats.flush.segmentsTotal), Format::bytes(stats.flush.bytesTotal)));
    m_nodes->setNodes(stats.nodes, stats.nodeId);
    updateAppChoices(stats.apps);
    m_history.append(stats);
    updateCharts();
}

void OverviewPage::clear()
{
    for (QLabel *l : std::as_const(m_figures))
        l->setText(QStringLiteral("–"));
    m_nodes->clear();
    m_history.clear();
    m_appBox->setCurrentIndex(0);
    while (m_appBox->count() > 1)
        m_appBox->removeItem(1);
    updateCharts();
}

QString OverviewPage::figureText(const QString &key) const
{
    const QLabel *l = m_figures.value(key);
    return l ? l->text() : QString();
}

void OverviewPage::updateAppChoices(const QList<AppStats> &apps)
{
    // Items keep their place so the current choice survives; names follow renames.
    for (const AppStats &a : apps) {
        const int i = m_appBox->findData(a.appId);
        const QString text = a.name.isEmpty() ? a.appId : a.name;
        if (i < 0) {
            m_appBox->addItem(text, a.appId);
            m_appBox->setItemData(m_appBox->count() - 1, tr("App id: %1").arg(a.appId), Qt::ToolTipRole);
        } else if (m_appBox->itemText(i) != text) {
            m_appBox->setItemText(i, text);
        }
    }
}

void OverviewPage::setAppFilter(const QString &appId)
{
    int i = m_appBox->findData(appId);
    if (i < 0 && !appId.isEmpty()) {
        m_appBox->addItem(appId, appId);
        i = m_appBox->count() - 1;
    }
    m_appBox->setCurrentIndex(std::max(0, i));
}

QString OverviewPage::appFilter() const
{
    return m_appBox->currentData().toString();
}

QPair<double, int> OverviewPage::niceAxis(double maxY)
{
    constexpr int kIntervals = 4;
    const double wanted = std::max(1.0, maxY * 1.1) / kIntervals;
    double magnitude = 1;
    while (magnitude * 10 <= wanted)
        magnitude *= 10;
    double step = magnitude;
    for (double m : { 1.0, 2.0, 5.0, 10.0 }) {
        step = m * magnitude;
        if (step >= wanted)
            break;
    }
    return { step * kIntervals, kIntervals + 1 };
}

void OverviewPage::updateCharts()
{
    const StatsSample latest = m_history.latest();
    const qint64 end = m_history.isEmpty() ? QDateTime::currentMSecsSinceEpoch() : latest.ts;
    const qint64 start = end - kChartWindowMs;
    QList<StatsSample> samples = m_history.samplesSince(start);
    const QString app = appFilter();
    if (!app.isEmpty())
        for (StatsSample &s : samples)
            s = s.forApp(app);

    auto plot = [&](Chart &c, const QList<double (*)(const StatsSample &)> &values) {
        double maxY = 0;
        for (qsizetype i = 0; i < c.series.size(); ++i) {
            QList<QPointF> points;
            points.reserve(samples.size());
            for (const StatsSample &s : samples) {
                const double y = values.at(i)(s);
                maxY = std::max(maxY, y);
                points.append(QPointF(double(s.ts), y));
            }
            c.series.at(i)->replace(points);
        }
        c.x->setRange(QDateTime::fromMSecsSinceEpoch(start), QDateTime::fromMSecsSinceEpoch(end));
        const auto [top, ticks] = niceAxis(maxY);
        c.y->setRange(0, top);
        c.y->setTickCount(ticks);
    };
    plot(m_depthChart, { [](const StatsSample &s) { return double(s.streamDepth); } });
    plot(m_flushChart,
        { [](const StatsSample &s) { return s.flushP50Ms; },
            [](const StatsSample &s) { return s.flushP95Ms; },
            [](const StatsSample &s) { return s.flushP99Ms; } });
    plot(m_ingestChart, { [](const StatsSample &s) { return s.ingestPerS; } });
}

void OverviewPage::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        applyChartTheme();
    QWidget::changeEvent(event);
}

void OverviewPage::applyChartTheme()
{
    // Qt Charts does not follow the palette by itself; pick its theme from the window colour.
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    for (Chart *c : { &m_depthChart, &m_flushChart, &m_ingestChart }) {
        if (!c->view)
            continue;
        QChart *chart = c->view->chart();
        const auto theme = dark ? QChart::ChartThemeDark : QChart::ChartThemeLight;
        if (chart->theme() != theme) {
            chart->setTheme(theme);
            chart->setBackgroundBrush(palette().brush(QPalette::Base));
        }
    }
}

} // namespace confab::console

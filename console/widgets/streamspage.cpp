#include "widgets/streamspage.h"

#include "core/streamsmodel.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QTableView>
#include <QVBoxLayout>

namespace confab::console
{

StreamsPage::StreamsPage(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("streamsPage"));
    m_model = new StreamsModel(this);
    m_proxy = new StreamsFilterModel(this);
    m_proxy->setSourceModel(m_model);

    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("streamsFilter"));
    m_filter->setPlaceholderText(tr("Filter by app or conversation (Ctrl+F)"));
    m_filter->setAccessibleName(tr("Filter streams"));
    m_filter->setClearButtonEnabled(true);
    m_onlyBehind = new QCheckBox(tr("Only streams falling &behind"), this);
    m_onlyBehind->setObjectName(QStringLiteral("onlyBehind"));
    m_threshold = new QSpinBox(this);
    m_threshold->setObjectName(QStringLiteral("behindThreshold"));
    m_threshold->setRange(1, 24 * 3600);
    m_threshold->setValue(int(m_model->behindThresholdMs() / 1000));
    m_threshold->setSuffix(tr(" s"));
    m_threshold->setAccessibleName(tr("Falls behind after"));
    auto *thresholdLabel = new QLabel(tr("Falls behind &after:"), this);
    thresholdLabel->setBuddy(m_threshold);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("streamsSummary"));
    m_summary->setAccessibleName(tr("Streams summary"));

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_filter, 2);
    bar->addWidget(m_onlyBehind);
    bar->addSpacing(12);
    bar->addWidget(thresholdLabel);
    bar->addWidget(m_threshold);
    bar->addStretch(1);
    bar->addWidget(m_summary);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("streamsView"));
    m_view->setAccessibleName(tr("Streams"));
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(StreamsModel::DepthColumn, Qt::DescendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setAlternatingRowColors(true);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);

    connect(m_filter, &QLineEdit::textChanged, m_proxy, &StreamsFilterModel::setFilterText);
    connect(m_onlyBehind, &QCheckBox::toggled, m_proxy, &StreamsFilterModel::setOnlyBehind);
    connect(m_threshold, &QSpinBox::valueChanged, this, [this](int seconds) {
        m_model->setBehindThresholdMs(qint64(seconds) * 1000);
        m_proxy->invalidate();
        updateSummary();
        Q_EMIT behindThresholdChanged(seconds);
    });
    updateSummary();
}

void StreamsPage::showStats(const Stats &stats)
{
    m_model->setStreams(stats.streams);
    updateSummary();
}

void StreamsPage::clear()
{
    m_model->clear();
    updateSummary();
}

void StreamsPage::focusFilter()
{
    m_filter->setFocus(Qt::ShortcutFocusReason);
    m_filter->selectAll();
}

void StreamsPage::setBehindThresholdSeconds(int seconds)
{
    m_threshold->setValue(seconds);
}

void StreamsPage::updateSummary()
{
    const int behind = m_model->behindCount();
    m_summary->setText(tr("%n stream(s)", nullptr, m_model->rowCount()) + QStringLiteral(", ")
        + tr("%n falling behind", nullptr, behind));
    if (behind != m_lastBehind) {
        m_lastBehind = behind;
        Q_EMIT behindCountChanged(behind);
    }
}

} // namespace confab::console

#include "views/hyperparameter_view.h"

#include "views/qcp.h"
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSplitter>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/qt_text.h"
#include "views/async_load.h"
#include "views/curves_view.h"
#include "views/export.h"
#include "views/plot_style.h"

namespace scns {

namespace {

constexpr double kAxisHalfWidth = 0.07;  // a brush's half width, in axis spacings
constexpr double kGrab = 0.25;  // how near an axis (in axis spacings) a drag brushes it

QColor metricColor(double position)
{
    static QCPColorGradient gradient(QCPColorGradient::gpJet);  // color() is not const (it caches)
    return std::isfinite(position) ? gradient.color(position, QCPRange(0, 1)) : QColor(Qt::gray);
}

QString axisTitleOf(const QString& metric)
{
    const QString unit = metricUnit(metric == kBestTop1 ? QStringLiteral("test/top1") : metric);
    return unit.isEmpty() ? metric : QStringLiteral("%1 (%2)").arg(metric, unit);
}

}  // namespace

HyperparameterView::HyperparameterView(QWidget* parent)
    : QWidget(parent)
    , m_metricCombo(new QComboBox(this))
    , m_scatterCombo(new QComboBox(this))
    , m_clear(new QPushButton(tr("Clear brushes"), this))
    , m_status(new QLabel(this))
    , m_parallel(new QCustomPlot(this))
    , m_scatter(new QCustomPlot(this))
{
    m_metricCombo->setObjectName(QStringLiteral("metric"));
    m_metricCombo->setToolTip(tr("The metric of the last axis and the scatter's y: a metric's last value, or the best "
                                 "test top-1"));
    m_scatterCombo->setObjectName(QStringLiteral("scatterSetting"));
    m_scatterCombo->setToolTip(tr("The setting on the scatter's x axis"));
    m_clear->setEnabled(false);
    setupPlot(*m_parallel);
    setupPlot(*m_scatter);
    // The lines' colour scale: the metric from low (blue) to high (red), right of the axes.
    m_colorScale = new QCPColorScale(m_parallel);
    m_colorScale->setGradient(QCPColorGradient::gpJet);
    m_colorScale->setBarWidth(10);
    m_parallel->plotLayout()->addElement(0, 1, m_colorScale);
    applyPalette(*m_parallel, m_parallel->palette());
    m_parallel->setInteractions({});  // a drag brushes, it does not pan
    m_parallel->yAxis->setTickLabels(false);
    m_parallel->yAxis->setTicks(false);
    m_parallel->yAxis->setBasePen(Qt::NoPen);
    m_parallel->yAxis->grid()->setVisible(false);
    m_parallel->xAxis->grid()->setVisible(false);
    m_parallel->xAxis->setBasePen(Qt::NoPen);
    m_parallel->xAxis->setTicks(false);
    m_parallel->yAxis->setRange(-0.1, 1.1);
    m_scatter->setInteractions(QCP::iSelectPlottables | QCP::iMultiSelect);
    m_scatter->setSelectionRectMode(QCP::srmSelect);

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Metric:"), this));
    controls->addWidget(m_metricCombo);
    controls->addSpacing(12);
    controls->addWidget(new QLabel(tr("Scatter x:"), this));
    controls->addWidget(m_scatterCombo);
    controls->addSpacing(12);
    controls->addWidget(m_clear);
    controls->addWidget(m_status, 1);
    const auto exported = [this] { return m_parallel; };
    controls->addWidget(makePlotExportButton(this, exported, QStringLiteral("parallel-coordinates")));
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_parallel);
    split->addWidget(m_scatter);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(split, 1);

    connect(m_metricCombo, &QComboBox::currentTextChanged, this, [this] { rebuild(); });
    connect(m_scatterCombo, &QComboBox::currentTextChanged, this, [this] { drawScatter(); });
    connect(m_clear, &QPushButton::clicked, this, &HyperparameterView::clearBrushes);
    connect(m_parallel, &QCustomPlot::mousePress, this, &HyperparameterView::onParallelPress);
    connect(m_parallel, &QCustomPlot::mouseMove, this, &HyperparameterView::onParallelMove);
    connect(m_parallel, &QCustomPlot::mouseRelease, this, &HyperparameterView::onParallelRelease);
    connect(m_scatter, &QCustomPlot::selectionChangedByUser, this, &HyperparameterView::onScatterSelection);
}

void HyperparameterView::setRuns(const QString& dbPath, const QList<qint64>& runIds)
{
    m_dbPath = dbPath;
    const quint64 generation = ++m_generation;
    m_loading = true;
    m_status->setText(tr("Loading %1…").arg(countText(runIds.size(), "run", "runs")));
    const std::filesystem::path path = dbPath.toStdString();
    loadAsync(
        this, [path, runIds] { return loadHyperparameterRuns(path, runIds); },
        [this, generation](const Loaded<HyperparameterLoad>& result) {
            if (generation != m_generation)
                return;
            m_loading = false;
            if (!result.value) {
                m_status->setText(result.error);
                Q_EMIT loadFailed(result.error);
                return;
            }
            apply(*result.value);
            Q_EMIT loaded();
        });
}

void HyperparameterView::apply(HyperparameterLoad load)
{
    m_runs = std::move(load.runs);
    const QString before = metric();
    {
        QSignalBlocker block(m_metricCombo);
        m_metricCombo->clear();
        m_metricCombo->addItems(load.metrics);
        if (load.metrics.contains(before))
            m_metricCombo->setCurrentText(before);
    }
    rebuild();
    if (!load.errors.isEmpty())
        m_status->setText(load.errors.join(QLatin1Char('\n')));
}

QStringList HyperparameterView::metrics() const
{
    QStringList out;
    for (int i = 0; i < m_metricCombo->count(); ++i)
        out << m_metricCombo->itemText(i);
    return out;
}

QString HyperparameterView::metric() const { return m_metricCombo->currentText(); }
void HyperparameterView::setMetric(const QString& metric) { m_metricCombo->setCurrentText(metric); }
QString HyperparameterView::scatterSetting() const { return m_scatterCombo->currentText(); }
void HyperparameterView::setScatterSetting(const QString& key) { m_scatterCombo->setCurrentText(key); }

void HyperparameterView::rebuild()
{
    m_axes = parallelAxes(m_runs, metric());
    m_brushes.clear();  // positions meant other axes
    const QString before = scatterSetting();
    {
        QSignalBlocker block(m_scatterCombo);
        m_scatterCombo->clear();
        for (std::size_t i = 0; i + 1 < m_axes.size(); ++i)
            m_scatterCombo->addItem(m_axes[i].key);
        if (m_scatterCombo->findText(before) >= 0)
            m_scatterCombo->setCurrentText(before);
    }
    drawParallel();
    drawScatter();
    m_brushed = brushedRuns(m_runs, m_axes, m_brushes, metric());
    restyle();
}

void HyperparameterView::drawParallel()
{
    m_parallel->clearGraphs();
    m_parallel->clearItems();
    m_lines.clear();
    m_dragRect = nullptr;
    const int n = static_cast<int>(m_axes.size());
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    const QColor text = palette().color(QPalette::Text);
    for (int i = 0; i < n; ++i) {
        const ParallelAxis& axis = m_axes[static_cast<std::size_t>(i)];
        ticker->addTick(i, i == n - 1 ? axisTitleOf(axis.key) : axis.key);
        auto* line = new QCPItemLine(m_parallel);
        line->start->setCoords(i, 0);
        line->end->setCoords(i, 1);
        line->setPen(QPen(text, 1.2));
        // Value labels: the ends of a numeric axis, every category of another.
        QList<double> at;
        if (axis.numeric)
            at = {0.0, 1.0};
        else
            for (qsizetype c = 0; c < axis.categories.size(); ++c)
                at << (axis.categories.size() > 1 ? double(c) / double(axis.categories.size() - 1) : 0.5);
        for (double p : at) {
            auto* label = new QCPItemText(m_parallel);
            label->position->setCoords(i, p);
            label->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
            label->setPadding(QMargins(6, 0, 0, 0));
            label->setText(axis.label(p));
            label->setColor(text);
            label->setClipToAxisRect(false);
        }
    }
    m_parallel->xAxis->setTicker(ticker);
    m_parallel->xAxis->setTicks(true);
    m_parallel->xAxis->setTickLength(0);
    m_parallel->xAxis->setSubTicks(false);
    m_parallel->xAxis->setTickPen(Qt::NoPen);
    m_parallel->xAxis->setTickLabelRotation(n > 6 ? -25 : 0);
    m_parallel->xAxis->setRange(-0.3, std::max(0, n - 1) + 0.6);
    if (n > 0) {
        m_colorScale->setDataRange(QCPRange(m_axes.back().min, m_axes.back().max));
        m_colorScale->axis()->setLabel(axisTitleOf(m_axes.back().key));
    }
    if (n < 2) {
        m_parallel->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    QVector<double> keys(n);
    std::iota(keys.begin(), keys.end(), 0.0);
    for (const auto& run : m_runs) {
        QVector<double> values(n);
        for (int i = 0; i < n; ++i)
            values[i] = axisPosition(m_axes[static_cast<std::size_t>(i)], run, metric(), i == n - 1);
        QCPGraph* g = m_parallel->addGraph();
        g->setName(run.name);
        g->setData(keys, values, true);
        g->setSelectable(QCP::stNone);
        m_lines[run.id] = g;
    }
    m_parallel->replot(QCustomPlot::rpQueuedReplot);
}

void HyperparameterView::drawScatter()
{
    m_scatter->clearGraphs();
    m_scatterOrder.clear();
    const QString key = scatterSetting();
    const auto axis = std::find_if(m_axes.begin(), m_axes.end(), [&](const ParallelAxis& a) { return a.key == key; });
    if (key.isEmpty() || axis == m_axes.end() || m_axes.empty()) {
        m_scatter->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    // x: the setting's value (numeric) or its category's index; y: the metric.
    struct Point {
        double x, y;
        qint64 id;
    };
    std::vector<Point> points;
    for (const auto& run : m_runs) {
        const double p = axisPosition(*axis, run, QString(), false);
        const auto v = run.values.find(metric().toStdString());
        if (!std::isfinite(p) || v == run.values.end() || !std::isfinite(v->second))
            continue;
        const double x = axis->numeric ? axis->min + p * (axis->max - axis->min)
                                       : std::round(p * double(std::max<qsizetype>(1, axis->categories.size() - 1)));
        points.push_back({x, v->second, run.id});
    }
    std::stable_sort(points.begin(), points.end(), [](const Point& a, const Point& b) { return a.x < b.x; });
    QVector<double> xs, ys;
    for (const Point& p : points) {
        xs << p.x;
        ys << p.y;
        m_scatterOrder.push_back(p.id);
    }
    QCPGraph* all = m_scatter->addGraph();
    all->setLineStyle(QCPGraph::lsNone);
    all->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, runColor(0), 8));
    all->setSelectable(QCP::stMultipleDataRanges);
    all->selectionDecorator()->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, QColor(0xd62728), 11),
                                               QCPScatterStyle::spAll);
    all->setData(xs, ys, true);
    QCPGraph* brushed = m_scatter->addGraph();  // the parallel plot's brushed runs, ringed
    brushed->setLineStyle(QCPGraph::lsNone);
    brushed->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(palette().color(QPalette::Text), 1.5), QBrush(), 13));
    brushed->setSelectable(QCP::stNone);
    if (axis->numeric) {
        m_scatter->xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    } else {
        auto ticker = QSharedPointer<QCPAxisTickerText>::create();
        for (qsizetype c = 0; c < axis->categories.size(); ++c)
            ticker->addTick(double(c), axis->categories[c]);
        m_scatter->xAxis->setTicker(ticker);
    }
    m_scatter->xAxis->setLabel(key);
    m_scatter->yAxis->setLabel(axisTitleOf(metric()));
    m_scatter->rescaleAxes();
    const QCPRange xr = m_scatter->xAxis->range(), yr = m_scatter->yAxis->range();
    const double xp = xr.size() > 0 ? xr.size() * 0.08 : 0.5, yp = yr.size() > 0 ? yr.size() * 0.1 : 0.5;
    m_scatter->xAxis->setRange(xr.lower - xp, xr.upper + xp);
    m_scatter->yAxis->setRange(yr.lower - yp, yr.upper + yp);
    restyle();
}

void HyperparameterView::restyle()
{
    const int n = static_cast<int>(m_axes.size());
    const bool any = !m_brushes.empty();
    for (const auto& run : m_runs) {
        QCPGraph* g = lineOf(run.id);
        if (!g)
            continue;
        const bool inside = m_brushed.contains(run.id);
        const double p = n > 0 ? axisPosition(m_axes.back(), run, metric(), true) : NAN;
        QColor c = inside ? metricColor(p) : QColor(160, 160, 160, 70);
        g->setPen(QPen(c, inside && any ? 2.4 : 1.6));
        g->setLayer(inside ? QStringLiteral("main") : QStringLiteral("background"));
    }
    // The brushes as shaded bands on their axes (items drawn again each time).
    for (int i = m_parallel->itemCount() - 1; i >= 0; --i)
        if (m_parallel->item(i)->objectName() == QLatin1String("brush"))
            m_parallel->removeItem(i);
    for (const auto& [axis, brush] : m_brushes) {
        auto* rect = new QCPItemRect(m_parallel);
        rect->setObjectName(QStringLiteral("brush"));
        rect->topLeft->setCoords(axis - kAxisHalfWidth, brush.high);
        rect->bottomRight->setCoords(axis + kAxisHalfWidth, brush.low);
        rect->setPen(QPen(QColor(0x1f77b4), 1));
        rect->setBrush(QColor(31, 119, 180, 60));
    }
    if (m_scatter->graphCount() == 2) {
        QVector<double> xs, ys;
        const auto data = m_scatter->graph(0)->data();
        for (std::size_t i = 0; i < m_scatterOrder.size(); ++i)
            if (any && m_brushed.contains(m_scatterOrder[i])) {
                xs << data->at(static_cast<int>(i))->key;
                ys << data->at(static_cast<int>(i))->value;
            }
        m_scatter->graph(1)->setData(xs, ys, true);
    }
    m_clear->setEnabled(any);
    if (m_runs.empty())
        m_status->setText(tr("Open runs in the views (Runs > Open in views) to compare their settings."));
    else if (n < 2)
        m_status->setText(tr("The opened runs share every setting: nothing to plot against."));
    else if (any)
        m_status->setText(
            tr("%1 of %2 runs inside the brushes (selected in Runs)").arg(m_brushed.size()).arg(m_runs.size()));
    else
        m_status->setText(tr("%1. Drag along an axis to brush a range; drag over the scatter to select.")
                              .arg(countText(static_cast<qint64>(m_runs.size()), "run", "runs")));
    m_parallel->replot(QCustomPlot::rpQueuedReplot);
    m_scatter->replot(QCustomPlot::rpQueuedReplot);
}

QCPGraph* HyperparameterView::lineOf(qint64 runId) const
{
    const auto it = m_lines.find(runId);
    return it == m_lines.end() ? nullptr : it->second;
}

bool HyperparameterView::scatterPoint(qint64 runId, double& x, double& y) const
{
    for (std::size_t i = 0; i < m_scatterOrder.size(); ++i)
        if (m_scatterOrder[i] == runId && m_scatter->graphCount() > 0) {
            x = m_scatter->graph(0)->data()->at(static_cast<int>(i))->key;
            y = m_scatter->graph(0)->data()->at(static_cast<int>(i))->value;
            return true;
        }
    return false;
}

void HyperparameterView::brushAxis(int axis, double low, double high)
{
    if (axis < 0 || axis >= static_cast<int>(m_axes.size()))
        return;
    if (low > high)
        std::swap(low, high);
    if (high - low < 1e-3)
        m_brushes.erase(axis);
    else
        m_brushes[axis] = Brush{std::clamp(low, 0.0, 1.0), std::clamp(high, 0.0, 1.0)};
    m_brushed = brushedRuns(m_runs, m_axes, m_brushes, metric());
    restyle();
    if (!m_brushes.empty())
        Q_EMIT runsBrushed(m_brushed);
}

void HyperparameterView::clearBrushes()
{
    m_brushes.clear();
    m_brushed = brushedRuns(m_runs, m_axes, m_brushes, metric());
    restyle();
}

void HyperparameterView::onParallelPress(QMouseEvent* e)
{
    const double key = m_parallel->xAxis->pixelToCoord(e->position().x());
    const int axis = static_cast<int>(std::lround(key));
    if (axis < 0 || axis >= static_cast<int>(m_axes.size()) || std::abs(key - axis) > kGrab)
        return;
    m_dragAxis = axis;
    m_dragFrom = std::clamp(m_parallel->yAxis->pixelToCoord(e->position().y()), 0.0, 1.0);
    m_dragRect = new QCPItemRect(m_parallel);
    m_dragRect->setPen(QPen(QColor(0x1f77b4), 1, Qt::DashLine));
    m_dragRect->setBrush(QColor(31, 119, 180, 40));
    m_dragRect->topLeft->setCoords(axis - kAxisHalfWidth, m_dragFrom);
    m_dragRect->bottomRight->setCoords(axis + kAxisHalfWidth, m_dragFrom);
}

void HyperparameterView::onParallelMove(QMouseEvent* e)
{
    if (m_dragAxis < 0 || !m_dragRect)
        return;
    const double to = std::clamp(m_parallel->yAxis->pixelToCoord(e->position().y()), 0.0, 1.0);
    m_dragRect->topLeft->setCoords(m_dragAxis - kAxisHalfWidth, std::max(m_dragFrom, to));
    m_dragRect->bottomRight->setCoords(m_dragAxis + kAxisHalfWidth, std::min(m_dragFrom, to));
    m_parallel->replot(QCustomPlot::rpQueuedReplot);
}

void HyperparameterView::onParallelRelease(QMouseEvent* e)
{
    if (m_dragAxis < 0)
        return;
    const int axis = m_dragAxis;
    m_dragAxis = -1;
    if (m_dragRect) {
        m_parallel->removeItem(m_dragRect);
        m_dragRect = nullptr;
    }
    // A click (no drag) on an axis clears its brush.
    brushAxis(axis, m_dragFrom, std::clamp(m_parallel->yAxis->pixelToCoord(e->position().y()), 0.0, 1.0));
}

void HyperparameterView::onScatterSelection()
{
    if (m_scatter->graphCount() == 0)
        return;
    QList<qint64> ids;
    for (const QCPDataRange& range : m_scatter->graph(0)->selection().dataRanges())
        for (int i = range.begin(); i < range.end(); ++i)
            if (i >= 0 && static_cast<std::size_t>(i) < m_scatterOrder.size())
                ids << m_scatterOrder[static_cast<std::size_t>(i)];
    if (!ids.isEmpty()) {
        m_status->setText(
            tr("%1 selected in the scatter (selected in Runs)").arg(countText(ids.size(), "run", "runs")));
        Q_EMIT runsBrushed(ids);
    }
}

}  // namespace scns

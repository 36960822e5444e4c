#include "views/curves_view.h"

#include "views/qcp.h"
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <set>

#include "common/qt_text.h"
#include "train/metric_names.h"
#include "views/async_load.h"
#include "views/export.h"
#include "views/plot_style.h"

namespace scns {

QString CurvesView::graphKey(qint64 runId, const QString& metric)
{
    return QString::number(runId) + QLatin1Char('\n') + metric;
}

namespace {

// Seconds as h:mm:ss.
QString elapsedText(double seconds)
{
    const auto s = static_cast<qint64>(std::llround(std::max(0.0, seconds)));
    return QStringLiteral("%1:%2:%3")
        .arg(s / 3600)
        .arg((s / 60) % 60, 2, 10, QLatin1Char('0'))
        .arg(s % 60, 2, 10, QLatin1Char('0'));
}

// The metrics a fresh view shows: test accuracy if recorded, else the training loss.
QStringList defaultMetrics(const QStringList& available)
{
    for (const char* name : {metric::kTestTop1, metric::kTrainLoss})
        if (available.contains(QLatin1String(name)))
            return {QString::fromLatin1(name)};
    return available.isEmpty() ? QStringList() : QStringList{available.first()};
}

}  // namespace

CurvesView::CurvesView(QWidget* parent)
    : QWidget(parent)
    , m_metricList(new QListWidget(this))
    , m_axisCombo(new QComboBox(this))
    , m_smoothSlider(new QSlider(Qt::Horizontal, this))
    , m_smoothLabel(new QLabel(this))
    , m_logCheck(new QCheckBox(tr("Log y axis"), this))
    , m_groupCheck(new QCheckBox(tr("Seed groups"), this))
    , m_bandCombo(new QComboBox(this))
    , m_status(new QLabel(this))
    , m_plot(new QCustomPlot(this))
    , m_tracer(new QCPItemTracer(m_plot))
    , m_liveLayer(nullptr)
    , m_liveTimer(new QTimer(this))
{
    setupPlot(*m_plot);
    m_plot->legend->setVisible(true);
    m_plot->legend->setFont(font());
    applyPalette(*m_plot, m_plot->palette());  // the legend's colours too, now it is shown
    // The legend beside the data, not over it: a column of its own right of the axis rect
    // (the spacer below it keeps it at the top), as narrow as its entries.
    auto* legendColumn = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(0, 1, legendColumn);
    m_plot->plotLayout()->setColumnStretchFactor(1, 0.001);
    legendColumn->addElement(0, 0, m_plot->legend);  // takes it out of the axis rect's inset
    legendColumn->addElement(1, 0, new QCPLayoutElement(m_plot));
    legendColumn->setRowStretchFactor(0, 0.001);
    legendColumn->setMargins(QMargins(4, 10, 10, 0));  // clear of the widget edge, level with the axes
    m_plot->legend->setMargins(QMargins(6, 4, 6, 4));
    m_plot->installEventFilter(this);
    m_plot->xAxis->setLabel(tr("step"));
    // The right y axis carries metrics in another unit than the first ticked one (splitByUnit);
    // hidden until there are any, and without a grid of its own (the left one's is enough).
    m_plot->yAxis2->setTickLabels(true);
    m_plot->yAxis2->grid()->setVisible(false);
    m_plot->yAxis2->setVisible(false);
    m_plot->axisRect()->setRangeDragAxes({m_plot->xAxis}, {m_plot->yAxis, m_plot->yAxis2});
    m_plot->axisRect()->setRangeZoomAxes({m_plot->xAxis}, {m_plot->yAxis, m_plot->yAxis2});
    // Faint unsmoothed copies are drawn below every main curve.
    m_plot->addLayer(QStringLiteral("raw"), m_plot->layer(QStringLiteral("main")), QCustomPlot::limBelow);
    // Curves of running runs on their own buffered layer: a live update whose axes stay put
    // redraws them alone, not the finished runs beside them.
    m_plot->addLayer(QStringLiteral("live"), m_plot->layer(QStringLiteral("main")), QCustomPlot::limAbove);
    m_liveLayer = m_plot->layer(QStringLiteral("live"));
    m_liveLayer->setMode(QCPLayer::lmBuffered);
    m_tracer->setStyle(QCPItemTracer::tsCircle);
    m_tracer->setSize(9);
    m_tracer->setPen(QPen(Qt::black));
    m_tracer->setVisible(false);
    m_tracer->setInterpolating(false);
    // On QCustomPlot's buffered overlay layer: moving it redraws that layer only, not every
    // curve (a full replot of 20 dense runs per mouse move would lag).
    m_tracer->setLayer(QStringLiteral("overlay"));

    // In CurveAxis order.
    m_axisCombo->addItem(tr("Step"));
    m_axisCombo->addItem(tr("Epoch"));
    m_axisCombo->addItem(tr("Wall time"));
    m_axisCombo->addItem(tr("Relative time"));
    m_axisCombo->setObjectName(QStringLiteral("xAxis"));
    m_axisCombo->setToolTip(tr("Wall time: when each value was recorded (local time); relative time: since the "
                               "run's first value, so runs started at different times line up"));
    m_smoothSlider->setRange(0, 99);
    m_smoothSlider->setToolTip(tr("Exponential moving average weight of step-wise curves"));
    m_smoothLabel->setMinimumWidth(30);
    m_smoothSlider->setValue(static_cast<int>(std::lround(kDefaultSmoothing * 100)));
    m_smoothLabel->setText(QString::number(kDefaultSmoothing, 'f', 2));
    m_metricList->setToolTip(tr("Metrics to plot (all runs)"));
    m_metricList->setMaximumWidth(230);
    m_status->setWordWrap(true);
    m_status->setVisible(false);
    m_liveTimer->setSingleShot(true);
    m_liveTimer->setInterval(100);

    auto* fit = new QPushButton(tr("Fit"), this);
    fit->setToolTip(tr("Zoom to all data (or double-click the plot)"));

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("x:"), this));
    controls->addWidget(m_axisCombo);
    controls->addSpacing(12);
    controls->addWidget(new QLabel(tr("Smoothing:"), this));
    controls->addWidget(m_smoothSlider, 1);
    controls->addWidget(m_smoothLabel);
    controls->addSpacing(12);
    controls->addWidget(m_logCheck);
    controls->addSpacing(12);
    controls->addWidget(m_groupCheck);
    controls->addWidget(m_bandCombo);
    controls->addWidget(fit);
    controls->addWidget(makePlotExportButton(
        this, [this] { return m_plot; }, QStringLiteral("curves")));

    auto* right = new QVBoxLayout;
    right->addLayout(controls);
    right->addWidget(m_status);
    right->addWidget(m_plot, 1);
    auto* left = new QVBoxLayout;
    left->addWidget(new QLabel(tr("Metrics"), this));
    left->addWidget(m_metricList, 1);
    auto* layout = new QHBoxLayout(this);
    layout->addLayout(left);
    layout->addLayout(right, 1);

    connect(m_metricList, &QListWidget::itemChanged, this, [this] {
        m_wantedMetrics = selectedMetrics();
        m_fallback = false;
        rebuildGraphs();
    });
    connect(m_axisCombo, &QComboBox::currentIndexChanged, this, [this](int i) { setAxis(static_cast<CurveAxis>(i)); });
    connect(m_smoothSlider, &QSlider::valueChanged, this, [this](int v) {
        m_smoothLabel->setText(QString::number(v / 100.0, 'f', 2));
        for (auto it = m_graphs.begin(); it != m_graphs.end(); ++it)
            m_dirty.insert(it.key(), true);
        rebuildGraphs();
    });
    connect(m_logCheck, &QCheckBox::toggled, this, &CurvesView::setLogY);
    m_groupCheck->setObjectName(QStringLiteral("seedGroups"));
    m_groupCheck->setToolTip(tr("Runs that differ only by seed as one mean curve with a band, coloured by setting"));
    m_bandCombo->setObjectName(QStringLiteral("bandKind"));
    m_bandCombo->addItems({tr("± sd"), tr("95% CI")});
    m_bandCombo->setToolTip(tr("The band around a seed group's mean: one standard deviation of the runs, or the 95% "
                               "confidence interval of the mean (Student's t)"));
    m_bandCombo->setEnabled(false);
    connect(m_groupCheck, &QCheckBox::toggled, this, [this](bool on) {
        m_bandCombo->setEnabled(on);
        for (auto it = m_graphs.begin(); it != m_graphs.end(); ++it)
            m_dirty.insert(it.key(), true);
        rebuildGraphs();
    });
    connect(m_bandCombo, &QComboBox::currentIndexChanged, this, [this] { rebuildGraphs(); });
    connect(fit, &QPushButton::clicked, this, &CurvesView::fitAll);
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this] { fitAll(); });
    connect(m_plot, &QCustomPlot::mouseWheel, this, [this] { m_userZoomed = true; });
    // A drag that moved the view (not a click on the legend) stops live updates re-fitting it.
    connect(m_plot, &QCustomPlot::mousePress, this, [this] {
        m_pressLower = m_plot->xAxis->range().lower;
        m_pressUpper = m_plot->xAxis->range().upper;
    });
    connect(m_plot, &QCustomPlot::mouseRelease, this, [this] {
        if (m_plot->xAxis->range().lower != m_pressLower || m_plot->xAxis->range().upper != m_pressUpper)
            m_userZoomed = true;
    });
    connect(m_plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent* e) { onMouseMove(e->position()); });
    connect(m_liveTimer, &QTimer::timeout, this, &CurvesView::flushPending);
    connect(m_plot, &QCustomPlot::legendClick, this, [this](QCPLegend*, QCPAbstractLegendItem* item, QMouseEvent*) {
        auto* entry = qobject_cast<QCPPlottableLegendItem*>(item);
        if (!entry)
            return;
        for (auto it = m_graphs.cbegin(); it != m_graphs.cend(); ++it)
            if (it.value().main == entry->plottable()) {
                const auto parts = it.key().split(QLatin1Char('\n'));
                setCurveVisible(parts[0].toLongLong(), parts[1], !entry->plottable()->visible());
                return;
            }
    });
}

void CurvesView::setCurveVisible(qint64 runId, const QString& metric, bool visible)
{
    const GraphPair g = m_graphs.value(graphKey(runId, metric));
    if (!g.main)
        return;
    g.main->setVisible(visible);
    if (g.raw)
        g.raw->setVisible(visible);
    if (auto* entry = m_plot->legend->itemWithPlottable(g.main))
        entry->setTextColor(visible ? Qt::black : Qt::gray);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void CurvesView::setRuns(const QString& dbPath, const QList<qint64>& runIds)
{
    m_dbPath = dbPath;
    m_runIds = runIds;
    m_bufferedLive.clear();
    const quint64 generation = ++m_generation;
    if (runIds.isEmpty()) {
        m_loading = false;
        applyLoad({}, {});
        return;
    }
    m_loading = true;
    m_status->setText(tr("Loading %1…").arg(countText(runIds.size(), "run", "runs")));
    m_status->setVisible(true);
    const std::filesystem::path path = dbPath.toStdString();
    // Only the series on screen are read; others load when they are ticked.
    const QStringList wanted = m_wantedMetrics;
    m_loadedMetrics.clear();
    loadAsync(
        this,
        [path, runIds, wanted] {
            return loadRunCurves(path, runIds, [&wanted](const std::set<std::string>& available) {
                const QStringList pick = wanted.isEmpty() ? defaultMetrics(toQStringList(available)) : wanted;
                std::set<std::string> out;
                for (const auto& m : pick)
                    out.insert(m.toStdString());
                return out;
            });
        },
        [this, generation](const Loaded<RunCurvesLoad>& result) {
            if (generation != m_generation)
                return;  // a newer setRuns() superseded this load
            m_loading = false;
            for (const auto& run : result.value ? result.value->runs : std::vector<RunCurves>{})
                for (const auto& [name, rows] : run.series)
                    m_loadedMetrics.insert(QString::fromStdString(name));
            if (!result.value) {
                m_status->setText(result.error);
                Q_EMIT loadFailed(result.error);
                return;
            }
            auto load = *result.value;
            applyLoad(std::move(load.runs), load.errors);
        });
}

void CurvesView::applyLoad(std::vector<RunCurves> runs, const QStringList& errors)
{
    m_runs = std::move(runs);
    // Live rows that came while loading: keep those newer than what the store had.
    for (auto it = m_bufferedLive.begin(); it != m_bufferedLive.end(); ++it) {
        RunCurves* run = findRun(it.key());
        if (!run)
            continue;
        QList<MetricRow> fresh;
        for (const auto& row : it.value()) {
            auto s = run->series.find(row.name);
            if (s == run->series.end() || s->second.empty() || row.step > s->second.back().step)
                fresh << row;
        }
        run->append(fresh);
    }
    m_bufferedLive.clear();
    // Curves kept from before the load show the new rows too.
    for (auto it = m_graphs.cbegin(); it != m_graphs.cend(); ++it)
        m_dirty.insert(it.key(), true);
    m_status->setText(errors.join(QLatin1Char('\n')));
    m_status->setVisible(!errors.isEmpty());
    m_userZoomed = false;
    refreshMetricList();
    rebuildGraphs();
    Q_EMIT loaded();
}

RunCurves* CurvesView::findRun(qint64 runId)
{
    for (auto& r : m_runs)
        if (r.runId == runId)
            return &r;
    return nullptr;
}

QStringList CurvesView::availableMetrics() const { return metricNamesOf(m_runs); }

QStringList CurvesView::selectedMetrics() const
{
    QStringList out;
    for (int i = 0; i < m_metricList->count(); ++i)
        if (m_metricList->item(i)->checkState() == Qt::Checked)
            out << m_metricList->item(i)->text();
    return out;
}

void CurvesView::setSelectedMetrics(const QStringList& names)
{
    m_wantedMetrics = names;
    refreshMetricList();
    rebuildGraphs();
}

void CurvesView::refreshMetricList()
{
    const QStringList available = availableMetrics();
    if (m_wantedMetrics.isEmpty())
        m_wantedMetrics = defaultMetrics(available);
    // What is ticked: the wanted metrics the runs have. When they have none of them yet (a
    // new run records its loss long before its first test accuracy), the training loss (or
    // the first metric) stands in, so its curve shows from the first point; the wanted ones
    // take over once they appear, and the stand-in is not remembered as wanted.
    QStringList shown;
    for (const QString& name : m_wantedMetrics)
        if (available.contains(name))
            shown << name;
    const bool fallback = shown.isEmpty() && !available.isEmpty();
    if (fallback)
        shown = {available.contains(QLatin1String(metric::kTrainLoss)) ? QString::fromLatin1(metric::kTrainLoss)
                                                                       : available.first()};
    if (fallback != m_fallback || (fallback && shown != m_shownBefore))
        m_userZoomed = false;  // other curves: fit the view to them
    m_fallback = fallback;
    m_shownBefore = shown;
    QSignalBlocker block(m_metricList);
    m_metricList->clear();
    for (const auto& name : available) {
        auto* item = new QListWidgetItem(name, m_metricList);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
        item->setCheckState(shown.contains(name) ? Qt::Checked : Qt::Unchecked);
        if (fallback && shown.contains(name))
            item->setToolTip(tr("Shown until the runs record %1").arg(m_wantedMetrics.join(QStringLiteral(", "))));
    }
}

bool CurvesView::showsStandIn() const { return m_fallback; }

double CurvesView::smoothing() const { return m_smoothSlider->value() / 100.0; }

void CurvesView::setSmoothing(double weight)
{
    m_smoothSlider->setValue(static_cast<int>(std::lround(std::clamp(weight, 0.0, 0.99) * 100)));
}

QCPGraph* CurvesView::graphFor(qint64 runId, const QString& metric) const
{
    return m_graphs.value(graphKey(runId, metric)).main;
}

void CurvesView::updateGraphData(const RunCurves& run, const QString& metric, QCPGraph* graph, QCPGraph* raw) const
{
    auto s = run.series.find(metric.toStdString());
    if (s == run.series.end()) {
        graph->data()->clear();
        if (raw)
            raw->data()->clear();
        return;
    }
    const XYSeries xy = toSeries(s->second, m_axis, run.firstWallTime);
    const bool epochWise = isEpochWise(s->second);
    // Epoch-wise series have few points: mark them, with one marker shape per ticked metric so
    // two per-epoch metrics of one run (test/top1, test/top5) are told apart even where their
    // dash patterns are too short to see.
    static const std::array<QCPScatterStyle::ScatterShape, 5> shapes = {
        QCPScatterStyle::ssCircle, QCPScatterStyle::ssSquare, QCPScatterStyle::ssTriangle, QCPScatterStyle::ssDiamond,
        QCPScatterStyle::ssCrossSquare};
    const auto metricIndex = static_cast<std::size_t>(std::max<qsizetype>(0, selectedMetrics().indexOf(metric)));
    graph->setScatterStyle(epochWise ? QCPScatterStyle(shapes[metricIndex % shapes.size()], 6) : QCPScatterStyle());
    const bool smooth = smoothing() > 0 && !epochWise;
    // A wide antialiased pen costs ~8x the replot time of a 1 px one on dense curves (the
    // 20-run overlay: 150 ms against 18 ms): dense curves get the thin pen.
    QPen pen = graph->pen();
    pen.setWidthF(xy.x.size() > 1000 ? 1.0 : 1.6);
    graph->setPen(pen);
    graph->setData(xy.x, smooth ? emaSmooth(xy.y, smoothing()) : xy.y, true);
    if (raw)
        raw->setData(xy.x, xy.y, true);
}

void CurvesView::fetchMissing(const QStringList& metrics)
{
    // While loading, the load's result triggers this again.
    if (m_loading || m_runs.empty())
        return;
    std::set<std::string> missing;
    for (const auto& m : metrics)
        if (!m_loadedMetrics.contains(m)) {
            missing.insert(m.toStdString());
            m_loadedMetrics.insert(m);
        }
    if (missing.empty())
        return;
    QList<qint64> ids;
    for (const auto& r : m_runs)
        ids << r.runId;
    const quint64 generation = m_generation;
    const std::filesystem::path path = m_dbPath.toStdString();
    loadAsync(
        this, [path, ids, missing] { return loadSeries(path, ids, missing); },
        [this, generation,
         missing](const Loaded<std::map<qint64, std::map<std::string, std::vector<MetricRow>>>>& result) {
            if (generation != m_generation)
                return;
            if (!result.value) {
                for (const auto& m : missing)
                    m_loadedMetrics.remove(QString::fromStdString(m));
                m_status->setText(result.error);
                m_status->setVisible(true);
                Q_EMIT loadFailed(result.error);
                return;
            }
            for (const auto& [id, series] : *result.value) {
                RunCurves* run = findRun(id);
                if (!run)
                    continue;
                for (const auto& [name, rows] : series) {
                    mergeStored(*run, name, rows);
                    m_dirty.insert(graphKey(id, QString::fromStdString(name)), true);
                }
            }
            rebuildGraphs();
            Q_EMIT seriesLoaded();
        });
}

void CurvesView::rebuildGraphs(bool live)
{
    const QStringList metrics = selectedMetrics();
    fetchMissing(metrics);
    const AxisSplit split = splitByUnit(metrics);
    m_plot->yAxis->setLabel(curvesAxisTitle(split.left));
    m_plot->yAxis2->setLabel(curvesAxisTitle(split.right));
    m_plot->yAxis2->setVisible(!split.right.isEmpty());
    if (seedGroups()) {
        // One mean and band per seed group instead of a curve per run.
        for (const GraphPair& g : std::as_const(m_graphs))
            for (QCPGraph* graph : {g.main, g.raw})
                if (graph)
                    removeGraph(graph);
        m_graphs.clear();
        rebuildGroupGraphs(metrics);
        fitLegend(*m_plot, m_plot->width());
        if (!m_userZoomed)
            fitRanges();
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    if (!m_groupGraphs.isEmpty())
        clearGroupGraphs();
    // Keep graphs that are still wanted (their data is updated if dirty), drop the rest.
    QHash<QString, GraphPair> kept;
    QStringList wantedKeys;
    for (const auto& run : m_runs)
        for (const auto& m : metrics)
            wantedKeys << graphKey(run.runId, m);
    for (auto it = m_graphs.begin(); it != m_graphs.end(); ++it) {
        if (wantedKeys.contains(it.key())) {
            kept.insert(it.key(), it.value());
        } else {
            removeGraph(it.value().main);
            if (it.value().raw)
                removeGraph(it.value().raw);
        }
    }
    m_graphs = kept;
    const bool smooth = smoothing() > 0;
    bool createdAny = false, layersChanged = false;
    // Runs sharing a name are told apart by id in the legend.
    QSet<QString> seenNames, duplicateNames;
    for (const auto& run : m_runs)
        if (seenNames.contains(run.name))
            duplicateNames.insert(run.name);
        else
            seenNames.insert(run.name);
    for (int r = 0; r < static_cast<int>(m_runs.size()); ++r) {
        const RunCurves& run = m_runs[static_cast<std::size_t>(r)];
        for (int mi = 0; mi < metrics.size(); ++mi) {
            const QString key = graphKey(run.runId, metrics[mi]);
            GraphPair& g = m_graphs[key];
            QCPAxis* valueAxis = valueAxisFor(metrics[mi], split);
            if (g.main && g.main->valueAxis() != valueAxis) {
                // Its unit moved to the other side (the first ticked metric changed): a graph's
                // axes are fixed, so it is made again.
                removeGraph(g.main);
                if (g.raw)
                    removeGraph(g.raw);
                g = GraphPair{};
            }
            const bool created = g.main == nullptr;
            if (created) {
                g.main = m_plot->addGraph(m_plot->xAxis, valueAxis);
                g.main->setPen(QPen(runColor(r), 1.6, metricPenStyle(mi)));
            }
            // One metric over several runs: the legend names the runs only.
            const QString runLabel =
                duplicateNames.contains(run.name) ? QStringLiteral("%1 (#%2)").arg(run.name).arg(run.runId) : run.name;
            g.main->setName(metrics.size() == 1 && m_runs.size() > 1 ? runLabel
                                                                     : runLabel + QStringLiteral(" · ") + metrics[mi]);
            if (smooth && !g.raw) {
                g.raw = m_plot->addGraph(m_plot->xAxis, valueAxis);
                QColor faint = runColor(r);
                faint.setAlpha(60);
                g.raw->setPen(QPen(faint, 1, metricPenStyle(mi)));
                g.raw->setLayer(QStringLiteral("raw"));
                g.raw->setVisible(g.main->visible());
                g.raw->removeFromLegend();
                g.raw->setSelectable(QCP::stNone);
                m_dirty.insert(key, true);
            } else if (!smooth && g.raw) {
                removeGraph(g.raw);
                g.raw = nullptr;
                m_dirty.insert(key, true);
            }
            // Live runs' curves (raw copy below the main one) on the live layer.
            const bool isLive = m_liveRuns.contains(run.runId);
            QCPLayer* target = isLive ? m_liveLayer : m_plot->layer(QStringLiteral("main"));
            if (g.main->layer() != target || (g.raw && isLive && g.raw->layer() != m_liveLayer)) {
                if (g.raw)
                    g.raw->setLayer(isLive ? m_liveLayer : m_plot->layer(QStringLiteral("raw")));
                g.main->setLayer(target);
                layersChanged = true;
            }
            if (created || m_dirty.contains(key))
                updateGraphData(run, metrics[mi], g.main, g.raw);
            createdAny = createdAny || created;
        }
    }
    m_dirty.clear();
    reportMissingTimes(metrics);
    layersChanged = fitLegend(*m_plot, m_plot->width()) != m_legendBelow || layersChanged;
    m_legendBelow = fitLegend(*m_plot, m_plot->width());
    const QCPRange x0 = m_plot->xAxis->range(), y0 = m_plot->yAxis->range(), y20 = m_plot->yAxis2->range();
    if (!m_userZoomed)
        fitRanges();
    const bool sameView =
        m_plot->xAxis->range() == x0 && m_plot->yAxis->range() == y0 && m_plot->yAxis2->range() == y20;
    if (live && sameView && !createdAny && !layersChanged)
        m_liveLayer->replot();
    else
        m_plot->replot(QCustomPlot::rpQueuedReplot);
}

bool CurvesView::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_plot && event->type() == QEvent::PaletteChange) {
        applyPalette(*m_plot, m_plot->palette());  // the desktop's theme changed
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    }
    if (watched == m_plot && event->type() == QEvent::Resize) {
        m_legendBelow = fitLegend(*m_plot, m_plot->width());
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    }
    return QWidget::eventFilter(watched, event);
}

void CurvesView::fitAll()
{
    m_userZoomed = false;
    fitRanges();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void CurvesView::fitRanges()
{
    // The union of the drawn data's ranges, computed here rather than with QCustomPlot's
    // rescaleAxes: that keeps the current span for a single point or a constant curve, and
    // with the margins added on every live update the view would grow without bound.
    bool anyKey = false, anyLeft = false, anyRight = false;
    QCPRange keys, left, right;
    const auto unite = [](QCPRange& into, bool& any, const QCPRange& r) {
        if (!std::isfinite(r.lower) || !std::isfinite(r.upper))
            return;
        into = any ? QCPRange(std::min(into.lower, r.lower), std::max(into.upper, r.upper)) : r;
        any = true;
    };
    const QCP::SignDomain sign = logY() ? QCP::sdPositive : QCP::sdBoth;
    std::vector<QCPGraph*> drawn;
    for (const auto& g : m_graphs)
        drawn.insert(drawn.end(), {g.main, g.raw});
    for (const auto& g : m_groupGraphs)
        drawn.insert(drawn.end(), {g.lower, g.upper, g.mean});
    for (QCPGraph* graph : drawn) {
        if (!graph || graph->data()->isEmpty())
            continue;
        bool found = false;
        const QCPRange k = graph->getKeyRange(found);
        if (found)
            unite(keys, anyKey, k);
        const QCPRange v = graph->getValueRange(found, sign);
        if (found) {
            if (graph->valueAxis() == m_plot->yAxis2)
                unite(right, anyRight, v);
            else
                unite(left, anyLeft, v);
        }
    }
    if (!anyKey || !(anyLeft || anyRight))
        return;
    // Room for the markers of the first and last epoch; a single x gets a span of its own.
    const double keyPad = keys.size() > 0 ? keys.size() * (m_axis == CurveAxis::Epoch ? 0.04 : 0.01) : 1.0;
    m_plot->xAxis->setRange(keys.lower - keyPad, keys.upper + keyPad);
    const auto fitValues = [this](QCPAxis* axis, const QCPRange& values) {
        if (logY()) {
            axis->setRange(values.lower / 1.2, values.upper * 1.2);
        } else {
            const double pad = values.size() > 0 ? values.size() * 0.03 : std::max(0.5, std::abs(values.lower) * 0.05);
            axis->setRange(values.lower - pad, values.upper + pad);
        }
    };
    if (anyLeft)
        fitValues(m_plot->yAxis, left);
    if (anyRight)
        fitValues(m_plot->yAxis2, right);
}

QString CurvesView::hoverText(const QPointF& pixel)
{
    QCPGraph* best = nullptr;
    double bestDist = 24.0, bestKey = 0, bestValue = 0;
    for (auto& g : m_graphs) {
        QCPGraph* graph = g.main;
        if (!graph || !graph->visible() || graph->data()->isEmpty())
            continue;
        const double key = graph->keyAxis()->pixelToCoord(pixel.x());
        const auto data = graph->data();
        // The points either side of the cursor's key (data is sorted by key).
        const auto at0 = data->findBegin(key, false) - data->constBegin();
        for (auto i = std::max<qsizetype>(0, at0 - 1); i <= at0 + 1 && i < data->size(); ++i) {
            const auto p = data->constBegin() + i;
            const QPointF at = graph->coordsToPixels(p->key, p->value);
            const double d = std::hypot(at.x() - pixel.x(), at.y() - pixel.y());
            if (d < bestDist) {
                bestDist = d;
                best = graph;
                bestKey = p->key;
                bestValue = p->value;
            }
        }
    }
    if (!best) {
        m_tracer->setVisible(false);
        return {};
    }
    m_tracer->setGraph(best);
    m_tracer->setGraphKey(bestKey);
    m_tracer->setVisible(true);
    QString axisName = m_axis == CurveAxis::Step ? tr("step") : tr("epoch");
    QString x = m_axis == CurveAxis::Step ? QString::number(bestKey, 'f', 0) : QString::number(bestKey, 'g', 4);
    if (m_axis == CurveAxis::WallTime) {
        axisName = tr("at");
        x = QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(std::llround(bestKey * 1000)))
                .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    } else if (m_axis == CurveAxis::RelativeTime) {
        axisName = tr("after");
        x = elapsedText(bestKey);
    }
    return QStringLiteral("%1\n%2 %3: %4").arg(best->name(), axisName, x, QString::number(bestValue, 'g', 6));
}

void CurvesView::removeGraph(QCPGraph* graph)
{
    // The hover tracer must not outlive its graph: QCustomPlot deletes a removed graph, and a
    // tracer still pointing at it logs "graph not contained in QCustomPlot instance" on every
    // replot (the warnings users saw by the hundred).
    if (m_tracer->graph() == graph) {
        m_tracer->setGraph(nullptr);
        m_tracer->setVisible(false);
    }
    m_plot->removeGraph(graph);
}

void CurvesView::onMouseMove(QPointF pos)
{
    const bool wasVisible = m_tracer->visible();
    const QCPGraph* wasGraph = m_tracer->graph();
    const double wasKey = m_tracer->graphKey();
    const QString text = hoverText(pos);
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(m_plot->mapToGlobal(pos.toPoint()), text, m_plot);
    if (m_tracer->visible() != wasVisible || m_tracer->graph() != wasGraph || m_tracer->graphKey() != wasKey)
        m_tracer->layer()->replot();
}

}  // namespace scns

#include "views/sampler_stats_view.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <set>

#include "common/qt_text.h"
#include "views/async_load.h"
#include "views/export.h"
#include "views/metric_series.h"
#include "views/plot_style.h"
#include "views/qcp.h"

namespace scns {

namespace {

QString graphKey(qint64 runId, const QString& metric) { return QString::number(runId) + QLatin1Char('\n') + metric; }

}  // namespace

SamplerStatsView::SamplerStatsView(QWidget* parent)
    : QWidget(parent), m_plot(new QCustomPlot(this)), m_status(new QLabel(this))
{
    m_plot->setMinimumSize(480, 320);
    m_plot->setAutoAddPlottableToLegend(false);
    m_status->setWordWrap(true);
    auto* controls = new QHBoxLayout;
    controls->addWidget(m_status, 1);
    controls->addWidget(makePlotExportButton(this, [this] { return m_plot; }, QStringLiteral("sampler-statistics")));
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(m_plot, 1);
    rebuild();
}

void SamplerStatsView::setRuns(const QString& dbPath, const QList<qint64>& runIds)
{
    m_dbPath = dbPath;
    m_runIds = runIds;
    const quint64 generation = ++m_generation;
    m_status->setText(tr("Loading…"));
    const std::filesystem::path path = dbPath.toStdString();
    loadAsync(
        this,
        [path, runIds] {
            return loadRunCurves(path, runIds, [](const std::set<std::string>& available) {
                std::set<std::string> out;
                for (const auto& n : available)
                    if (n.rfind(metric::kSamplerPrefix, 0) == 0)
                        out.insert(n);
                return out;
            });
        },
        [this, generation](const Loaded<RunCurvesLoad>& result) {
            if (generation != m_generation)
                return;
            if (!result.value) {
                m_status->setText(result.error);
                Q_EMIT loadFailed(result.error);
                return;
            }
            m_runs = result.value->runs;
            rebuild();
            if (!result.value->errors.isEmpty())
                m_status->setText(result.value->errors.join(QLatin1Char('\n')));
            Q_EMIT loaded();
        });
}

void SamplerStatsView::appendMetrics(qint64 runId, const QList<MetricRow>& rows)
{
    for (auto& run : m_runs) {
        if (run.runId != runId)
            continue;
        QList<MetricRow> sampler;
        for (const auto& r : rows)
            if (QString::fromStdString(r.name).startsWith(kPrefix))
                sampler << r;
        if (!sampler.isEmpty()) {
            run.append(sampler);
            rebuild();
        }
    }
}

QCPLegend* SamplerStatsView::legend()
{
    // plotLayout()->clear() deletes the legend with the old layout: make one when needed.
    if (!m_legend) {
        m_legend = new QCPLegend;
    }
    return m_legend;
}

QCPGraph* SamplerStatsView::graphFor(qint64 runId, const QString& metric) const
{
    return m_graphs.value(graphKey(runId, metric));
}

void SamplerStatsView::rebuild()
{
    m_metrics.clear();
    for (const auto& name : metricNamesOf(m_runs))
        if (name.startsWith(kPrefix))
            m_metrics << name;
    m_graphs.clear();
    m_plot->clearGraphs();
    m_plot->plotLayout()->clear();
    m_legend = nullptr;  // deleted with the layout
    if (m_metrics.isEmpty()) {
        m_status->setText(m_runs.empty() ? tr("Select runs to see their sampler statistics.")
                                         : tr("No sampler statistics: only contrastive runs record them."));
        m_plot->plotLayout()->addElement(0, 0, new QCPAxisRect(m_plot));
        m_plot->setVisible(false);  // the status line says why; no empty axes
        return;
    }
    m_plot->setVisible(true);
    m_status->setText(tr("Sampler statistics per epoch (%1)").arg(countText(static_cast<qint64>(m_runs.size()), "run", "runs")));
    const int columns = m_metrics.size() > 1 ? 2 : 1;
    auto epochTicker = QSharedPointer<QCPAxisTickerFixed>::create();
    epochTicker->setTickStep(1);  // whole epochs (or multiples of them when there are many)
    epochTicker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    // Row 0: one legend naming the runs for every plot, in a line; row 1: the plots.
    auto* grid = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(0, 0, legend());
    m_plot->plotLayout()->addElement(1, 0, grid);
    m_plot->plotLayout()->setRowStretchFactor(0, 0.001);
    legend()->setLayer(QStringLiteral("legend"));
    legend()->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    legend()->setVisible(m_runs.size() > 1);
    for (int mi = 0; mi < m_metrics.size(); ++mi) {
        auto* rect = new QCPAxisRect(m_plot);
        grid->addElement(mi / columns, mi % columns, rect);
        rect->axis(QCPAxis::atBottom)->setLabel(tr("epoch"));
        rect->axis(QCPAxis::atBottom)->setTicker(epochTicker);
        rect->axis(QCPAxis::atLeft)->setLabel(m_metrics[mi].mid(kPrefix.size()).replace(QLatin1Char('_'), QLatin1Char(' ')));
        rect->setRangeDrag(Qt::Horizontal | Qt::Vertical);
        rect->setRangeZoom(Qt::Horizontal | Qt::Vertical);
        for (int r = 0; r < static_cast<int>(m_runs.size()); ++r) {
            const auto& run = m_runs[static_cast<std::size_t>(r)];
            auto s = run.series.find(m_metrics[mi].toStdString());
            if (s == run.series.end())
                continue;
            auto* g = m_plot->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
            g->setPen(QPen(runColor(r), 1.6));
            g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
            g->setName(run.name);
            if (mi == 0)
                g->addToLegend(legend());
            const XYSeries xy = toSeries(s->second, CurveAxis::Epoch);
            g->setData(xy.x, xy.y, true);
            m_graphs.insert(graphKey(run.runId, m_metrics[mi]), g);
        }
        rect->axis(QCPAxis::atBottom)->rescale();
        rect->axis(QCPAxis::atLeft)->rescale();
        rect->axis(QCPAxis::atBottom)->scaleRange(1.1);
        // The data's own value range: a constant statistic (a share stuck at 0 or 1) gets a
        // small band around it instead of QCustomPlot's default span.
        double lo = 0, hi = 0;
        bool any = false;
        for (QCPGraph* g : rect->graphs()) {
            bool found = false;
            const QCPRange r = g->getValueRange(found);
            if (!found)
                continue;
            lo = any ? std::min(lo, r.lower) : r.lower;
            hi = any ? std::max(hi, r.upper) : r.upper;
            any = true;
        }
        if (any && hi - lo < 1e-9)
            rect->axis(QCPAxis::atLeft)->setRange(lo - 0.1, hi + 0.1);
        else
            rect->axis(QCPAxis::atLeft)->scaleRange(1.15);
    }
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace scns

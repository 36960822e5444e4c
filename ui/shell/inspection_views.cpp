#include "shell/inspection_views.h"

#include <QTabWidget>

#include "queue/run_queue.h"
#include "store/run_store.h"
#include "views/async_load.h"
#include "views/compare_view.h"
#include "views/confusion_matrix_view.h"
#include "views/curves_view.h"
#include "views/hyperparameter_view.h"
#include "views/live_metrics.h"
#include "views/negatives_view.h"
#include "views/sampler_stats_view.h"
#include "views/similarity_heatmap_view.h"

namespace scns {

InspectionViews::InspectionViews(QString dbPath, QTabWidget* tabs, QObject* parent)
    : QObject(parent), m_dbPath(std::move(dbPath)), m_tabs(tabs), m_curves(new CurvesView),
      m_heatmap(new SimilarityHeatmapView), m_negatives(new NegativesView), m_sampler(new SamplerStatsView),
      m_confusion(new ConfusionMatrixView), m_compare(new CompareView),
      m_hyper(new HyperparameterView)
{
    tabs->addTab(m_curves, tr("Curves"));
    tabs->addTab(m_heatmap, tr("Class similarity"));
    tabs->addTab(m_negatives, tr("Negatives"));
    tabs->addTab(m_sampler, tr("Sampler statistics"));
    tabs->addTab(m_confusion, tr("Confusion matrix"));
    tabs->addTab(m_compare, tr("Compare"));
    tabs->addTab(m_hyper, tr("Hyperparameters"));
    m_curves->setObjectName(QStringLiteral("curves"));
    m_heatmap->setObjectName(QStringLiteral("similarity"));
    m_negatives->setObjectName(QStringLiteral("negatives"));
    m_sampler->setObjectName(QStringLiteral("sampler-statistics"));
    m_confusion->setObjectName(QStringLiteral("confusion"));
    m_compare->setObjectName(QStringLiteral("compare"));
    m_hyper->setObjectName(QStringLiteral("hyperparameters"));
}

QWidget* InspectionViews::curvesPage() const { return m_curves; }

void InspectionViews::loadDone()
{
    if (m_pending > 0 && --m_pending == 0)
        Q_EMIT allLoaded();
}

void InspectionViews::showRuns(const QList<qint64>& runIds)
{
    m_runIds = runIds;
    const qint64 first = runIds.isEmpty() ? 0 : runIds.front();
    m_pending = 0;
    const quint64 generation = ++m_generation;  // loads of an earlier showRuns do not count
    const auto once = [this, generation](auto* view, auto loadedSignal, auto failedSignal) {
        ++m_pending;
        auto conns = std::make_shared<QList<QMetaObject::Connection>>();
        const auto done = [this, conns, generation] {
            for (const auto& c : *conns)
                disconnect(c);
            if (generation == m_generation)
                loadDone();
        };
        conns->append(connect(view, loadedSignal, this, done));
        conns->append(connect(view, failedSignal, this, done));
    };
    once(m_curves, &CurvesView::loaded, &CurvesView::loadFailed);
    once(m_sampler, &SamplerStatsView::loaded, &SamplerStatsView::loadFailed);
    once(m_compare, &CompareView::loaded, &CompareView::loadFailed);
    once(m_hyper, &HyperparameterView::loaded, &HyperparameterView::loadFailed);
    m_curves->setRuns(m_dbPath, runIds);
    m_hyper->setRuns(m_dbPath, runIds);
    m_sampler->setRuns(m_dbPath, runIds);
    m_compare->setRuns(m_dbPath, runIds);
    if (first > 0) {
        once(m_heatmap, &SimilarityHeatmapView::loaded, &SimilarityHeatmapView::loadFailed);
        once(m_negatives, &NegativesView::loaded, &NegativesView::loadFailed);
        once(m_confusion, &ConfusionMatrixView::loaded, &ConfusionMatrixView::loadFailed);
        m_heatmap->setRun(m_dbPath, first);
        m_negatives->setRun(m_dbPath, first);
        m_confusion->setRun(m_dbPath, first);
        showRunTitle(first, static_cast<int>(runIds.size()), generation);
    }
}

void InspectionViews::showRunTitle(qint64 runId, int selected, quint64 generation)
{
    // The single-run pages name the run they show: "Run 3 · name (finished)".
    ++m_pending;
    const std::string db = m_dbPath.toStdString();
    loadAsync(
        this,
        [db, runId] {
            RunStore store(db);
            const RunRecord r = store.run(runId);
            return QString::fromStdString(r.name) + QStringLiteral(" (") + QString::fromStdString(toString(r.status))
                   + QLatin1Char(')');
        },
        [this, runId, selected, generation](const Loaded<QString>& result) {
            if (generation != m_generation)
                return;
            QString title = tr("Run %1").arg(runId);
            if (result.value)
                title += QStringLiteral(" \u00b7 ") + *result.value;
            if (selected > 1)
                title += tr(" \u2014 the first of the %1 selected runs").arg(selected);
            m_heatmap->setRunTitle(title);
            m_negatives->setRunTitle(title);
            m_confusion->setRunTitle(title);
            loadDone();
        });
}

void InspectionViews::follow(RunQueue* queue)
{
    connect(queue, &RunQueue::runBatchEnded, this, [this](qint64 id, const BatchProgress& p) {
        if (m_runIds.contains(id))
            m_curves->appendMetrics(id, metricRowsFromBatch(p));
    });
    connect(queue, &RunQueue::runEpochEnded, this, [this](qint64 id, const EpochSummary& s) {
        if (!m_runIds.contains(id))
            return;
        m_curves->appendMetrics(id, metricRowsFromEpoch(s));
        m_curves->syncRunFromStore(id);  // the epoch's other metrics are in the store now
        m_sampler->reload();  // this epoch's sampler statistics are in the store now
        if (m_runIds.front() == id) {  // and the single-run pages' records
            m_heatmap->reload();
            m_negatives->reload();
            m_confusion->reload();
            showRunTitle(id, static_cast<int>(m_runIds.size()), m_generation);  // queued -> running
        }
    });
    connect(queue, &RunQueue::runEnded, this, [this](qint64 id) {
        if (m_runIds.contains(id))
            showRuns(m_runIds);  // everything the run recorded, from the store
    });
}

}  // namespace scns

// CurvesView's live side: rows of a running run as they arrive, the run's other metrics read
// from the store at each epoch's end, and the note naming runs without wall times.
#include "views/curves_view.h"

#include <QLabel>
#include <QTimer>

#include <cmath>

#include "views/async_load.h"

namespace scns {

void CurvesView::appendMetrics(qint64 runId, const QList<MetricRow>& rows)
{
    if (!m_runIds.contains(runId) || rows.isEmpty())
        return;
    m_liveRuns.insert(runId);
    if (m_loading) {
        m_bufferedLive[runId] << rows;
        return;
    }
    RunCurves* run = findRun(runId);
    if (!run)
        return;
    const auto before = run->names.size();
    for (const auto& metric : run->append(rows))
        m_dirty.insert(graphKey(runId, metric), true);
    if (run->names.size() != before)
        m_liveNewMetrics = true;
    scheduleLiveUpdate();
}

void CurvesView::reportMissingTimes(const QStringList& metrics)
{
    // On a time axis, rows stored before wall times were kept (schema version 6) have no x.
    QStringList without;
    if (isTimeAxis(m_axis))
        for (const auto& run : m_runs)
            for (const QString& m : metrics) {
                const auto s = run.series.find(m.toStdString());
                if (s != run.series.end() && !s->second.empty() && std::isnan(s->second.front().wallTime)
                    && !without.contains(run.name))
                    without << run.name;
            }
    if (without.isEmpty() && m_timeNote) {
        m_status->clear();
        m_status->setVisible(false);
    } else if (!without.isEmpty()) {
        m_status->setText(tr("No wall times for %1: rows recorded before the store kept times are left out on this "
                             "axis; the step and epoch axes show them.")
                              .arg(without.join(QStringLiteral(", "))));
        m_status->setVisible(true);
    }
    m_timeNote = !without.isEmpty();
}

void CurvesView::mergeStored(RunCurves& run, const std::string& name, const std::vector<MetricRow>& rows)
{
    // The store's rows, then the live rows newer than its last one.
    auto& s = run.series[name];
    std::vector<MetricRow> merged = rows;
    const std::int64_t last = rows.empty() ? -1 : rows.back().step;
    for (const auto& r : s)
        if (r.step > last)
            merged.push_back(r);
    s = std::move(merged);
}

void CurvesView::syncRunFromStore(qint64 runId)
{
    if (!m_runIds.contains(runId) || m_loading || !findRun(runId))
        return;
    const quint64 generation = m_generation;
    const std::filesystem::path path = m_dbPath.toStdString();
    // The wanted metrics too: one the run did not have yet (its first contrastive loss) is
    // ticked as soon as it arrives, and comes with this read instead of a second one.
    QStringList ticked = selectedMetrics() + m_wantedMetrics;
    ticked.removeDuplicates();
    loadAsync(
        this,
        [path, runId, ticked] {
            return loadRunCurves(path, {runId}, [&ticked](const std::set<std::string>& available) {
                std::set<std::string> out;
                for (const QString& m : ticked)
                    if (available.count(m.toStdString()))
                        out.insert(m.toStdString());
                return out;
            });
        },
        [this, generation, runId](const Loaded<RunCurvesLoad>& result) {
            if (generation != m_generation || !result.value || result.value->runs.empty())
                return;  // superseded, or the run went away: the next load says so
            RunCurves* run = findRun(runId);
            if (!run)
                return;
            const RunCurves& stored = result.value->runs.front();
            const auto before = run->names.size();
            run->names.insert(stored.names.begin(), stored.names.end());
            for (const auto& [name, rows] : stored.series) {
                mergeStored(*run, name, rows);
                m_loadedMetrics.insert(QString::fromStdString(name));
                m_dirty.insert(graphKey(runId, QString::fromStdString(name)), true);
            }
            if (run->names.size() != before)
                m_liveNewMetrics = true;
            m_liveRuns.insert(runId);
            flushPending();
            Q_EMIT syncedFromStore(runId);
        });
}

void CurvesView::scheduleLiveUpdate()
{
    if (!m_liveTimer->isActive())
        m_liveTimer->start();
}

void CurvesView::flushPending()
{
    m_liveTimer->stop();
    if (m_liveNewMetrics) {
        m_liveNewMetrics = false;
        refreshMetricList();
    }
    if (m_dirty.isEmpty())
        return;
    rebuildGraphs(true);
    Q_EMIT liveUpdated();
}

}  // namespace scns

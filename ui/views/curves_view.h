#pragma once
// Curves of any metrics of one or several runs, overlaid: metric list from the store (so new
// metric names appear without code changes), step, epoch, wall-time or relative-time axis, a
// right y axis for a second unit, EMA smoothing, log y axis,
// zoom/pan, hover values, a legend entry per run and metric. Data loads off the GUI thread;
// a running run's rows arrive through appendMetrics() and are drawn in batches (a timer), not
// one replot per row.
#include <QHash>
#include <QList>
#include <QPointF>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <string>
#include <vector>

#include "views/metric_series.h"
#include "views/run_curves.h"

class QCheckBox;
class QComboBox;
class QCPAxis;
class QCPGraph;
class QCPItemTracer;
class QCPLayer;
class QCustomPlot;
class QLabel;
class QListWidget;
class QListWidgetItem;
class QSlider;
class QTimer;

namespace scns {

// The unit a metric is recorded in, from its name ("%" for top1/top5, "s", "images/s",
// "share, 0-1"); empty when it has none (losses, the learning rate).
QString metricUnit(const QString& metric);
// The y axis title for the ticked metrics: their names (up to three, else "value") and their
// unit when they share one: "test/top1, train/top1 (%)".
QString curvesAxisTitle(const QStringList& metrics);
// The ticked metrics split by the axis they are drawn against: the left y axis takes those in
// the first metric's unit, the right y axis the others, so a loss is not flattened under a
// 0-100 accuracy. `right` is empty when every metric shares one unit.
struct AxisSplit {
    QStringList left, right;
};
AxisSplit splitByUnit(const QStringList& metrics);

class CurvesView : public QWidget {
    Q_OBJECT
public:
    explicit CurvesView(QWidget* parent = nullptr);

    // The EMA weight a new view starts with: TensorBoard's default, debiased, the raw curve
    // faint behind (per-step curves are noisy; 0 shows them raw).
    static constexpr double kDefaultSmoothing = 0.6;

    // Loads the runs' metrics on a worker thread; loaded() (or loadFailed()) follows.
    // An empty list clears the view.
    void setRuns(const QString& dbPath, const QList<qint64>& runIds);
    QList<qint64> runIds() const { return m_runIds; }
    bool isLoading() const { return m_loading; }

    QStringList availableMetrics() const;
    QStringList selectedMetrics() const;
    // Metrics not (yet) available are remembered and selected once they appear.
    void setSelectedMetrics(const QStringList& names);
    // What the user ticked or setSelectedMetrics asked for, shown or not yet available: what
    // the main window remembers between sessions.
    QStringList wantedMetrics() const { return m_wantedMetrics; }
    // Whether the ticked metric is a stand-in: the runs have none of the wanted metrics yet, so
    // the training loss is shown (a new run from its first step) until one of them appears.
    bool showsStandIn() const;

    CurveAxis axis() const { return m_axis; }
    void setAxis(CurveAxis axis);
    double smoothing() const;  // EMA weight in [0, 0.99]
    void setSmoothing(double weight);
    bool logY() const;
    void setLogY(bool on);
    // Seed groups: runs whose configurations differ only by seed (the Compare page's groups)
    // drawn as one mean curve per group and metric with a band (sd or 95% CI) around it,
    // coloured by group, instead of one curve per run. Step-wise members are smoothed first.
    bool seedGroups() const;
    void setSeedGroups(bool on);
    BandKind bandKind() const;
    void setBandKind(BandKind kind);
    // The drawn seed groups: their legend labels ("<group> (n = 3)"), in drawing order.
    QStringList groupLabels() const;
    // A group's mean curve and the band's lower and upper edges for a metric (group: index in
    // groupLabels()); nullptrs when not drawn.
    struct GroupGraphs {
        QCPGraph* mean = nullptr;
        QCPGraph* lower = nullptr;
        QCPGraph* upper = nullptr;
    };
    GroupGraphs groupGraphs(int group, const QString& metric) const;

    QCustomPlot* plot() const { return m_plot; }
    // The drawn (smoothed) graph of a run's metric; nullptr when it is not shown.
    QCPGraph* graphFor(qint64 runId, const QString& metric) const;
    // What hovering at `pixel` shows: run, metric, x and y of the nearest drawn point within
    // 24 pixels; empty when none is near. Moves the tracer there.
    QString hoverText(const QPointF& pixel);
    // Shows or hides one curve (clicking its legend entry toggles it); hidden curves keep
    // their legend entry, greyed, and are skipped by hover.
    void setCurveVisible(qint64 runId, const QString& metric, bool visible);
    // Rebuilds pending live rows and replots now (the timer does this otherwise).
    void flushPending();
    // Zooms to fit all drawn data.
    void fitAll();

public Q_SLOTS:
    // Live rows of a running run shown here (rows of other runs are ignored). Rows that
    // arrive while the run is still loading are merged after the load.
    void appendMetrics(qint64 runId, const QList<scns::MetricRow>& rows);
    // Re-reads a running run's metric names and ticked series from the store (in the
    // background): what the live feed does not carry (the contrastive and KD loss per step, the
    // sampler statistics) shows at each epoch's end, when the trainer has stored it, and new
    // metrics join the list. syncedFromStore(runId) follows.
    void syncRunFromStore(qint64 runId);

Q_SIGNALS:
    void loaded();
    void loadFailed(const QString& message);
    // Emitted after a batch of live rows was drawn.
    void liveUpdated();
    // Emitted after series ticked after the load were read and drawn.
    void seriesLoaded();
    void syncedFromStore(qint64 runId);

protected:
    // Plot resizes: the legend goes below the data when it would take a third of the width.
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void applyLoad(std::vector<RunCurves> runs, const QStringList& errors);
    void refreshMetricList();
    // live: only the live runs' curves changed; if the axes stay put, only their layer is
    // redrawn instead of every curve.
    void rebuildGraphs(bool live = false);
    // Ranges to fit all drawn data (no replot).
    void fitRanges();
    // Reads the selected series the view does not hold yet (in the background).
    void fetchMissing(const QStringList& metrics);
    void updateGraphData(const RunCurves& run, const QString& metric, QCPGraph* graph, QCPGraph* raw) const;
    void scheduleLiveUpdate();
    void onMouseMove(QPointF pos);
    void removeGraph(QCPGraph* graph);  // detaches the hover tracer first
    void clearGroupGraphs();
    void rebuildGroupGraphs(const QStringList& metrics);
    RunCurves* findRun(qint64 runId);
    static QString graphKey(qint64 runId, const QString& metric);  // key of m_graphs and m_dirty
    // A series read from the store replaces the held one, keeping live rows newer than it.
    // The status line names the shown runs without wall times while a time axis is chosen.
    void reportMissingTimes(const QStringList& metrics);
    static void mergeStored(RunCurves& run, const std::string& name, const std::vector<MetricRow>& rows);
    QCPAxis* valueAxisFor(const QString& metric, const AxisSplit& split) const;

    struct GraphPair {
        QCPGraph* main = nullptr;
        QCPGraph* raw = nullptr;  // faint unsmoothed copy while smoothing is on
    };

    QString m_dbPath;
    QList<qint64> m_runIds;
    std::vector<RunCurves> m_runs;
    QHash<qint64, QList<MetricRow>> m_bufferedLive;  // live rows that came during a load
    QHash<QString, GraphPair> m_graphs;  // key: runId + '\n' + metric
    QHash<QString, GroupGraphs> m_groupGraphs;  // key: group index + '\n' + metric
    QStringList m_groupLabels;
    QHash<QString, bool> m_dirty;
    QSet<qint64> m_liveRuns;  // runs that received live rows: their curves sit on m_liveLayer
    QStringList m_wantedMetrics;
    bool m_fallback = false;
    bool m_timeNote = false;  // the status line shows reportMissingTimes' note  // a stand-in is ticked (showsStandIn)
    QStringList m_shownBefore;
    QSet<QString> m_loadedMetrics;  // series read (or being read) for every run
    CurveAxis m_axis = CurveAxis::Step;
    bool m_loading = false;
    bool m_userZoomed = false;
    double m_pressLower = 0, m_pressUpper = 0;  // x range when the mouse went down
    bool m_liveNewMetrics = false;
    bool m_legendBelow = false;  // fitLegend's last answer  // a live row brought a metric the list lacks
    quint64 m_generation = 0;

    QListWidget* m_metricList;
    QComboBox* m_axisCombo;
    QSlider* m_smoothSlider;
    QLabel* m_smoothLabel;
    QCheckBox* m_logCheck;
    QCheckBox* m_groupCheck;
    QComboBox* m_bandCombo;
    QLabel* m_status;
    QCustomPlot* m_plot;
    QCPItemTracer* m_tracer;
    QCPLayer* m_liveLayer;
    QTimer* m_liveTimer;
};

}  // namespace scns

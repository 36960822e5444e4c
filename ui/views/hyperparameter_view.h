#pragma once
// The Hyperparameters page: the runs opened in the views as a parallel-coordinates plot (one
// vertical axis per setting that differs between them, the chosen metric last, one line per
// run coloured by the metric) and a scatter of any of those settings against the metric.
// Dragging along an axis brushes a range there; lines outside every brush turn grey and the
// runs inside are emitted (the main window selects them in the run browser). Dragging a
// rectangle over the scatter selects its points the same way. Data loads off the GUI thread.
#include <QList>
#include <QString>
#include <QWidget>

#include <map>
#include <vector>

#include "views/hyperparameter_data.h"

class QComboBox;
class QCPColorScale;
class QCPGraph;
class QCPItemRect;
class QCustomPlot;
class QLabel;
class QMouseEvent;
class QPushButton;

namespace scns {

class HyperparameterView : public QWidget {
    Q_OBJECT
public:
    explicit HyperparameterView(QWidget* parent = nullptr);

    void setRuns(const QString& dbPath, const QList<qint64>& runIds);
    bool isLoading() const { return m_loading; }

    QStringList metrics() const;  // the metric choices
    QString metric() const;
    void setMetric(const QString& metric);
    // The scatter's x: one of the parallel axes' settings.
    QString scatterSetting() const;
    void setScatterSetting(const QString& key);

    const std::vector<ParallelAxis>& axes() const { return m_axes; }
    const std::vector<HyperparameterRun>& runs() const { return m_runs; }
    // Brushes a range of positions ([0, 1], bottom to top) on axis `axis`; an empty range
    // (low == high) clears that axis' brush. What a drag along the axis does.
    void brushAxis(int axis, double low, double high);
    void clearBrushes();
    const std::map<int, Brush>& brushes() const { return m_brushes; }
    // Runs inside every brush (all runs without brushes).
    QList<qint64> brushedRunIds() const { return m_brushed; }

    QCustomPlot* parallelPlot() const { return m_parallel; }
    QCustomPlot* scatterPlot() const { return m_scatter; }
    // A run's line in the parallel plot; nullptr when not drawn.
    QCPGraph* lineOf(qint64 runId) const;
    // The scatter point of a run as plot coordinates; false when it has none.
    bool scatterPoint(qint64 runId, double& x, double& y) const;

Q_SIGNALS:
    void loaded();
    void loadFailed(const QString& message);
    // The runs inside the brushes changed (or the scatter's selection): select them elsewhere.
    void runsBrushed(const QList<qint64>& runIds);

private:
    void apply(HyperparameterLoad load);
    void rebuild();
    void drawParallel();
    void drawScatter();
    void restyle();
    void onParallelPress(QMouseEvent* e);
    void onParallelMove(QMouseEvent* e);
    void onParallelRelease(QMouseEvent* e);
    void onScatterSelection();

    QString m_dbPath;
    quint64 m_generation = 0;
    bool m_loading = false;
    std::vector<HyperparameterRun> m_runs;
    std::vector<ParallelAxis> m_axes;
    std::map<int, Brush> m_brushes;
    QList<qint64> m_brushed;
    std::map<qint64, QCPGraph*> m_lines;
    std::vector<qint64> m_scatterOrder;  // the scatter graph's data index -> run id
    int m_dragAxis = -1;
    double m_dragFrom = 0;
    QCPItemRect* m_dragRect = nullptr;

    QComboBox* m_metricCombo;
    QComboBox* m_scatterCombo;
    QPushButton* m_clear;
    QLabel* m_status;
    QCustomPlot* m_parallel;
    QCustomPlot* m_scatter;
    QCPColorScale* m_colorScale;
};

}  // namespace scns

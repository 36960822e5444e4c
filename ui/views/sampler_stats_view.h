#pragma once
// Sampler statistics per epoch (every "sampler/..." metric a run recorded: mean negative
// cosine, same-class share, top-k shares, ...) as small plots side by side, runs overlaid.
// Metric names come from the store, so statistics added to core later show up here.
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <vector>

#include "train/metric_names.h"
#include "views/run_curves.h"

class QCPAxisRect;
class QCPGraph;
class QCPLegend;
class QCustomPlot;
class QLabel;

namespace scns {

class SamplerStatsView : public QWidget {
    Q_OBJECT
public:
    explicit SamplerStatsView(QWidget* parent = nullptr);

    void setRuns(const QString& dbPath, const QList<qint64>& runIds);
    QStringList statistics() const { return m_metrics; }  // one plot each
    QCPGraph* graphFor(qint64 runId, const QString& metric) const;
    QCustomPlot* plot() const { return m_plot; }

    static inline const QString kPrefix = QLatin1String(metric::kSamplerPrefix);

public Q_SLOTS:
    // Reads the runs again (a running run finished an epoch: its statistics are stored).
    void reload() { setRuns(m_dbPath, m_runIds); }
    void appendMetrics(qint64 runId, const QList<scns::MetricRow>& rows);

Q_SIGNALS:
    void loaded();
    void loadFailed(const QString& message);

private:
    void rebuild();
    QCPLegend* legend();

    QString m_dbPath;
    QList<qint64> m_runIds;
    quint64 m_generation = 0;
    std::vector<RunCurves> m_runs;
    QStringList m_metrics;
    QHash<QString, QCPGraph*> m_graphs;
    QCustomPlot* m_plot;
    QCPLegend* m_legend = nullptr;
    QLabel* m_status;
};

}  // namespace scns

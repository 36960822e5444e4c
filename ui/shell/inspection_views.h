#pragma once
// The watch/inspect/compare pages (helper views from ui/views) as tabs, fed with the runs the
// user opens and with live rows of the runs the queue trains.
#include <QList>
#include <QObject>
#include <QString>

#include <vector>

class QTabWidget;
class QWidget;

namespace scns {

class CompareView;
class ConfusionMatrixView;
class CurvesView;
class HyperparameterView;
class NegativesView;
class RunQueue;
class SamplerStatsView;
class SimilarityHeatmapView;

class InspectionViews : public QObject {
    Q_OBJECT
public:
    // Adds its pages to `tabs` (which owns them).
    InspectionViews(QString dbPath, QTabWidget* tabs, QObject* parent = nullptr);

    // Multi-run pages (curves, sampler statistics, comparison) get all runs; single-run pages
    // (heat map, negatives, confusion) the first one.
    void showRuns(const QList<qint64>& runIds);
    const QList<qint64>& shownRuns() const { return m_runIds; }
    // Live curves for the queue's runs; single-run pages reload when a shown run ends.
    void follow(RunQueue* queue);

    CurvesView* curves() const { return m_curves; }
    SimilarityHeatmapView* heatmap() const { return m_heatmap; }
    NegativesView* negatives() const { return m_negatives; }
    SamplerStatsView* samplerStats() const { return m_sampler; }
    ConfusionMatrixView* confusion() const { return m_confusion; }
    CompareView* compare() const { return m_compare; }
    HyperparameterView* hyperparameters() const { return m_hyper; }
    QWidget* curvesPage() const;

    // Pages still loading data after the last showRuns (for the screenshot tour).
    int pendingLoads() const { return m_pending; }

Q_SIGNALS:
    void allLoaded();

private:
    void loadDone();
    void showRunTitle(qint64 runId, int selected, quint64 generation);

    QString m_dbPath;
    QTabWidget* m_tabs;
    QList<qint64> m_runIds;
    int m_pending = 0;
    quint64 m_generation = 0;
    CurvesView* m_curves;
    SimilarityHeatmapView* m_heatmap;
    NegativesView* m_negatives;
    SamplerStatsView* m_sampler;
    ConfusionMatrixView* m_confusion;
    CompareView* m_compare;
    HyperparameterView* m_hyper;
};

}  // namespace scns

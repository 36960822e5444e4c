#pragma once
// Comparing selected runs: their curves overlaid (a CurvesView), a table of final and best
// test accuracy and epochs to a chosen accuracy, the configuration keys that differ, and runs
// that differ only by seed grouped as mean ± SD with Welch's t-test between the groups.
// Every table exports as CSV.
#include <QList>
#include <QString>
#include <QWidget>

#include <vector>

#include "views/compare_models.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QTableView;

namespace scns {

class CurvesView;

class CompareView : public QWidget {
    Q_OBJECT
public:
    explicit CompareView(QWidget* parent = nullptr);

    // Loads the runs' configurations and accuracies (and the curves) off the GUI thread;
    // loaded() follows once the tables are filled.
    void setRuns(const QString& dbPath, const QList<qint64>& runIds);
    void setThreshold(double percent);
    void setGroupStatistic(GroupStatistic statistic);

    CurvesView* curves() const { return m_curves; }
    RunSummaryModel* summaryModel() const { return m_summary; }
    ConfigDiffModel* diffModel() const { return m_diff; }
    SeedGroupModel* groupModel() const { return m_groups; }
    GroupTestModel* testModel() const { return m_tests; }

Q_SIGNALS:
    void loaded();
    void loadFailed(const QString& message);

private:
    void applyRuns(std::vector<CompareRun> runs);

    quint64 m_generation = 0;
    std::vector<CompareRun> m_runs;
    CurvesView* m_curves;
    RunSummaryModel* m_summary;
    ConfigDiffModel* m_diff;
    SeedGroupModel* m_groups;
    GroupTestModel* m_tests;
    QDoubleSpinBox* m_threshold;
    QComboBox* m_statistic;
    QLabel* m_status;
};

// Opens its own RunStore: call on a worker thread. Unknown ids are skipped.
std::vector<CompareRun> loadCompareRuns(const QString& dbPath, const QList<qint64>& runIds);

}  // namespace scns

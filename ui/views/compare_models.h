#pragma once
// The tables of the compare view: per-run accuracy, the configuration keys that differ, and
// seed groups (runs equal but for the seed) as mean ± sd with Welch's t-test between groups.
// Display text is what CSV export writes; Qt::UserRole holds the raw number for sorting.
#include <QAbstractTableModel>
#include <QString>

#include <map>
#include <string>
#include <vector>

#include "store/run_record.h"
#include "views/config_diff.h"
#include "views/run_accuracy.h"
#include "views/welch_test.h"

namespace scns {

struct CompareRun {
    qint64 id = 0;
    QString name;
    QString status;
    qint64 seed = 0;
    std::map<std::string, std::string> config;  // flattened (config_diff.h)
    std::vector<MetricRow> top1;                // test/top1 by epoch
};

class RunSummaryModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Run, Status, Seed, Epochs, FinalTop1, BestTop1, BestEpoch, EpochsToThreshold, ColumnCount };
    using QAbstractTableModel::QAbstractTableModel;
    void setRuns(std::vector<CompareRun> runs);
    // Accuracy (percent) for the "epochs to" column.
    void setThreshold(double percent);
    double threshold() const { return m_threshold; }
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void computeEpochsTo();

    std::vector<CompareRun> m_runs;
    // Per run, computed when runs or threshold change: data() is called for every cell and
    // role, and a run's series may hold thousands of rows.
    std::vector<RunAccuracy> m_accuracy;
    std::vector<std::optional<std::int64_t>> m_epochsTo;
    double m_threshold = 80;
};

class ConfigDiffModel : public QAbstractTableModel {
    Q_OBJECT
public:
    using QAbstractTableModel::QAbstractTableModel;
    void setRuns(const std::vector<CompareRun>& runs);
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QStringList m_runNames;
    std::vector<ConfigDiffRow> m_rows;
};

// Which accuracy the seed groups compare.
enum class GroupStatistic { FinalTop1, BestTop1 };

struct GroupStats {
    SeedGroup group;
    QList<qint64> runIds;
    QList<qint64> seeds;
    std::vector<double> values;  // the statistic per member with one
    SampleSummary summary;
};

class SeedGroupModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Group, Runs, Seeds, Mean, Sd, MeanSd, ColumnCount };
    using QAbstractTableModel::QAbstractTableModel;
    void setRuns(const std::vector<CompareRun>& runs, GroupStatistic statistic);
    const std::vector<GroupStats>& groups() const { return m_groups; }
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<GroupStats> m_groups;
    GroupStatistic m_statistic = GroupStatistic::FinalTop1;
};

// Welch's t-test for every pair of seed groups (rows: group i vs group j, i < j).
class GroupTestModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { GroupA, GroupB, Difference, T, Df, P, ColumnCount };
    using QAbstractTableModel::QAbstractTableModel;
    void setGroups(const std::vector<GroupStats>& groups);
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    WelchResult result(int row) const { return m_pairs[static_cast<std::size_t>(row)].result; }

private:
    struct Pair {
        int a = 0, b = 0;
        QString labelA, labelB;
        double difference = 0;
        WelchResult result;
    };
    std::vector<Pair> m_pairs;
};

// "87.53"; "–" for none.
QString formatPercent(std::optional<double> v);
// p-values: 3 significant digits, "< 1e-10" below that.
QString formatP(double p);

}  // namespace scns

#pragma once
// The data behind the Hyperparameters page (views/hyperparameter_view.h): runs with their
// settings and one metric value, the parallel-coordinates axes built from the settings that
// differ between them, and which runs lie within brushed ranges. Plain values, no widgets.
#include <QList>
#include <QString>
#include <QStringList>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace scns {

struct HyperparameterRun {
    qint64 id = 0;
    QString name;
    std::map<std::string, std::string> settings;  // dotted key -> JSON text ("class", 0.07)
    std::map<std::string, double> values;  // metric choice -> value (NaN or absent: none)
};

struct HyperparameterLoad {
    std::vector<HyperparameterRun> runs;  // in the order asked for; unknown ids left out
    QStringList metrics;  // the metric choices, kBestTop1 first when present
    QStringList errors;
};

// The metric choice "best test/top1" (the largest value); every other choice is a metric name
// standing for its last recorded value.
inline const QString kBestTop1 = QStringLiteral("test/top1 (best)");

// Opens its own RunStore (call on a worker thread): each run's configuration, and the last
// value of every metric the runs recorded plus the best test top-1.
HyperparameterLoad loadHyperparameterRuns(const std::filesystem::path& dbPath, const QList<qint64>& runIds);

// One parallel-coordinates axis: a setting (or the metric) over the runs. Numeric when every
// run's value is a number (min to max, bottom to top); else categorical (the distinct values in
// sorted order, evenly spaced, a run without the key as "(none)").
struct ParallelAxis {
    QString key;
    bool numeric = true;
    double min = 0, max = 0;
    QStringList categories;

    // A run's value on the axis in [0, 1]; NaN when it has none (a numeric axis).
    double position(const std::string& value) const;
    double position(double value) const;  // numeric axes
    // The value at position p in [0, 1], as text (tick labels).
    QString label(double p) const;
};

// The settings whose values differ between the runs (seed keys left out), then the metric.
std::vector<ParallelAxis> parallelAxes(const std::vector<HyperparameterRun>& runs, const QString& metric);
// Axis `i`'s position of run r (i = the metric axis for the last one).
double axisPosition(const ParallelAxis& axis, const HyperparameterRun& run, const QString& metric, bool isMetric);

// A brushed range of positions on an axis.
struct Brush {
    double low = 0, high = 1;
};
// Ids of the runs inside every brush (axis index -> range); all runs when there are none.
QList<qint64> brushedRuns(const std::vector<HyperparameterRun>& runs, const std::vector<ParallelAxis>& axes,
                          const std::map<int, Brush>& brushes, const QString& metric);

}  // namespace scns

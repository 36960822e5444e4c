#pragma once
// Every metric series of a set of runs, as read from the store: what the curves and sampler
// views plot. Loading runs on a worker thread (own RunStore); appending live rows happens on
// the GUI thread.
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "store/run_record.h"

namespace scns {

struct RunCurves {
    qint64 runId = 0;
    QString name;
    std::map<std::string, std::string> config;  // flattened configuration (seed groups)
    std::set<std::string> names;  // every metric the run has
    std::map<std::string, std::vector<MetricRow>> series;  // the loaded ones, rows by step
    // The wall time of the run's first recorded row (the relative-time axis' zero); NaN when
    // it has none with a time.
    double firstWallTime = std::numeric_limits<double>::quiet_NaN();

    // Adds live rows. A row whose step is below the series' last step means the run resumed
    // from an earlier checkpoint and records those steps again: the rows from that step on
    // are replaced. Returns the metric names that changed.
    QStringList append(const QList<MetricRow>& rows);
};

struct RunCurvesLoad {
    std::vector<RunCurves> runs;  // in the order asked for; unknown ids are left out
    QStringList errors;  // one line per run that could not be read
};

// Chooses, from the union of the runs' metric names, which series to read.
using MetricChooser = std::function<std::set<std::string>(const std::set<std::string>& available)>;

// Opens its own RunStore: call on a worker thread. Reads every run's metric names, then only
// the series `choose` picks (null: all), one indexed query per series: a view shows a few
// metrics of runs that may hold millions of rows.
RunCurvesLoad loadRunCurves(const std::filesystem::path& dbPath, const QList<qint64>& runIds,
                            const MetricChooser& choose = {});
// Reads the named series of the runs (worker thread); by run id, then metric name.
std::map<qint64, std::map<std::string, std::vector<MetricRow>>>
loadSeries(const std::filesystem::path& dbPath, const QList<qint64>& runIds, const std::set<std::string>& names);

// Sorted union of the metric names of the runs.
QStringList metricNamesOf(const std::vector<RunCurves>& runs);

}  // namespace scns

Q_DECLARE_METATYPE(scns::MetricRow)

#include "views/live_metrics.h"

#include <chrono>

#include "train/epoch_metrics.h"
#include "train/metric_names.h"

namespace scns {

namespace {

// Stamped on arrival (the queue forwards them as they happen), as MetricWriter stamps what it
// stores: the wall-time axes place live rows where the store will have them.
double now() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

}  // namespace

QList<MetricRow> metricRowsFromBatch(const BatchProgress& b)
{
    const double t = now();
    return {{b.epoch, b.step, metric::kTrainLoss, b.loss, t}, {b.epoch, b.step, metric::kLr, b.lr, t}};
}

QList<MetricRow> metricRowsFromEpoch(const EpochSummary& s)
{
    const double t = now();
    QList<MetricRow> rows;
    for (const auto& [name, value] : epochMetrics(s))
        rows.push_back({s.epoch, s.step, name, value, t});
    return rows;
}

}  // namespace scns

#include "views/live_metrics.h"

#include "store/metric_writer.h"
#include "train/epoch_metrics.h"
#include "train/metric_names.h"

namespace scns {

// Stamped on arrival (the queue forwards them as they happen) with the clock MetricWriter
// stamps what it stores with: the wall-time axes place live rows where the store will have them.

QList<MetricRow> metricRowsFromBatch(const BatchProgress& b)
{
    const double t = metricWallTime();
    return {{b.epoch, b.step, metric::kTrainLoss, b.loss, t}, {b.epoch, b.step, metric::kLr, b.lr, t}};
}

QList<MetricRow> metricRowsFromEpoch(const EpochSummary& s)
{
    const double t = metricWallTime();
    QList<MetricRow> rows;
    for (const auto& [name, value] : epochMetrics(s))
        rows.push_back({s.epoch, s.step, name, value, t});
    return rows;
}

}  // namespace scns

#include "views/live_metrics.h"

#include "train/epoch_metrics.h"
#include "train/metric_names.h"

namespace scns {

QList<MetricRow> metricRowsFromBatch(const BatchProgress& b)
{
    return {{b.epoch, b.step, metric::kTrainLoss, b.loss}, {b.epoch, b.step, metric::kLr, b.lr}};
}

QList<MetricRow> metricRowsFromEpoch(const EpochSummary& s)
{
    QList<MetricRow> rows;
    for (const auto& [name, value] : epochMetrics(s))
        rows.push_back({s.epoch, s.step, name, value});
    return rows;
}

}  // namespace scns

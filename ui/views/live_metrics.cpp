#include "views/live_metrics.h"

#include "train/trainer.h"

namespace scns {

QList<MetricRow> metricRowsFromBatch(const BatchProgress& b)
{
    return {{b.epoch, b.step, metric::kTrainLoss, b.loss}, {b.epoch, b.step, metric::kLr, b.lr}};
}

QList<MetricRow> metricRowsFromEpoch(const EpochSummary& s)
{
    return {{s.epoch, s.step, metric::kTrainEpochLoss, s.trainLoss},
            {s.epoch, s.step, metric::kTrainTop1, s.trainTop1},
            {s.epoch, s.step, metric::kTestLoss, s.testLoss},
            {s.epoch, s.step, metric::kTestTop1, s.testTop1},
            {s.epoch, s.step, metric::kTestTop5, s.testTop5},
            {s.epoch, s.step, metric::kEpochSeconds, s.seconds},
            {s.epoch, s.step, metric::kImagesPerSecond, s.imagesPerSecond},
            {s.epoch, s.step, metric::kDataWaitShare, s.dataWaitShare}};
}

}  // namespace scns

#include "train/epoch_metrics.h"

#include "train/metric_names.h"

namespace scns {

std::vector<std::pair<const char*, double>> epochMetrics(const EpochSummary& s)
{
    return {{metric::kTrainEpochLoss, s.trainLoss}, {metric::kTrainTop1, s.trainTop1},
            {metric::kTestLoss, s.testLoss},        {metric::kTestTop1, s.testTop1},
            {metric::kTestTop5, s.testTop5},        {metric::kEpochSeconds, s.seconds},
            {metric::kImagesPerSecond, s.imagesPerSecond}, {metric::kDataWaitShare, s.dataWaitShare}};
}

}  // namespace scns

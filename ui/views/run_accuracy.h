#pragma once
// Accuracy figures of one run for the compare table, from its test/top1 rows.
#include <optional>
#include <vector>

#include "store/run_record.h"

namespace scns {

struct RunAccuracy {
    int epochs = 0;               // epochs with a test accuracy
    std::optional<double> final;  // accuracy after the last recorded epoch, percent
    std::optional<double> best;
    std::int64_t bestEpoch = 0;
};

// rows: one metric series (test/top1), ordered by step.
RunAccuracy accuracyOf(const std::vector<MetricRow>& rows);
// The first epoch whose accuracy reaches `threshold` percent; empty if none does.
std::optional<std::int64_t> epochsToAccuracy(const std::vector<MetricRow>& rows, double threshold);

}  // namespace scns

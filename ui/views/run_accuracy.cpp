#include "views/run_accuracy.h"

#include <cmath>

namespace scns {

RunAccuracy accuracyOf(const std::vector<MetricRow>& rows)
{
    RunAccuracy a;
    for (const auto& r : rows) {
        if (!std::isfinite(r.value))
            continue;
        ++a.epochs;
        a.final = r.value;
        if (!a.best || r.value > *a.best) {
            a.best = r.value;
            a.bestEpoch = r.epoch;
        }
    }
    return a;
}

std::optional<std::int64_t> epochsToAccuracy(const std::vector<MetricRow>& rows, double threshold)
{
    for (const auto& r : rows)
        if (std::isfinite(r.value) && r.value >= threshold)
            return r.epoch;
    return std::nullopt;
}

}  // namespace scns

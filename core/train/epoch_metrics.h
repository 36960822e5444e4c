#pragma once
// The per-epoch metric rows of an epoch summary, by name: what the trainer records at each
// epoch's end and what a live view rebuilds from the observer's EpochSummary, from one list.
#include <utility>
#include <vector>

#include "train/observer.h"

namespace scns {

// train/epoch_loss, train/top1, test/loss, test/top1, test/top5, then the time/... rows, in the
// order they are recorded; each at (summary.epoch, summary.step).
std::vector<std::pair<const char*, double>> epochMetrics(const EpochSummary& summary);

}  // namespace scns

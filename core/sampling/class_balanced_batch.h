#pragma once
// In-batch batches for the SupCon comparison: n classes, m samples of each. The first class is
// uniform over all C classes; the other n - 1 are drawn one after another, without repeats, from
// the first class's row of the class distribution restricted to the classes not yet chosen (so
// the batch holds semantically close classes); when that row has no mass left (e.g. a top-k row
// with k < n - 1), the remaining picks are uniform over the classes not yet chosen. An empty
// distribution means uniform throughout. The m samples of a class are distinct, uniformly
// chosen (Floyd's algorithm).
#include <cstdint>

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include "sampling/class_index.h"

namespace scns {

// Returns n * m int64 training-set indices (CPU), grouped by class: [class 1 x m, class 2 x m, ...].
// Throws ConfigError: supcon.samples_per_class (m < 1, or a class with fewer than m samples),
// supcon.classes_per_batch (n < 1 or n > C), and those of checkedClassDistribution.
at::Tensor buildClassBalancedBatch(const ClassIndex& index, std::int64_t samplesPerClass, std::int64_t classesPerBatch,
                                   const at::Tensor& classDistribution, at::Generator& generator);

// The same, indexing `labels` (N class ids in [0, numClasses)) first.
at::Tensor buildClassBalancedBatch(const at::Tensor& labels, std::int64_t numClasses, std::int64_t samplesPerClass,
                                   std::int64_t classesPerBatch, const at::Tensor& classDistribution,
                                   at::Generator& generator);

}  // namespace scns

#pragma once
// Validation of a class sampling distribution (C x C, row y = where anchors of class y draw
// their negatives' classes), shared by the class sampler and the class-balanced batch builder.
#include <vector>

#include <ATen/core/Tensor.h>

#include "sampling/class_index.h"

namespace scns {

// Returns the distribution row-major in double. Throws ConfigError:
//  contrastive.class.similarity: not C x C, negative or non-finite entries, a row not summing to
//                                1 (tolerance 1e-4);
//  contrastive.class.k:          the row of a class that has samples gives mass to a class with
//                                no training samples.
std::vector<double> checkedClassDistribution(const at::Tensor& distribution, const ClassIndex& index);

}  // namespace scns

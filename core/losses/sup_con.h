#pragma once
// Supervised contrastive loss (Khosla et al. 2020, "SupCon", L_out), one view per sample:
//   L = mean over anchors i with |P(i)| > 0 of
//       -(1/|P(i)|) sum_{p in P(i)} [ f_i.f_p / tau - log sum_{a != i} exp(f_i.f_a / tau) ],
//   P(i) = the other samples of i's class in the batch.
// Anchors without a positive are left out of the mean (Khosla's code would count them as 0);
// a batch where no anchor has a positive gives 0 with a zero gradient, never NaN. The
// tau / base_tau factor of Khosla's code is 1 here (base temperature = tau).
#include <ATen/core/Tensor.h>

namespace scns {

// features: B x d (unit rows); labels: B integer. Returns a scalar. ConfigError (contrastive.tau)
// unless tau > 0; TORCH_CHECK on shapes.
at::Tensor supConLoss(const at::Tensor& features, const at::Tensor& labels, double tau);

}  // namespace scns

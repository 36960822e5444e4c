#pragma once
// InfoNCE over memory-bank negatives in one pass (see bankInfoNce in losses/info_nce.h for the
// contract). For each anchor the K bank rows are read once: an online softmax (running maximum,
// running sum, running softmax-weighted sum of the rows, rescaled when the maximum grows, as in
// Milakov & Gimelshein 2018 / FlashAttention) gives the loss and the gradient together, so the
// backward pass reads nothing from the bank. Neither the B x K x d rows nor the B x K logits are
// stored.
#include <ATen/core/Tensor.h>

namespace scns {

// anchor B x d, positive B x d, bank N x d (no gradient), negativeIndices B x K int64 in [0, N)
// (CPU), pseudoNegatives B x P x d (P may be 0), all CPU and of one floating dtype.
// Returns the B per-anchor losses lse(logits) - logit_0 (differentiable in anchor, positive and
// pseudoNegatives).
at::Tensor fusedBankInfoNceRows(const at::Tensor& anchor, const at::Tensor& positive, const at::Tensor& bank,
                                const at::Tensor& negativeIndices, double tau, const at::Tensor& pseudoNegatives);

}  // namespace scns

#pragma once
// InfoNCE over memory-bank rows (docs/method.md "Objectives"):
//   L = mean_b -log( exp(z_b.p_b / tau) / (exp(z_b.p_b / tau) + sum_j exp(z_b.n_bj / tau) + sum_q exp(z_b.n~_bq / tau)) )
// computed as logsumexp(logits) - z.p / tau, which neither overflows nor underflows.
#include <ATen/core/Tensor.h>

namespace scns {

// anchor: B x d; positive: B x d; negatives: B x K x d; pseudoNegatives: B x P x d or undefined
// (Latent Mixup, see sampling/mixup.h). Gradients flow into every input that requires them
// (memory-bank rows and pseudo-negatives normally do not). Returns a scalar.
// ConfigError (contrastive.tau) unless tau > 0; TORCH_CHECK on shapes.
at::Tensor infoNce(const at::Tensor& anchor, const at::Tensor& positive, const at::Tensor& negatives, double tau,
                   const at::Tensor& pseudoNegatives = {});

// The B x (1 + K [+ P]) logits, column 0 the positive: the building block of infoNce (for
// statistics such as the mean anchor-negative cosine, multiply by tau).
at::Tensor contrastLogits(const at::Tensor& anchor, const at::Tensor& positive, const at::Tensor& negatives, double tau,
                          const at::Tensor& pseudoNegatives = {});

// The same loss and logits with the negatives given as memory-bank rows,
// negatives[b][j] = bank[negativeIndices[b][j]] (bank: N x d, no gradient; negativeIndices:
// B x K): equal values and gradients, no B x K x d tensor. bankInfoNce runs a one-pass kernel on
// the CPU (losses/bank_info_nce.h; about 6x faster than gather + infoNce at B = 128,
// K = 4096, see docs/benchmarks.md) and gatherDot + logsumexp elsewhere; bankContrastLogits
// uses gatherDot (losses/gather_dot.h). Gradients reach anchor, positive and pseudoNegatives,
// not the bank.
at::Tensor bankInfoNce(const at::Tensor& anchor, const at::Tensor& positive, const at::Tensor& bank,
                       const at::Tensor& negativeIndices, double tau, const at::Tensor& pseudoNegatives = {});
at::Tensor bankContrastLogits(const at::Tensor& anchor, const at::Tensor& positive, const at::Tensor& bank,
                              const at::Tensor& negativeIndices, double tau, const at::Tensor& pseudoNegatives = {});

// ConfigError (contrastive.tau) unless tau is finite and > 0.
void checkTemperature(double tau);

}  // namespace scns

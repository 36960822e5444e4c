#pragma once
// Turns the class similarity S into per-class sampling distributions over the other classes
// (docs/method.md "Class similarity S": diagonal removed, top-k kept, softmax or uniform).
#include <cstdint>

#include <ATen/core/Tensor.h>

namespace scns {

// S: C x C (C >= 2), finite. Returns C x C float32 on S's device whose row c is the
// distribution of negatives' classes for anchors of class c: zero on the diagonal, non-zero
// on exactly the k classes most similar to c (ties broken by torch::topk), with values
// softmax(S[c, top-k] / tauC) or 1/k when uniformOverTopK; rows sum to 1.
// (A very small tauC can underflow the smallest of the k weights to 0.)
// Throws ConfigError naming contrastive.class.k for k outside [1, C-1] and
// contrastive.class.tau for tauC <= 0 (or not finite); DataError for a bad S.
at::Tensor classSamplingDistribution(const at::Tensor& S, std::int64_t k, double tauC, bool uniformOverTopK);

}  // namespace scns

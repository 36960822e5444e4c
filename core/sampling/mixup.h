#pragma once
// Latent Mixup pseudo-negatives (docs/method.md "Negative samplers", `mixup`): P per anchor,
//   n~ = normalize(lambda a + (1 - lambda) b),
//   pairs:  (a, b) two different negatives of the anchor (positions in its K), lambda ~ Beta(alpha, alpha);
//   anchor: a = the anchor, b = one of its negatives; lambda ~ Beta(alpha, alpha) folded onto
//           [0, 1/2] (lambda <- min(lambda, 1 - lambda), which is Beta(alpha, alpha) conditioned on
//           lambda <= 1/2, by symmetry) and capped at kAnchorShareCap = 0.5 - 1e-3, so the point
//           stays strictly on the negative's side (MoCHi's hard negative mixing keeps the anchor's
//           share below 0.5 the same way). Folding rather than min(lambda, cap) keeps the Beta shape
//           instead of piling half the draws at the cap.
// Everything is detached: pseudo-negatives enter the loss as constants, no gradient reaches the
// memory bank or the anchor through them.
// Beta draws: X / (X + Y) with X, Y ~ Gamma(alpha) from torch's _standard_gamma on the seeded
// generator (when both underflow to 0, possible for tiny alpha, lambda is 0 or 1 by a fair coin).
// An antipodal pair (lambda a + (1 - lambda) b = 0 up to 1e-6) yields b.
#include <cstdint>

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>
#include <torch/arg.h>

#include "common/choices.h"

namespace scns {

// MixupMode: common/choices.h (a run configuration's choice).

struct MixupOptions {
    TORCH_ARG(std::int64_t, count) = 1;  // P pseudo-negatives per anchor
    TORCH_ARG(double, alpha) = 1.0;      // Beta(alpha, alpha)
    TORCH_ARG(MixupMode, mode) = MixupMode::Pairs;
};

struct PseudoNegatives {
    at::Tensor embeddings;  // B x P x d, unit rows, no grad (device and dtype of the negatives)
    at::Tensor sourceA;     // B x P int64 (CPU): position in the anchor's K negatives, -1 for the anchor
    at::Tensor sourceB;     // B x P int64 (CPU): position in the anchor's K negatives
    at::Tensor lambdas;     // B x P double (CPU): the weight of source A
};

class LatentMixup {
public:
    static constexpr double kAnchorShareCap = 0.5 - 1e-3;

    // Throws ConfigError: contrastive.mixup.count (P < 1), contrastive.mixup.alpha (alpha <= 0).
    LatentMixup(MixupOptions options, at::Generator generator);

    // anchors: B x d unit; negatives: B x K x d unit (same device). ConfigError
    // (contrastive.negatives) when pairs mode gets K < 2 (or anchor mode K < 1).
    PseudoNegatives generate(const at::Tensor& anchors, const at::Tensor& negatives);

    // The same draws with the negatives given as memory-bank rows (bank N x d, negativeIndices
    // B x K on any device, see bankInfoNce in losses/info_nce.h): only the 2 P source rows per anchor are
    // gathered. Equal to generate(anchors, bank[negativeIndices]) for the same generator state.
    PseudoNegatives generateFromBank(const at::Tensor& anchors, const at::Tensor& bank, const at::Tensor& negativeIndices);

    const MixupOptions& options() const { return m_options; }

private:
    struct Draws {
        at::Tensor sourceA, sourceB, lambdas;  // B x P, CPU
    };
    Draws draw(std::int64_t B, std::int64_t K);
    // rowsOf(positions B x P) -> B x P x d rows of the anchor's negatives.
    template <typename RowsOf>
    PseudoNegatives combine(const at::Tensor& anchors, Draws draws, std::int64_t d, RowsOf rowsOf);

    MixupOptions m_options;
    at::Generator m_generator;
};

}  // namespace scns

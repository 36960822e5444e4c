#pragma once
// The interface of every negative sampler (docs/method.md, "Negative samplers"): K negatives per
// anchor, as indices into the training set (rows of the memory bank). Draws are with
// replacement and depend only on the sampler's seeded generator and the call order, not on where
// they are made: a sampler placed on a GPU draws them there (sampling/device_draws.h), the same
// ones as on the CPU.
#include <cstdint>

#include <ATen/core/Tensor.h>

#include "sampling/device_draws.h"

namespace scns {

struct SampledNegatives {
    at::Tensor indices;   // B x K int64 (on the placement's device): training-set indices
    at::Tensor fromTopK;  // B x K bool (same device): drawn from the semantic distribution (class
                          // or instance), not uniformly (the uniform sampler, the epsilon share)
};

class NegativeSampler {
public:
    virtual ~NegativeSampler() = default;
    // anchorIndices: B int64 training-set indices, best on the CPU (they are range-checked there;
    // a device tensor is read back). Throws ConfigError (contrastive.negatives) when K < 1;
    // TORCH_CHECK on anchors outside [0, N).
    virtual SampledNegatives sample(const at::Tensor& anchorIndices, std::int64_t K) = 0;

    // Where the negatives are drawn and returned (default: the CPU, host loops). Copies the
    // sampler's tables to that device once; the draws stay the same.
    virtual void place(const SamplerPlacement& placement) = 0;
    const SamplerPlacement& placement() const { return m_placement; }

protected:
    SamplerPlacement m_placement;
};

}  // namespace scns

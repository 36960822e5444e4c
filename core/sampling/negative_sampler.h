#pragma once
// The interface of every negative sampler (docs/method.md, "Negative samplers"): K negatives per
// anchor, as indices into the training set (rows of the memory bank). Draws are with
// replacement and depend only on the sampler's seeded generator and the call order.
#include <cstdint>

#include <ATen/core/Tensor.h>

namespace scns {

struct SampledNegatives {
    at::Tensor indices;   // B x K int64 (CPU): training-set indices
    at::Tensor fromTopK;  // B x K bool (CPU): drawn from the semantic distribution (class or
                          // instance), not uniformly (the uniform sampler, the epsilon share)
};

class NegativeSampler {
public:
    virtual ~NegativeSampler() = default;
    // anchorIndices: B int64 training-set indices (any device; read on the CPU).
    // Throws ConfigError (contrastive.negatives) when K < 1; TORCH_CHECK on anchors outside [0, N).
    virtual SampledNegatives sample(const at::Tensor& anchorIndices, std::int64_t K) = 0;
};

}  // namespace scns

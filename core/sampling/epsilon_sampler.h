#pragma once
// Any sampler with a share epsilon drawn uniformly instead, so the negative set does not freeze
// (docs/method.md): each of the K draws independently comes from `uniform` with probability epsilon,
// else from `inner`. fromTopK is false where the uniform sampler supplied the draw (and keeps
// the inner sampler's flag elsewhere).
#include <memory>

#include "sampling/negative_sampler.h"

namespace scns {

class EpsilonSampler final : public NegativeSampler {
public:
    // Throws ConfigError (contrastive.epsilon) unless epsilon is in [0, 1]; TORCH_CHECK that both
    // samplers are set.
    EpsilonSampler(std::shared_ptr<NegativeSampler> inner, double epsilon, std::shared_ptr<NegativeSampler> uniform,
                   at::Generator generator);

    SampledNegatives sample(const at::Tensor& anchorIndices, std::int64_t K) override;
    // Places both samplers. The picked positions are found on the host (about epsilon B K
    // logarithms) and copied; the replacements are drawn on the device.
    void place(const SamplerPlacement& placement) override;

    double epsilon() const { return m_epsilon; }

private:
    std::shared_ptr<NegativeSampler> m_inner;
    double m_epsilon;
    std::shared_ptr<NegativeSampler> m_uniform;
    at::Generator m_generator;
};

}  // namespace scns

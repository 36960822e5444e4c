#pragma once
// `uniform` (CRD's "exact" mode): each negative uniformly among the samples whose class differs
// from the anchor's, with replacement. fromTopK is all false.
#include "sampling/class_index.h"
#include "sampling/negative_sampler.h"

namespace scns {

class UniformSampler final : public NegativeSampler {
public:
    // labels: N class ids in [0, numClasses). Throws ConfigError (contrastive.sampler) when
    // numClasses < 2 or all samples share one class (an anchor would have no negatives).
    UniformSampler(const at::Tensor& labels, std::int64_t numClasses, at::Generator generator);

    SampledNegatives sample(const at::Tensor& anchorIndices, std::int64_t K) override;
    void place(const SamplerPlacement& placement) override;

    const ClassIndex& classIndex() const { return m_index; }

private:
    SampledNegatives sampleTensors(const at::Tensor& anchors, std::int64_t K, std::uint64_t key) const;

    ClassIndex m_index;
    ClassIndexTensors m_tensors;  // tensor draws only
    at::Generator m_generator;
};

}  // namespace scns
